// `persomux dataserver`: the reference data server, for tests, the simulator and benchmarks.
import { createLogger, parseLevel } from '../log/logger.js';
import { DataServer, type DataServerSecurity } from '../dataserver/dataserver.js';
import { KeyFileError, loadLinkKeys } from '../keys/link-key-file.js';
import { describeServiceTime, parseServiceTime } from '../dataserver/service-time.js';
import { KeyFileError as StoreFileError, openFileKeyStore } from '../dataserver/crypto/file-key-store.js';
import { KeyUnavailableError, type KeyStore } from '../dataserver/crypto/key-store.js';
import { openPkcs11KeyStore } from '../dataserver/keystore/pkcs11-key-store.js';
import { Pkcs11ConfigError } from '../dataserver/keystore/pkcs11-module.js';
import { cryptoOps } from '../dataserver/ops/crypto-ops.js';
import { REFERENCE_OPS } from '../dataserver/ops/echo.js';
import { AuditLog, AuditLogError } from '../audit/audit-log.js';
import { AuditKeyError, loadAuditPrivateKey } from '../audit/audit-key.js';
import { CommandError, command, help, hostPort, parseOptions, positiveInt, UsageError } from './args.js';
import { systemErrorMeaning } from '../util/system-error.js';

/** Why a key store could not be used, when it says (the PKCS#11 store keeps its last failure). */
const keyStoreProblem = (store: object): string | undefined => ('lastError' in store && typeof store.lastError === 'string' ? store.lastError : undefined);
import { LIMITS } from '../config/limits.js';
import { startNotify } from '../box/start-notify.js';

const HELP = `Usage: persomux dataserver (--key FILE ... | --insecure) [--listen HOST:PORT] [--serial PATH [--baud N]]
                           [--keys FILE | --token LABEL --pin-file FILE [--module PATH] [--key-bits 128|256]]
                           [--audit FILE --audit-key FILE] [--slots N] [--max-body N]
                           [--service-time MS | exp:MS] [--name NAME] [--log-level debug|info|warn|error]

Serves the reference ops to routers: echo, and with a key store transport-key,
session-keys, certificate and issuer-key (PROTOCOL.md 5).
  --keys FILE          a file key store ('persomux keystore create'), for development
  --token LABEL        or: a PKCS#11 token holding the keys ('persomux hsm init'), with
  --pin-file FILE      its user PIN (a file only the server's user can read),
  [--module PATH]      the PKCS#11 module (default SoftHSM2's), [--key-bits 128|256]
  --audit FILE         append one record per answered op to this hash-chained log,
  --audit-key FILE     with checkpoints signed by this key ('persomux audit keygen')
  --key FILE           a link key file (from 'persomux keygen'): routers holding its
                       partner may connect, sealed (PROTOCOL.md 3); repeat for several routers
  --insecure           plaintext instead, for tests: only on a loopback address
  --listen HOST:PORT   TCP address to listen on (default 127.0.0.1:7000)
  --serial PATH        also serve one router on this serial device,
  --baud N             at this baud rate (default 115200)
  --slots N            requests worked on at once, announced in 'ready' (default 4)
  --max-body N         largest frame body accepted from a router, bytes (default 4096;
                       match the routers' servers[].maxBody)
  --service-time T     time added per request: MS fixed, or exp:MS exponential with that mean
                       (default: exp:40 without a key store, to stand in for an HSM's work;
                       0 with --keys or --token, whose work is real)
  --name NAME          the server's name in its logs (default dataserver)
  --log-level L        debug, info, warn or error (default info); logs go to standard error

Signals: SIGUSR2 drains the server (it announces 0 slots: routers send their work
elsewhere, work in hand finishes) and, sent again, resumes it. SIGINT or SIGTERM
stops it, logging the requests executed by op.
`;

export function runDataServer(args: string[]): Promise<number> {
  return command(HELP, async () => {
    const o = parseOptions(args, {
      listen: { type: 'string' },
      serial: { type: 'string' },
      baud: { type: 'string' },
      slots: { type: 'string' },
      'max-body': { type: 'string' },
      'service-time': { type: 'string' },
      name: { type: 'string' },
      'log-level': { type: 'string' },
      key: { type: 'string', multiple: true },
      keys: { type: 'string' },
      token: { type: 'string' },
      'pin-file': { type: 'string' },
      module: { type: 'string' },
      'key-bits': { type: 'string' },
      audit: { type: 'string' },
      'audit-key': { type: 'string' },
      insecure: { type: 'boolean' },
    });
    if (o.help) return help(HELP);
    const { host, port } = hostPort(o.listen ?? '127.0.0.1:7000', 'listen', true);
    // A real key store's own work is the service time; the simulated 40 ms stands in only for an echo server (issue 10 item 7).
    const serviceTime = parseServiceTime(o['service-time'] ?? (o.keys || o.token ? '0' : 'exp:40'));
    if (!serviceTime) throw new UsageError(`--service-time must be MS or exp:MS, got '${o['service-time']}'`);
    const slots = positiveInt(o.slots, 'slots', 4, 0, LIMITS.slots.max);
    const maxBody = positiveInt(o['max-body'], 'max-body', LIMITS.maxBody.default, LIMITS.maxBody.min, LIMITS.maxBody.max);
    const baudRate = positiveInt(o.baud, 'baud', 115200, LIMITS.baudRate.min, LIMITS.baudRate.max);
    const keyFiles = o.key ?? [];
    if (keyFiles.length === 0 && !o.insecure) throw new UsageError('give --key FILE (sealed links) or --insecure (plaintext, loopback only)');
    if (keyFiles.length > 0 && o.insecure) throw new UsageError('--key and --insecure exclude each other');
    if (o.insecure && !['127.0.0.1', 'localhost', '::1'].includes(host)) throw new UsageError(`--insecure listens only on a loopback address, not '${host}'`);
    let security: DataServerSecurity;
    try {
      security = o.insecure ? { kind: 'insecure' } : { kind: 'sealed', candidates: keyFiles.map((f) => ({ keyFile: f, keys: loadLinkKeys(f) })) };
      // Routers are told apart by the kid of their `open`: two key files for the same kid cannot both work.
      if (security.kind === 'sealed') {
        const kids = security.candidates.map((c) => c.keys.recipientId.toString('hex'));
        const twice = kids.find((k, i) => kids.indexOf(k) !== i);
        if (twice !== undefined) throw new UsageError(`two --key files expect the same router kid h'${twice}': make each pair with its own ids ('persomux keygen' picks random ones)`);
      }
    } catch (e) {
      if (!(e instanceof KeyFileError)) throw e;
      process.stderr.write(`persomux dataserver: --key ${e.message}\n`);
      return 1;
    }
    const log = createLogger({ level: parseLevel(o['log-level']) });
    if (o.keys && o.token) throw new UsageError('--keys (a file) and --token (PKCS#11) exclude each other');
    if (o.token && !o['pin-file']) throw new UsageError('--token needs --pin-file FILE');
    const keyBits = o['key-bits'] === undefined ? undefined : o['key-bits'] === '128' ? 128 : o['key-bits'] === '256' ? 256 : undefined;
    if (o['key-bits'] !== undefined && keyBits === undefined) throw new UsageError(`--key-bits must be 128 or 256, got '${o['key-bits']}'`);
    if (keyBits !== undefined && !o.token && !o.keys) throw new UsageError('--key-bits goes with a key store: --keys FILE or --token LABEL');
    let keyStore: (KeyStore & { available?(): Promise<boolean> }) | undefined;
    try {
      if (o.keys) {
        const store = await openFileKeyStore(o.keys);
        keyStore = store;
        // --key-bits is what the operator expects: a store of another length is refused, not served.
        const held = (['enc', 'mac'] as const).map((n) => store.keyLength(n)).find((b) => b !== keyBits); // the session keys' length (PROTOCOL.md 5)
        if (keyBits !== undefined && held !== undefined) {
          await store.close();
          throw new CommandError(`persomux dataserver: --key-bits ${keyBits}, but the key store ${o.keys} holds ${held}-bit master keys`);
        }
      }
      if (o.token) {
        // The token may be absent at start: the server then announces 0 slots until it is back.
        keyStore = await openPkcs11KeyStore({
          tokenLabel: o.token,
          pin: { file: o['pin-file']! },
          waitForToken: true,
          ...(o.module ? { modulePath: o.module } : {}),
          ...(keyBits ? { keyBits } : {}),
        });
      }
    } catch (e) {
      if (!(e instanceof StoreFileError || e instanceof Pkcs11ConfigError || e instanceof KeyUnavailableError)) throw e;
      process.stderr.write(`persomux dataserver: ${e.message}\n`);
      return 1;
    }
    if (Boolean(o.audit) !== Boolean(o['audit-key'])) throw new UsageError('--audit FILE and --audit-key FILE go together');
    let audit: AuditLog | undefined;
    try {
      if (o.audit) audit = await AuditLog.open(o.audit, loadAuditPrivateKey(o['audit-key']!));
    } catch (e) {
      if (!(e instanceof AuditLogError || e instanceof AuditKeyError)) throw e;
      process.stderr.write(`persomux dataserver: ${e.message}\n`);
      await keyStore?.close();
      return 1;
    }
    const ops = new Map([...REFERENCE_OPS, ...(keyStore ? cryptoOps(keyStore) : [])]);
    const server = new DataServer({ name: o.name ?? 'dataserver', slots, serviceTime, security, ops, ...(keyStore ? { keyStore } : {}), ...(audit ? { audit } : {}), maxBody, log });
    log.info('dataserver.start', { service: describeServiceTime(serviceTime), keyStore: keyStore ? String(keyStore) : 'none' });
    // The reason is the one `hsm init` gives (e.g. no token labelled 'NOPE'), not only that keys are unavailable.
    if (keyStore?.available && !(await keyStore.available())) server.keysUnavailable(keyStoreProblem(keyStore) ?? 'the key store cannot be reached at start');
    // Before maintenance an operator drains the server (kill -USR2), and resumes it the same way.
    const toggleDrain = (): void => (server.draining ? server.resume() : server.drain());
    process.on('SIGUSR2', toggleDrain);
    try {
      await server.listen(host, port);
    } catch (e) {
      throw new CommandError(`persomux dataserver: --listen ${host}:${port}: ${systemErrorMeaning(e) ?? (e as Error).message}`);
    }
    if (o.serial) {
      // Not awaited: a device that is missing now is opened when it appears (logged meanwhile).
      void server.openSerial({ path: o.serial, baudRate, dataBits: 8, parity: 'none', stopBits: 1, rtscts: false });
    }
    // Listening (and its serial line open): started, which is all READY=1 means here.
    const notify = startNotify({ healthy: () => true, log });
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    notify.stopping();
    process.off('SIGUSR2', toggleDrain);
    await server.close();
    audit?.close();
    await keyStore?.close();
    return 0;
  });
}
