// `persomux run` and `persomux check`.
import { ConfigError } from '../config/errors.js';
import { loadConfig } from '../config/load.js';
import type { RouterConfig } from '../config/types.js';
import { createLogger, parseLevel, type Logger } from '../log/logger.js';
import { Journal } from '../journal/journal.js';
import { systemErrorMeaning } from '../util/system-error.js';
import { describeAddress } from '../links/transport.js';
import { Router } from '../router/router.js';
import { startStatusInterface } from '../http/status-interface.js';
import { checkPanel } from '../panel/check-panel.js';
import { startFrontPanel } from '../panel/start-panel.js';
import { writeFileSync } from 'node:fs';

async function openJournal(dir: string, log: Logger): Promise<Journal> {
  try {
    const journal = await Journal.open({ dir, log });
    const r = journal.recovered;
    log.info('journal.open', { dir, segments: r.segments, records: r.records, live: r.live, ignoredBytes: r.ignoredBytes });
    return journal;
  } catch (e) {
    throw new CommandError(`persomux run: the request journal in ${dir} cannot be opened: ${systemErrorMeaning(e) ?? (e as Error).message}`);
  }
}

function writePidFile(file: string): void {
  writeFileSync(file, `${process.pid}\n`, { mode: 0o644 });
}
import { CommandError, command, help, parseOptions, UsageError } from './args.js';
import { STOP_MARGIN_MS, UNIT_TIMEOUT_STOP_MS } from '../config/limits.js';
import { startNotify } from '../box/start-notify.js';

/** How often `run` logs its one-line status (router.status lines=.. servers=.. queued=..). */
const STATUS_EVERY_MS = 60_000;

const RUN_HELP = `Usage: persomux run --config FILE [--log-level debug|info|warn|error] [--pid-file FILE]

Runs the router: opens every station line and server link in FILE and routes
requests until SIGINT or SIGTERM. A stop is graceful: requests not yet sent
are answered 'overloaded', requests at a server get up to stopTimeoutMs
(default 10 s) to finish, then links and lines close; a second signal stops
at once. SIGHUP (or 'persomux reload') reads FILE again: lines and servers
are added, removed or changed without a restart; a bad file changes nothing.
--pid-file FILE writes the process id there for 'persomux reload'.
Logs go to standard error, one line per event,
and a status line (lines open, servers available, busy slots, queue, answers)
every minute.
`;

const CHECK_HELP = `Usage: persomux check --config FILE

Validates FILE. Prints what it describes and exits 0, or names each mistake
(file: field: reason) and exits 1.
`;

function readConfig(file: string | undefined): RouterConfig | undefined {
  if (!file) throw new UsageError('--config FILE is required');
  try {
    return loadConfig(file);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    process.stderr.write(`${e.message}\n`);
    return undefined;
  }
}

export function runCheck(args: string[]): Promise<number> {
  return command(CHECK_HELP, async () => {
    const o = parseOptions(args, { config: { type: 'string' } });
    if (o.help) return help(CHECK_HELP);
    const config = readConfig(o.config);
    if (!config) return 1;
    const out = [`${config.file}: router '${config.router}' is valid`];
    for (const l of config.lines) out.push(`  line ${l.name}: ${l.serial.path} ${l.serial.baudRate} ${l.serial.dataBits}${l.serial.parity[0]!.toUpperCase()}${l.serial.stopBits} ${l.protocol}, maxOutstanding ${l.maxOutstanding}`);
    for (const s of config.servers) out.push(`  server ${s.name}: ${describeAddress(s.address)}${s.security.kind === 'insecure' ? ' (plaintext)' : ` (sealed with ${s.security.keyFile}, re-handshake '${s.security.rehandshake}')`}, ${s.slots} slots expected`);
    for (const [op, p] of config.ops) out.push(`  op ${op}: ttl ${p.ttlMs} ms${p.retry ? ', retried on server loss' : ''}`);
    out.push(`  stop: requests at servers get ${config.stopTimeoutMs} ms to finish${config.journalDir ? `; journal in ${config.journalDir}` : '; no journal (no stateDir): at most once holds within one run'}`);
    // systemd kills what outlives TimeoutStopSec: the graceful stop must fit inside it (with time to close).
    if (config.stopTimeoutMs + STOP_MARGIN_MS > UNIT_TIMEOUT_STOP_MS) {
      out.push(`  warning: stopTimeoutMs ${config.stopTimeoutMs} leaves less than ${STOP_MARGIN_MS} ms of the unit's TimeoutStopSec (${UNIT_TIMEOUT_STOP_MS / 1000} s in firmware/systemd/persomux.service): raise TimeoutStopSec with it`);
    }
    const panel = checkPanel(config);
    process.stdout.write([...out, ...panel.lines].join('\n') + '\n');
    return panel.ok ? 0 : 1;
  });
}

export function runRouter(args: string[]): Promise<number> {
  return command(RUN_HELP, async () => {
    const o = parseOptions(args, { config: { type: 'string' }, 'log-level': { type: 'string' }, 'pid-file': { type: 'string' } });
    if (o.help) return help(RUN_HELP);
    const config = readConfig(o.config);
    if (!config) return 1;
    const log = createLogger({ level: parseLevel(o['log-level']) });
    // At most once across restarts (PROTOCOL.md 6 reading 12): read back before the first line opens.
    const journal = config.journalDir ? await openJournal(config.journalDir, log.child({ part: 'journal' })) : undefined;
    const router = new Router(config, log, journal ? { journal } : {});
    router.start();
    router.logStatusEvery(STATUS_EVERY_MS);
    const panel = await startFrontPanel(config.panel, router, log.child({ part: 'panel' }));
    // The page shows the panel's model: lamps and page agree, and a locate blinks both.
    const statusInterface = await startStatusInterface(router, config, log.child({ part: 'status' }), { model: panel.model, locate: panel.locate });
    // Healthy means one thing everywhere (issue 12): /healthz, READY=1 and the deploy's check.
    const notify = startNotify({ healthy: () => router.health().healthy, log });
    // SIGHUP (systemctl reload, `persomux reload`): the file is read and validated again; a bad one changes nothing.
    process.on('SIGHUP', () => {
      log.info('router.signal', { signal: 'SIGHUP', config: config.file });
      try {
        router.reload(loadConfig(config.file));
      } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        for (const line of e.message.split('\n')) log.error('router.reload-refused', { why: line });
      }
    });
    if (o['pid-file']) writePidFile(o['pid-file']);
    const signal = await new Promise<NodeJS.Signals>((resolve) => {
      process.once('SIGINT', () => resolve('SIGINT'));
      process.once('SIGTERM', () => resolve('SIGTERM'));
    });
    log.info('router.signal', { signal, stopTimeoutMs: config.stopTimeoutMs });
    notify.stopping();
    // A second signal does not wait any longer.
    const impatient = () => {
      log.warn('router.signal', { signal: 'again', why: 'stopping at once' });
      router.stop();
    };
    process.once('SIGINT', impatient);
    process.once('SIGTERM', impatient);
    await router.shutdown(config.stopTimeoutMs);
    await panel.stop();
    await statusInterface.close();
    await journal?.close();
    return 0;
  });
}
