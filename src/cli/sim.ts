// `persomux sim`: a virtual site on this machine, with live progress and a report.
import { createLogger, parseLevel } from '../log/logger.js';
import { parseServiceTime } from '../dataserver/service-time.js';
import { DEFAULT_SIM, runSimulation, type SimOptions } from '../sim/sim.js';
import { formatReport, progressLine } from '../sim/report.js';
import { startFrontPanel, type RunningPanel } from '../panel/start-panel.js';
import { command, help, parseOptions, positiveInt, UsageError } from './args.js';

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
  --log-level L      router and server logs on stderr (default warn)
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
    if (options.wrongKeyServer && !/^ds[1-9]\d*$/.test(options.wrongKeyServer)) throw new UsageError(`--wrong-key names a data server, ds1 to ds${options.servers}`);
    const log = createLogger({ level: o['log-level'] ? parseLevel(o['log-level']) : 'warn' });
    const tty = process.stdout.isTTY;
    const lines = options.machines * options.stationsPerMachine;
    process.stdout.write(`Starting a simulated site: ${lines} station lines on pseudo-terminals, ${options.servers} data servers, ${options.seconds} s...\n`);
    // On a terminal the router's front panel is drawn live (its last line: cards/h, req/s, queue).
    let panel: RunningPanel | undefined;
    const showPanel = async (router: Parameters<typeof startFrontPanel>[1]): Promise<void> => {
      if (tty && !o.quiet) panel = await startFrontPanel({ backend: 'console', board: undefined }, router, log, { noLampTest: true });
    };
    const result = await runSimulation(options, log, (p) => {
      if (o.quiet || panel) return;
      // On a terminal the line is redrawn in place; in a log, one line every 5 s.
      if (tty) process.stdout.write(`\r${progressLine(p)}`);
      else if (Math.round(p.elapsedS) % 5 === 0) process.stdout.write(`${progressLine(p)}\n`);
    }, showPanel).finally(() => panel?.stop());
    if (tty && !o.quiet && !panel) process.stdout.write('\n');
    process.stdout.write(formatReport(result) + '\n');
    const foreign = result.stations.reduce((n, s) => n + s.foreign, 0);
    return foreign === 0 ? 0 : 1;
  });
}
