// `persomux run` and `persomux check`.
import { ConfigError } from '../config/errors.js';
import { loadConfig } from '../config/load.js';
import type { RouterConfig } from '../config/types.js';
import { createLogger, parseLevel } from '../log/logger.js';
import { describeAddress } from '../links/transport.js';
import { Router } from '../router/router.js';
import { startStatusServer } from '../http/status-server.js';
import { locateRoute } from '../http/locate.js';
import { checkPanel } from '../panel/check-panel.js';
import { startFrontPanel } from '../panel/start-panel.js';
import { writeFileSync } from 'node:fs';

function writePidFile(file: string): void {
  writeFileSync(file, `${process.pid}\n`, { mode: 0o644 });
}
import { command, help, parseOptions, UsageError } from './args.js';

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
    const o = parseOptions(args, { config: { type: 'string', short: 'c' } });
    if (o.help) return help(CHECK_HELP);
    const config = readConfig(o.config);
    if (!config) return 1;
    const out = [`${config.file}: router '${config.router}' is valid`];
    for (const l of config.lines) out.push(`  line ${l.name}: ${l.serial.path} ${l.serial.baudRate} ${l.serial.dataBits}${l.serial.parity[0]!.toUpperCase()}${l.serial.stopBits} ${l.protocol}, maxOutstanding ${l.maxOutstanding}`);
    for (const s of config.servers) out.push(`  server ${s.name}: ${describeAddress(s.address)}${s.security.kind === 'insecure' ? ' (plaintext)' : ` (sealed with ${s.security.keyFile}, re-handshake '${s.security.rehandshake}')`}, ${s.slots} slots expected`);
    for (const [op, p] of config.ops) out.push(`  op ${op}: ttl ${p.ttlMs} ms${p.retry ? ', retried on server loss' : ''}`);
    const panel = checkPanel(config);
    process.stdout.write([...out, ...panel.lines].join('\n') + '\n');
    return panel.ok ? 0 : 1;
  });
}

export function runRouter(args: string[]): Promise<number> {
  return command(RUN_HELP, async () => {
    const o = parseOptions(args, { config: { type: 'string', short: 'c' }, 'log-level': { type: 'string' }, 'pid-file': { type: 'string' } });
    if (o.help) return help(RUN_HELP);
    const config = readConfig(o.config);
    if (!config) return 1;
    const log = createLogger({ level: parseLevel(o['log-level']) });
    const router = new Router(config, log);
    router.start();
    router.logStatusEvery(STATUS_EVERY_MS);
    const panel = await startFrontPanel(config.panel, router, log.child({ part: 'panel' }));
    const statusServer = await startStatusServer(config.status, router, log.child({ part: 'status' }), [locateRoute(panel.locate)]);
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
    // A second signal does not wait any longer.
    const impatient = () => {
      log.warn('router.signal', { signal: 'again', why: 'stopping at once' });
      router.stop();
    };
    process.once('SIGINT', impatient);
    process.once('SIGTERM', impatient);
    await router.shutdown(config.stopTimeoutMs);
    await panel.stop();
    await statusServer.close();
    return 0;
  });
}
