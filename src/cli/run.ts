// `persomux run` and `persomux check`.
import { ConfigError } from '../config/errors.js';
import { loadConfig } from '../config/load.js';
import type { RouterConfig } from '../config/types.js';
import { createLogger, parseLevel } from '../log/logger.js';
import { describeAddress } from '../links/transport.js';
import { Router } from '../router/router.js';
import { startStatusServer } from '../http/status-server.js';
import { command, help, parseOptions, UsageError } from './args.js';

/** How often `run` logs its one-line status (router.status lines=.. servers=.. queued=..). */
const STATUS_EVERY_MS = 60_000;

const RUN_HELP = `Usage: persomux run --config FILE [--log-level debug|info|warn|error]

Runs the router: opens every station line and server link in FILE and routes
requests until SIGINT or SIGTERM. Logs go to standard error, one line per event,
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
    process.stdout.write(out.join('\n') + '\n');
    return 0;
  });
}

export function runRouter(args: string[]): Promise<number> {
  return command(RUN_HELP, async () => {
    const o = parseOptions(args, { config: { type: 'string', short: 'c' }, 'log-level': { type: 'string' } });
    if (o.help) return help(RUN_HELP);
    const config = readConfig(o.config);
    if (!config) return 1;
    const log = createLogger({ level: parseLevel(o['log-level']) });
    const router = new Router(config, log);
    router.start();
    router.logStatusEvery(STATUS_EVERY_MS);
    const statusServer = await startStatusServer(config.status, router, log.child({ part: 'status' }));
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    router.stop();
    await statusServer.close();
    return 0;
  });
}
