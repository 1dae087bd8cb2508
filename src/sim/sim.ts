// The simulated site: reference data servers on loopback TCP, station lines
// on socat pseudo-terminals, and the real router between them, reading a real
// configuration file written for the run.
import { readSecretFile } from '../keys/secret-file.js';
import { createPublicKey, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../config/load.js';
import { DataServer } from '../dataserver/dataserver.js';
import type { ServiceTime } from '../dataserver/service-time.js';
import type { Logger } from '../log/logger.js';
import { Router } from '../router/router.js';
import { createFileKeyStore, openFileKeyStore } from '../dataserver/crypto/file-key-store.js';
import type { KeyStore } from '../dataserver/crypto/key-store.js';
import { cryptoOps } from '../dataserver/ops/crypto-ops.js';
import { REFERENCE_OPS } from '../dataserver/ops/echo.js';
import { seededRandom } from '../util/random.js';
import { manufactureCardFromMasters } from './card/virtual-card.js';
import { AuditLog } from '../audit/audit-log.js';
import { createAuditKey, loadAuditPrivateKey, loadAuditPublicKey } from '../audit/audit-key.js';
import { verifyAuditLog, type AuditVerifyResult } from '../audit/verify.js';
import { loadLinkKeys, writeKeyPair } from '../keys/link-key-file.js';
import { PtyPair, ptyPairs } from './pty-pair.js';
import { simScratch } from './scratch.js';
import { SimStation } from './sim-station.js';
import { Counter } from './stats.js';
import { timedOps, type TimedOps } from './op-timing.js';
import { staticServerIndex } from '../site/site.js';

export interface SimOptions {
  readonly machines: number;
  readonly stationsPerMachine: number;
  readonly servers: number;
  readonly slots: number;
  readonly serviceTime: ServiceTime;
  readonly seconds: number;
  readonly chipMs: number;
  readonly retransmitMs: number;
  readonly seed: number;
  /** 1: one router; 2: two cascaded routers, the servers on box B, half the machines on each. */
  readonly boxes: 1 | 2;
  /** A data server (e.g. 'ds2') given a wrong master key (K-MAC), to show what the cards then do. */
  readonly wrongKeyServer?: string;
  /** Master key length of the simulated key store. */
  readonly keyBits: 128 | 256;
  /** Site shapes (src/sim/site-options.ts): per station, in line order, its time before each request; chipMs when absent. */
  readonly stationChipMs?: readonly number[];
  /** Per-op service times; ops not named take serviceTime. */
  readonly opServiceTimes?: ReadonlyMap<string, ServiceTime>;
  /** Per data server: 1 nominal, 0.5 twice as slow. */
  readonly serverSpeed?: readonly number[];
  /** static: line i bound to data server i mod servers (lines[].servers). Default dynamic. */
  readonly binding?: 'dynamic' | 'static';
  /** The times above were divided by this (for the report). */
  readonly timeScale?: number;
}

export const DEFAULT_SIM: SimOptions = {
  machines: 4,
  stationsPerMachine: 6,
  servers: 2,
  slots: 4,
  serviceTime: { kind: 'exp', meanMs: 40 },
  seconds: 30,
  chipMs: 5,
  retransmitMs: 2_000,
  seed: 1,
  boxes: 1,
  keyBits: 128,
};

export interface Progress {
  readonly elapsedS: number;
  readonly cards: number;
  readonly rejected: number;
  readonly requests: number;
  readonly queued: number;
  readonly servers: readonly { name: string; busy: number; slots: number }[];
}

export interface SimResult {
  readonly options: SimOptions;
  /** Station name -> the box its line is on. */
  readonly boxOf: ReadonlyMap<string, 'a' | 'b'>;
  readonly elapsedS: number;
  readonly stations: readonly SimStation[];
  readonly waitsMs: readonly number[];
  readonly roundTripsMs: readonly number[];
  readonly routerErrors: Counter<string>;
  readonly served: Counter<string>;
  /** Each data server's audit trail, verified after the run. */
  readonly audits: readonly { server: string; result: AuditVerifyResult }[];
  /** Why the run ended before its time (the abort reason), if it did. */
  readonly stoppedEarly?: string;
  /** The folder the run was kept in (`--keep`). */
  readonly keptIn?: string;
}

/** How a run is stopped early and where it is kept (the simulator's lifecycle, src/cli/sim.ts). */
export interface SimRun {
  /** Aborted: the run stops now and reports what it has (a signal, a closed stdout). */
  readonly signal?: AbortSignal;
  /** Keep the configuration, keys and audit trails in this new or empty folder. */
  readonly keepDir?: string;
  /** Called once the (first) router started, e.g. to show its front panel; what it returns is awaited. */
  readonly onRouter?: (router: Router) => Promise<unknown>;
}

export const stationName = (machine: number, station: number): string => `m${machine}-s${station}`;

/** Which box a machine's stations hang off: with two boxes, the first half of the machines is on box A. */
function boxOfMachine(options: SimOptions, machine: number): 'a' | 'b' {
  return options.boxes === 2 && machine <= Math.ceil(options.machines / 2) ? 'a' : 'b';
}

export async function runSimulation(options: SimOptions, log: Logger, onProgress: (p: Progress) => void, run: SimRun = {}): Promise<SimResult> {
  const scratch = simScratch(run.keepDir);
  const servers: DataServer[] = [];
  const lines: { name: string; box: 'a' | 'b' }[] = [];
  for (let m = 1; m <= options.machines; m++) for (let s = 1; s <= options.stationsPerMachine; s++) lines.push({ name: stationName(m, s), box: boxOfMachine(options, m) });
  let pairs = new Map<string, PtyPair>();
  const routers: Router[] = [];
  const stations: SimStation[] = [];
  const keyStores: KeyStore[] = [];
  const audits: { server: string; file: string; log: AuditLog }[] = [];
  const timings: TimedOps[] = [];
  try {
    // Every link of the site is sealed (PROTOCOL.md 3), each with its own key pair.
    const keyPair = (name: string): { router: string; other: string } => {
      const files = { router: join(scratch.dir, `${name}.router.key`), other: join(scratch.dir, `${name}.other.key`) };
      writeKeyPair(files.router, files.other, Buffer.of(1), Buffer.of(2));
      return files;
    };
    // The master keys: the chip maker diversified every card's keys from them, and the data servers hold them.
    const keyFile = join(scratch.dir, 'master-keys.json');
    const keyStore = await createFileKeyStore(keyFile, options.keyBits);
    keyStores.push(keyStore);
    const masters = JSON.parse(readSecretFile(keyFile)) as Record<string, string>;
    const issuerPublicKey = createPublicKey({ key: (await keyStore.issuerPublicKey()).spki, format: 'der', type: 'spki' });
    // Each data server keeps an audit trail, checked at the end of the run.
    const auditKey = { private: join(scratch.dir, 'audit.key'), public: join(scratch.dir, 'audit.pub') };
    createAuditKey(auditKey.private, auditKey.public);
    const serverEntries: object[] = [];
    for (let i = 1; i <= options.servers; i++) {
      const auditFile = join(scratch.dir, `ds${i}.audit.jsonl`);
      const audit = await AuditLog.open(auditFile, loadAuditPrivateKey(auditKey.private), { fsync: false });
      audits.push({ server: `ds${i}`, file: auditFile, log: audit });
      const keys = keyPair(`ds${i}`);
      let store = keyStore;
      if (options.wrongKeyServer === `ds${i}`) {
        // The same keys but a wrong masterMac: what a mistyped key ceremony would give.
        const wrongFile = join(scratch.dir, `master-keys-ds${i}.json`);
        writeFileSync(wrongFile, JSON.stringify({ ...masters, masterMac: randomBytes(options.keyBits / 8).toString('hex') }), { mode: 0o600 });
        store = await openFileKeyStore(wrongFile);
        keyStores.push(store);
      }
      // Service times per op and server speed are applied around the ops (src/sim/op-timing.ts).
      const random = seededRandom(options.seed * 7919 + i);
      const timing = timedOps(new Map([...REFERENCE_OPS, ...cryptoOps(store)]), { byOp: options.opServiceTimes ?? new Map(), fallback: options.serviceTime, speed: options.serverSpeed?.[i - 1] ?? 1, random });
      timings.push(timing);
      const ds = new DataServer({
        name: `ds${i}`,
        slots: options.slots,
        serviceTime: { kind: 'fixed', ms: 0 },
        ops: timing.ops,
        keyStore: store,
        audit,
        security: { kind: 'sealed', candidates: [{ keyFile: keys.other, keys: loadLinkKeys(keys.other) }] },
        seed: options.seed + i,
        log: log.child({ ds: `ds${i}` }),
      });
      const port = await ds.listen('127.0.0.1', 0);
      servers.push(ds);
      serverEntries.push({ name: `ds${i}`, tcp: `127.0.0.1:${port}`, slots: options.slots, keyFile: keys.router });
    }
    pairs = await ptyPairs(scratch.dir, lines.map((l) => l.name));
    const bound = (l: (typeof lines)[number]) => (options.binding === 'static' ? { servers: [`ds${staticServerIndex(lines.indexOf(l), options.servers) + 1}`] } : {});
    const linesOf = (box: 'a' | 'b') => lines.filter((l) => l.box === box).map((l) => ({ name: l.name, path: pairs.get(l.name)!.routerPath, ...bound(l) }));
    const ops = Object.fromEntries(['echo', 'transport-key', 'session-keys', 'certificate', 'issuer-key'].map((op) => [op, { ttlMs: 10_000, retry: true, ...(op === 'transport-key' ? { startsCard: true } : {}) }]));
    const peerKeys = options.boxes === 2 ? keyPair('peer') : undefined;
    const boxB = {
      router: options.boxes === 2 ? 'box-b' : 'sim-box',
      lines: linesOf('b'),
      servers: serverEntries,
      ops,
      // The status page of the box the servers hang off, on a free port, with its state in the scratch folder.
      status: { listen: '127.0.0.1:0' },
      stateDir: join(scratch.dir, 'state'),
      ...(peerKeys ? { peerPort: { listen: '127.0.0.1:0', lendSlots: options.servers * options.slots, peers: [{ name: 'box-a', keyFile: peerKeys.other }] } } : {}),
    };
    const configFile = join(scratch.dir, `${boxB.router}.json`);
    writeFileSync(configFile, JSON.stringify(boxB, null, 2));
    routers.push(new Router(loadConfig(configFile), log.child({ box: boxB.router })));
    routers[0]!.start();
    await run.onRouter?.(routers[0]!);
    if (peerKeys) {
      const peerPort = await routers[0]!.peerPortNumber();
      const boxA = { router: 'box-a', lines: linesOf('a'), servers: [{ name: 'box-b', tcp: `127.0.0.1:${peerPort}`, slots: options.servers * options.slots, keyFile: peerKeys.router }], ops };
      const fileA = join(scratch.dir, 'box-a.json');
      writeFileSync(fileA, JSON.stringify(boxA, null, 2));
      routers.push(new Router(loadConfig(fileA), log.child({ box: 'box-a' })));
      routers[1]!.start();
    }
    const waits: number[] = [];
    const roundTrips: number[] = [];
    const routerErrors = new Counter<string>();
    const served = new Counter<string>();
    for (const router of routers) {
      router.onNote((n) => {
        if (n.event === 'dispatched') {
          waits.push(n.waitMs);
          served.add(n.server);
        } else if (n.event === 'answered' && !n.line.startsWith('peer:')) {
          roundTrips.push(n.totalMs);
          if (n.outcome !== 'ok') routerErrors.add(n.outcome);
        } else if (n.event === 'rejected') {
          routerErrors.add(n.code);
        }
      });
    }
    await waitUntil(
      () =>
        routers.every((r) => {
          const status = r.snapshot();
          return status.lines.every((l) => l.phase === 'open') && status.dispatch.servers.length === status.servers.length && status.dispatch.servers.every((s) => s.available);
        }),
      10_000,
    );

    const hex = (k: string): Buffer => Buffer.from(masters[k]!, 'hex');
    lines.forEach(({ name }, i) => {
      const random = seededRandom(options.seed * 1000 + i);
      const randomBytesOf = (n: number): Buffer => Buffer.from(Array.from({ length: n }, () => Math.floor(random() * 256)));
      stations.push(
        new SimStation({
          name,
          path: pairs.get(name)!.peerPath,
          chipMs: options.stationChipMs?.[i] ?? options.chipMs,
          retransmitMs: options.retransmitMs,
          idBase: (i + 1) * 10_000_000,
          stationNumber: i + 1,
          random: randomBytesOf,
          manufacture: (csn) =>
            manufactureCardFromMasters({ csn, transportMasterKey: hex('transportMasterKey'), masterEnc: hex('masterEnc'), masterMac: hex('masterMac'), issuerPublicKey, random: randomBytesOf }),
        }),
      );
    });
    // Every station opens at once, as when a machine is switched on.
    await Promise.all(stations.map((s) => s.start()));
    const started = Date.now();
    const ticker = setInterval(() => {
      const status = routers.map((r) => r.snapshot().dispatch);
      onProgress({
        elapsedS: (Date.now() - started) / 1000,
        cards: stations.reduce((n, s) => n + s.cards, 0),
        rejected: stations.reduce((n, s) => n + s.rejected.total, 0),
        requests: stations.reduce((n, s) => n + s.requests, 0),
        queued: status.reduce((n, st) => n + [...st.queued.values()].reduce((a, b) => a + b, 0), 0),
        servers: status[0]!.servers.map((s) => ({ name: s.name, busy: s.busy, slots: s.slots })),
      });
    }, 1000);
    await sleepUnlessAborted(options.seconds * 1000, run.signal);
    clearInterval(ticker);
    const elapsedS = (Date.now() - started) / 1000;
    await Promise.all(stations.map((s) => s.stop()));
    // Let the servers finish what they hold, then close and verify the audit trails.
    for (const router of routers.reverse()) router.stop();
    routers.length = 0;
    for (const ds of servers) await ds.close();
    const publicKey = loadAuditPublicKey(auditKey.public);
    const auditResults = audits.map(({ server, file, log: auditLog }) => {
      auditLog.close();
      return { server, result: verifyAuditLog(readFileSync(file, 'utf8'), publicKey) };
    });
    audits.length = 0;
    const early = run.signal?.aborted ? { stoppedEarly: String(run.signal.reason) } : {};
    return { options, elapsedS, audits: auditResults, stations, boxOf: new Map(lines.map((l) => [l.name, l.box])), waitsMs: waits, roundTripsMs: roundTrips, routerErrors, served, ...early, ...(scratch.kept ? { keptIn: scratch.dir } : {}) };
  } finally {
    for (const t of timings) t.stop();
    for (const router of routers.reverse()) router.stop();
    for (const ds of servers) await ds.close();
    for (const store of keyStores) await store.close();
    for (const a of audits) a.log.close();
    for (const p of pairs.values()) await p.kill();
    scratch.finish();
  }
}

function sleepUnlessAborted(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });
}

async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error('the simulated site did not come up: lines or data servers are not ready');
    await new Promise((r) => setTimeout(r, 20));
  }
}
