// `persomux sim`: a virtual site on this machine, with live progress and a report.
import { createLogger, parseLevel } from '../log/logger.js';
import { DEFAULT_SIM, runSimulation, type SimOptions } from '../sim/sim.js';
import { formatReport, progressLine } from '../sim/report.js';
import { simOptionsFromSite, SiteNotSimulable, type Binding } from '../sim/site-options.js';
import { figuresOf, formatComparison } from '../sim/compare-report.js';
import { startFrontPanel, type RunningPanel } from '../panel/start-panel.js';
import { command, help, parseOptions, positiveInt, UsageError } from './args.js';
import { SITE_HELP, SITE_OPTIONS, siteFromFlags } from './site-flags.js';

const HELP = `Usage: persomux sim [options]

Runs a simulated site on this machine: stations on pseudo-terminals
personalizing virtual cards in a loop (transport key, SCP03 session keys and
mutual authentication, a certificate per file, all checked by the card),
reference data servers on loopback TCP with a file key store, and the real
router between them, over sealed links. Shows live progress, then a report.

  --seconds N        how long to run (default ${DEFAULT_SIM.seconds})
${SITE_HELP}  --time-scale K     run every site time K times faster (e.g. 100: 12 s of local time
                     per card runs as 120 ms); figures are given back at site time
  --binding B        dynamic (the router's dispatch, default), static (each station
                     bound to one data server, spread evenly: the prior art), or
                     both (runs the site twice, --seconds each, and compares)
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

function parseBinding(value: string | undefined): Binding | 'both' {
  if (value === undefined) return 'dynamic';
  if (value === 'dynamic' || value === 'static' || value === 'both') return value;
  throw new UsageError(`--binding must be dynamic, static or both, got '${value}'`);
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
      ...SITE_OPTIONS,
      'time-scale': { type: 'string' },
      binding: { type: 'string' },
      boxes: { type: 'string' },
      'wrong-key': { type: 'string' },
      'key-bits': { type: 'string' },
      quiet: { type: 'boolean' },
      'log-level': { type: 'string' },
    });
    if (o.help) return help(HELP);
    const binding = parseBinding(o.binding);
    const timeScale = positiveInt(o['time-scale'], 'time-scale', 1);
    let fromSite: SimOptions;
    try {
      fromSite = simOptionsFromSite(siteFromFlags(o), DEFAULT_SIM, { timeScale, binding: binding === 'both' ? 'dynamic' : binding });
    } catch (e) {
      throw e instanceof SiteNotSimulable ? new UsageError(e.message) : e;
    }
    const options: SimOptions = {
      ...fromSite,
      seconds: positiveInt(o.seconds, 'seconds', DEFAULT_SIM.seconds),
      boxes: parseBoxes(o.boxes),
      keyBits: o['key-bits'] === '256' ? 256 : o['key-bits'] === undefined || o['key-bits'] === '128' ? 128 : badKeyBits(o['key-bits']),
      ...(o['wrong-key'] ? { wrongKeyServer: o['wrong-key'] } : {}),
    };
    if (binding !== 'dynamic' && options.boxes === 2) throw new UsageError('--binding static needs one box: with --boxes 2 the stations of box A reach the servers only through box B');
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
    const runOnce = async (run: SimOptions) => {
      const result = await runSimulation(run, log, (p) => {
        if (o.quiet || panel) return;
        // On a terminal the line is redrawn in place; in a log, one line every 5 s.
        if (tty) process.stdout.write(`\r${progressLine(p)}`);
        else if (Math.round(p.elapsedS) % 5 === 0) process.stdout.write(`${progressLine(p)}\n`);
      }, showPanel).finally(() => {
        panel?.stop();
        panel = undefined;
      });
      if (tty && !o.quiet) process.stdout.write('\n');
      process.stdout.write(formatReport(result) + '\n');
      return result;
    };
    // Compared runs start warm: a short run first, not counted, so the first mode does not pay for the process's start (JIT, first keys).
    if (binding === 'both') await runSimulation({ ...options, seconds: 2 }, log, () => {});
    const results = [await runOnce(options)];
    if (binding === 'both') {
      process.stdout.write('Now the same site with each station bound to one data server...\n');
      results.push(await runOnce({ ...options, binding: 'static' }));
      process.stdout.write(formatComparison([figuresOf('dynamic', results[0]!), figuresOf('static', results[1]!)], timeScale) + '\n');
    }
    const foreign = results.reduce((sum, r) => sum + r.stations.reduce((n, s) => n + s.foreign, 0), 0);
    return foreign === 0 ? 0 : 1;
  });
}
