// `persomux sim`: a virtual site on this machine, with live progress and a report.
import { createLogger, parseLevel } from '../log/logger.js';
import { parseServiceTime } from '../dataserver/service-time.js';
import { DEFAULT_SIM, runSimulation, type SimOptions } from '../sim/sim.js';
import { formatReport, progressLine } from '../sim/report.js';
import { startFrontPanel, type RunningPanel } from '../panel/start-panel.js';
import { ProgressLine } from '../sim/progress.js';
import { ScratchError } from '../sim/scratch.js';
import { CommandError, command, help, parseOptions, positiveInt, UsageError } from './args.js';

const HELP = `Usage: persomux sim [options]

Runs a simulated site on this machine: stations on pseudo-terminals
personalizing virtual cards in a loop (transport key, SCP03 session keys and
mutual authentication, a certificate per file, all checked by the card),
reference data servers on loopback TCP with a file key store, and the real
router between them, over sealed links. Shows live progress, then a report.

  --seconds N        how long to run (default ${DEFAULT_SIM.seconds})
  --machines N       machines (default ${DEFAULT_SIM.machines})
  --stations N       stations per machine (default ${DEFAULT_SIM.stationsPerMachine})
  --servers N        data servers (default ${DEFAULT_SIM.servers})
  --slots N          slots per data server (default ${DEFAULT_SIM.slots})
  --service-time T   per request: MS fixed or exp:MS (default exp:${(DEFAULT_SIM.serviceTime as { meanMs: number }).meanMs})
  --chip-ms N        station's work on the chip between requests (default ${DEFAULT_SIM.chipMs})
  --wrong-key dsN    give data server dsN a wrong master key (masterMac), to see
                     the cards it serves rejected and why
  --key-bits 128|256 master key length (default 128)
  --boxes 1|2        2: two cascaded routers, half the machines on each, the data
                     servers on box B, box A served through B's peer port (default 1)
  --quiet            no live progress
                     (on a terminal, the live progress is the router's front panel, drawn as
                     the console backend draws it: a row of lamps per machine)
  --log-level L      router and server logs on stderr: debug, info, warn or error (default warn)
  --keep DIR         keep the run's configuration, keys and audit trails in DIR (a new
                     or empty folder), e.g. for 'persomux audit verify DIR/ds1.audit.jsonl
                     --public-key DIR/audit.pub'; without it the run's folder is removed

Ctrl-C (SIGINT), SIGTERM or a closed standard output stop the run early: the
report covers the time run (when standard output is still there), every socat
child is ended and the run's folder (master keys, audit and link keys) removed.
A second Ctrl-C stops at once, still cleaning up.
`;

function badKeyBits(value: string): never {
  throw new UsageError(`--key-bits must be 128 or 256, got '${value}'`);
}

function parseBoxes(value: string | undefined): 1 | 2 {
  if (value === undefined || value === '1') return 1;
  if (value === '2') return 2;
  throw new UsageError(`--boxes must be 1 or 2, got '${value}'`);
}

export function runSim(args: string[]): Promise<number> {
  return command(HELP, async () => {
    const o = parseOptions(args, {
      seconds: { type: 'string' },
      machines: { type: 'string' },
      stations: { type: 'string' },
      servers: { type: 'string' },
      slots: { type: 'string' },
      'service-time': { type: 'string' },
      'chip-ms': { type: 'string' },
      boxes: { type: 'string' },
      'wrong-key': { type: 'string' },
      'key-bits': { type: 'string' },
      quiet: { type: 'boolean' },
      'log-level': { type: 'string' },
      keep: { type: 'string' },
    });
    if (o.help) return help(HELP);
    const serviceTime = o['service-time'] === undefined ? DEFAULT_SIM.serviceTime : parseServiceTime(o['service-time']);
    if (!serviceTime) throw new UsageError(`--service-time must be MS or exp:MS, got '${o['service-time']}'`);
    const options: SimOptions = {
      ...DEFAULT_SIM,
      seconds: positiveInt(o.seconds, 'seconds', DEFAULT_SIM.seconds),
      machines: positiveInt(o.machines, 'machines', DEFAULT_SIM.machines),
      stationsPerMachine: positiveInt(o.stations, 'stations', DEFAULT_SIM.stationsPerMachine),
      servers: positiveInt(o.servers, 'servers', DEFAULT_SIM.servers),
      slots: positiveInt(o.slots, 'slots', DEFAULT_SIM.slots),
      chipMs: positiveInt(o['chip-ms'], 'chip-ms', DEFAULT_SIM.chipMs, 0),
      serviceTime,
      boxes: parseBoxes(o.boxes),
      keyBits: o['key-bits'] === '256' ? 256 : o['key-bits'] === undefined || o['key-bits'] === '128' ? 128 : badKeyBits(o['key-bits']),
      ...(o['wrong-key'] ? { wrongKeyServer: o['wrong-key'] } : {}),
    };
    const wrong = options.wrongKeyServer === undefined ? undefined : /^ds([1-9]\d*)$/.exec(options.wrongKeyServer);
    if (wrong === null || (wrong && Number(wrong[1]) > options.servers)) {
      throw new UsageError(`--wrong-key names a data server of this run, ds1 to ds${options.servers}, got '${options.wrongKeyServer}'`);
    }
    const tty = process.stdout.isTTY === true;
    // Log lines go above the live progress line, never into it.
    const live = new ProgressLine(process.stdout, () => process.stdout.columns ?? 80);
    const log = createLogger({ level: o['log-level'] ? parseLevel(o['log-level']) : 'warn', write: (line) => (tty ? live.above(line, process.stderr) : process.stderr.write(`${line}\n`)) });
    // Stopping early: a signal or a closed stdout ends the run, which then reports and cleans up (src/sim/scratch.ts, children.ts).
    const stop = new AbortController();
    let stdoutGone = false;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (stop.signal.aborted) process.exit(signal === 'SIGINT' ? 130 : 143); // the exit hooks still end socat and remove the folder
      stop.abort(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    process.stdout.on('error', () => {
      stdoutGone = true;
      stop.abort('standard output closed');
    });
    const say = (text: string): void => {
      if (!stdoutGone) process.stdout.write(text);
    };
    const lines = options.machines * options.stationsPerMachine;
    say(`Starting a simulated site: ${lines} station lines on pseudo-terminals, ${options.servers} data servers, ${options.seconds} s...\n`);
    // On a terminal the router's front panel is drawn live (its last line: cards/h, req/s, queue).
    let panel: RunningPanel | undefined;
    const showPanel = async (router: Parameters<typeof startFrontPanel>[1]): Promise<void> => {
      if (tty && !o.quiet) panel = await startFrontPanel({ backend: 'console', board: undefined }, router, log, { noLampTest: true });
    };
    let result;
    try {
      result = await runSimulation(
        options,
        log,
        (p) => {
          if (o.quiet || stdoutGone || panel) return;
          // On a terminal the line is redrawn in place; in a log, one line every 5 s.
          if (tty) live.show(p);
          else if (Math.round(p.elapsedS) % 5 === 0) say(`${progressLine(p)}\n`);
        },
        { signal: stop.signal, onRouter: showPanel, ...(o.keep !== undefined ? { keepDir: o.keep } : {}) },
      );
    } catch (e) {
      if (e instanceof ScratchError) throw new UsageError(e.message);
      if (stop.signal.aborted) throw new CommandError(`persomux sim: stopped (${String(stop.signal.reason)}) while the site was starting; nothing to report`);
      throw e;
    } finally {
      await panel?.stop();
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
    }
    if (tty) live.end();
    if (result.stoppedEarly) say(`\nStopped early (${result.stoppedEarly}): the report covers the ${result.elapsedS.toFixed(1)} s that ran.\n`);
    say(formatReport(result) + '\n');
    if (result.keptIn) say(`Kept in ${result.keptIn}: configuration, keys and audit trails (the pty links and servers ended with the run).\n`);
    const foreign = result.stations.reduce((n, s) => n + s.foreign, 0);
    if (result.stoppedEarly) return result.stoppedEarly === 'SIGINT' ? 130 : result.stoppedEarly === 'SIGTERM' ? 143 : 0;
    return foreign === 0 ? 0 : 1;
  });
}
