// `persomux sim`: a virtual site on this machine, with live progress and a report.
import { createLogger, parseLevel } from '../log/logger.js';
import { DEFAULT_SIM, runSimulation, type SimOptions } from '../sim/sim.js';
import { formatReport, progressLine } from '../sim/report.js';
import { simOptionsFromSite, SiteNotSimulable, type Binding } from '../sim/site-options.js';
import { figuresOf, formatComparison } from '../sim/compare-report.js';
import { startFrontPanel, type RunningPanel } from '../panel/start-panel.js';
import { ProgressLine } from '../sim/progress.js';
import { ScratchError } from '../sim/scratch.js';
import { CommandError, command, help, parseOptions, positiveInt, UsageError } from './args.js';
import { startStatusInterface, type StatusInterface } from '../http/status-interface.js';
import type { Router } from '../router/router.js';
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
      keep: { type: 'string' },
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
    // The status page of the router the servers hang off, sharing the panel's status model.
    let panel: RunningPanel | undefined;
    let page: StatusInterface | undefined;
    const showPanel = async (router: Router): Promise<void> => {
      const drawPanel = tty && !o.quiet;
      // The address is printed before the console panel starts redrawing the lines below it.
      const shared = { model: { view: (now: number) => panel!.model.view(now) }, locate: (line: string) => panel?.locate(line) };
      page = await startStatusInterface(router, router.config, log.child({ part: 'status' }), drawPanel ? shared : {});
      if (page.url) say(`Status page: ${page.url} (also /metrics, /status.json; persomux status --url ${page.url})\n`);
      if (drawPanel) panel = await startFrontPanel({ backend: 'console', board: undefined }, router, log, { noLampTest: true });
    };
    const runOnce = async (run: SimOptions, report: boolean) => {
      let result;
      try {
        result = await runSimulation(
          run,
          log,
          (p) => {
            if (o.quiet || stdoutGone || panel || !report) return;
            // On a terminal the line is redrawn in place; in a log, one line every 5 s.
            if (tty) live.show(p);
            else if (Math.round(p.elapsedS) % 5 === 0) say(`${progressLine(p)}\n`);
          },
          { signal: stop.signal, ...(report ? { onRouter: showPanel } : {}), ...(o.keep !== undefined && report ? { keepDir: o.keep } : {}) },
        );
      } catch (e) {
        if (e instanceof ScratchError) throw new UsageError(e.message);
        if (stop.signal.aborted) throw new CommandError(`persomux sim: stopped (${String(stop.signal.reason)}) while the site was starting; nothing to report`);
        throw e;
      } finally {
        await page?.close({ writeSnapshot: false }); // the simulated site and its state folder are gone by now
        await panel?.stop();
        page = undefined;
        panel = undefined;
      }
      if (tty) live.end();
      if (!report) return result;
      if (result.stoppedEarly) say(`\nStopped early (${result.stoppedEarly}): the report covers the ${result.elapsedS.toFixed(1)} s that ran.\n`);
      say(formatReport(result) + '\n');
      if (result.keptIn) say(`Kept in ${result.keptIn}: configuration, keys and audit trails (the pty links and servers ended with the run).\n`);
      return result;
    };
    let results;
    try {
      // Compared runs start warm: a short run first, not counted, so the first mode does not pay for the process's start (JIT, first keys).
      if (binding === 'both') await runOnce({ ...options, seconds: 2 }, false);
      results = [await runOnce(options, true)];
      if (binding === 'both' && !results[0]!.stoppedEarly) {
        say('Now the same site with each station bound to one data server...\n');
        results.push(await runOnce({ ...options, binding: 'static' }, true));
        say(formatComparison([figuresOf('dynamic', results[0]!), figuresOf('static', results[1]!)], timeScale) + '\n');
      }
    } finally {
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
    }
    const result = results.at(-1)!;
    const foreign = results.reduce((sum, r) => sum + r.stations.reduce((n, s) => n + s.foreign, 0), 0);
    if (result.stoppedEarly) return result.stoppedEarly === 'SIGINT' ? 130 : result.stoppedEarly === 'SIGTERM' ? 143 : 0;
    return foreign === 0 ? 0 : 1;
  });
}
