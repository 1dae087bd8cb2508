// `persomux dataserver`: the reference data server, for tests, the simulator and benchmarks.
import { createLogger, parseLevel } from '../log/logger.js';
import { DataServer, type DataServerSecurity } from '../dataserver/dataserver.js';
import { KeyFileError, loadLinkKeys } from '../keys/link-key-file.js';
import { describeServiceTime, parseServiceTime } from '../dataserver/service-time.js';
import { KeyFileError as StoreFileError, openFileKeyStore } from '../dataserver/crypto/file-key-store.js';
import type { KeyStore } from '../dataserver/crypto/key-store.js';
import { cryptoOps } from '../dataserver/ops/crypto-ops.js';
import { REFERENCE_OPS } from '../dataserver/ops/echo.js';
import { command, help, parseOptions, positiveInt, UsageError } from './args.js';

const HELP = `Usage: persomux dataserver (--key FILE ... | --insecure) [--listen HOST:PORT] [--serial PATH [--baud N]]
                           [--slots N] [--service-time MS | exp:MS] [--name NAME]

Serves the reference ops to routers: echo, and with a key store transport-key,
session-keys, certificate and issuer-key (PROTOCOL.md 5).
  --keys FILE          a file key store ('persomux keystore create'), for development
  --key FILE           a link key file (from 'persomux keygen'): routers holding its
                       partner may connect, sealed (PROTOCOL.md 3); repeat for several routers
  --insecure           plaintext instead, for tests: only on a loopback address
  --listen HOST:PORT   TCP address to listen on (default 127.0.0.1:7000)
  --serial PATH        also serve one router on this serial device
  --slots N            requests worked on at once, announced in 'ready' (default 4)
  --service-time T     time per request: MS fixed, or exp:MS exponential with that mean (default exp:40)
`;

export function runDataServer(args: string[]): Promise<number> {
  return command(HELP, async () => {
    const o = parseOptions(args, {
      listen: { type: 'string' },
      serial: { type: 'string' },
      baud: { type: 'string' },
      slots: { type: 'string' },
      'service-time': { type: 'string' },
      name: { type: 'string' },
      'log-level': { type: 'string' },
      key: { type: 'string', multiple: true },
      keys: { type: 'string' },
      insecure: { type: 'boolean' },
    });
    if (o.help) return help(HELP);
    const m = /^(.+):(\d+)$/.exec(o.listen ?? '127.0.0.1:7000');
    if (!m) throw new UsageError(`--listen must be HOST:PORT, got '${o.listen}'`);
    const serviceTime = parseServiceTime(o['service-time'] ?? 'exp:40');
    if (!serviceTime) throw new UsageError(`--service-time must be MS or exp:MS, got '${o['service-time']}'`);
    const keyFiles = o.key ?? [];
    if (keyFiles.length === 0 && !o.insecure) throw new UsageError('give --key FILE (sealed links) or --insecure (plaintext, loopback only)');
    if (keyFiles.length > 0 && o.insecure) throw new UsageError('--key and --insecure exclude each other');
    const host = m[1]!;
    if (o.insecure && !['127.0.0.1', 'localhost', '::1'].includes(host)) throw new UsageError(`--insecure listens only on a loopback address, not '${host}'`);
    let security: DataServerSecurity;
    try {
      security = o.insecure ? { kind: 'insecure' } : { kind: 'sealed', candidates: keyFiles.map((f) => ({ keyFile: f, keys: loadLinkKeys(f) })) };
    } catch (e) {
      if (!(e instanceof KeyFileError)) throw e;
      process.stderr.write(`persomux dataserver: ${e.message}\n`);
      return 1;
    }
    const log = createLogger({ level: parseLevel(o['log-level']) });
    let keyStore: KeyStore | undefined;
    try {
      if (o.keys) keyStore = await openFileKeyStore(o.keys);
    } catch (e) {
      if (!(e instanceof StoreFileError)) throw e;
      process.stderr.write(`persomux dataserver: ${e.message}\n`);
      return 1;
    }
    const ops = new Map([...REFERENCE_OPS, ...(keyStore ? cryptoOps(keyStore) : [])]);
    const server = new DataServer({ name: o.name ?? 'dataserver', slots: positiveInt(o.slots, 'slots', 4, 0), serviceTime, security, ops, ...(keyStore ? { keyStore } : {}), log });
    log.info('dataserver.start', { service: describeServiceTime(serviceTime) });
    await server.listen(host, Number(m[2]));
    if (o.serial) {
      await server.openSerial({ path: o.serial, baudRate: positiveInt(o.baud, 'baud', 115200), dataBits: 8, parity: 'none', stopBits: 1, rtscts: false });
    }
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await server.close();
    await keyStore?.close();
    return 0;
  });
}
