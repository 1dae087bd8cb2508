// The reference data server: speaks the server side of PROTOCOL.md 2.2 over
// TCP connections and serial lines, works on at most `slots` requests at once,
// and counts every execution (tests use the count to prove at-most-once).
import { createServer, type Server, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { SerialSettings } from '../config/types.js';
import { openSerial } from '../serial-port.js';
import type { Logger } from '../log/logger.js';
import { seededRandom, type Random } from '../util/random.js';
import { DEFAULT_MAX_BODY } from '../wire/frame.js';
import { AcceptedLink, type AcceptSecurity, type Work } from '../links/accepted-link.js';
import type { LinkKeys } from '../keys/link-key-file.js';
import { REFERENCE_OPS } from './ops/echo.js';
import type { OpHandler, OpResult } from './ops/op.js';
import { KeyUnavailableError, type KeyStore } from './crypto/key-store.js';
import { sampleServiceMs, type ServiceTime } from './service-time.js';

/** The routers a data server accepts: by key file (sealed), or anyone on loopback (plaintext, tests). */
export type DataServerSecurity = AcceptSecurity<{ readonly keys: LinkKeys; readonly keyFile: string }>;

export interface DataServerOptions {
  readonly name: string;
  readonly security?: DataServerSecurity;
  readonly slots: number;
  readonly serviceTime: ServiceTime;
  readonly ops?: ReadonlyMap<string, OpHandler>;
  /** The store behind the cryptographic ops: while it cannot serve, the server announces 0 slots. */
  readonly keyStore?: KeyStore & { available?(): Promise<boolean> };
  /** Where each answered op is recorded (the audit trail). */
  readonly audit?: AuditSink;
  /** Largest frame body accepted from a router (PROTOCOL.md 1 maxBody; default 4096). */
  readonly maxBody?: number;
  readonly seed?: number;
  readonly log: Logger;
}

/** One record per answered op: who asked, what, about which card and key, and how it ended. Never key material. */
export interface AuditSink {
  append(entry: { station: string; op: string; csn?: Uint8Array; keyId?: string; outcome: string }): void;
}

const MAX_CONNECTIONS = 64;

/** The answer of a server that cannot write its audit trail: no keys go out that it cannot account for. */
const UNAUDITED = { ok: false, err: { code: 'key-unavailable', msg: 'the audit trail cannot be written: nothing is answered that it cannot record' } } as const;

/** How often a server whose key store failed checks whether it is back. */
const KEY_STORE_PROBE_MS = 1_000;

/** One router's connection: its own slots, queue and timers. */
class Session {
  private active = 0;
  private readonly waiting: Work[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  readonly link: AcceptedLink<{ readonly keys: LinkKeys; readonly keyFile: string }>;

  constructor(
    private readonly server: DataServer,
    stream: Duplex,
    kind: 'tcp' | 'serial',
    log: Logger,
    onClosed: () => void,
  ) {
    this.link = new AcceptedLink(stream, kind, server.maxBody, server.security, {
      open: () => this.announce(),
      authenticated: (who) => {
        if (who) log.info('dataserver.router-connected', { keyFile: who.keyFile });
      },
      request: (work) => {
        this.waiting.push(work);
        this.startWaiting();
      },
      closed: () => {
        for (const t of this.timers) clearTimeout(t);
        this.timers.clear();
        onClosed();
      },
    }, log);
  }

  announce(): void {
    this.link.send({ t: 'ready', slots: this.server.announcedSlots, ops: this.server.opNames() });
  }

  close(): void {
    this.link.close();
  }

  startWaiting(): void {
    while (this.active < this.server.announcedSlots && this.waiting.length > 0) this.start(this.waiting.shift()!);
  }

  /** The server stopped taking work: what waits here is answered now, not left to time out. */
  failWaiting(code: string, msg: string): void {
    for (const work of this.waiting.splice(0)) this.link.send({ t: 'res', id: work.id, ok: false, err: { code, msg } });
  }

  private start(work: Work): void {
    this.active++;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.server.execute(work).then((result) => {
        this.active--;
        this.link.send(result.ok ? { t: 'res', id: work.id, ok: true, body: result.body } : { t: 'res', id: work.id, ok: false, err: result.err });
        this.startWaiting();
      });
    }, this.server.serviceMs());
    this.timers.add(timer);
  }
}

export class DataServer {
  /** Requests executed, by op; the proof that a retransmission ran once. */
  readonly executions = new Map<string, number>();
  slots: number;
  private readonly ops: ReadonlyMap<string, OpHandler>;
  private readonly random: Random;
  private readonly sessions = new Set<Session>();
  private tcp: Server | undefined;
  private keysAvailable = true;
  private auditBroken = false;
  private probeTimer: NodeJS.Timeout | undefined;
  private closed = false;

  readonly security: DataServerSecurity;

  constructor(private readonly options: DataServerOptions) {
    this.security = options.security ?? { kind: 'insecure' };
    this.slots = options.slots;
    this.ops = options.ops ?? REFERENCE_OPS;
    this.random = seededRandom(options.seed ?? Date.now());
  }

  get totalExecutions(): number {
    let n = 0;
    for (const v of this.executions.values()) n += v;
    return n;
  }

  opNames(): string[] {
    return [...this.ops.keys()];
  }

  serviceMs(): number {
    return sampleServiceMs(this.options.serviceTime, this.random);
  }

  /** Slots offered now: none while the key store cannot serve (PROTOCOL.md 2.2, `slots` 0 = drain). */
  get maxBody(): number {
    return this.options.maxBody ?? DEFAULT_MAX_BODY;
  }

  get announcedSlots(): number {
    return this.keysAvailable && !this.auditBroken ? this.slots : 0;
  }

  async execute(work: Work): Promise<OpResult> {
    const handler = this.ops.get(work.op);
    this.options.log.debug('dataserver.execute', { op: work.op, id: work.id, station: work.station });
    let result: OpResult;
    if (!handler) {
      result = { ok: false, err: { code: 'unknown-op', msg: `op '${work.op}' is not served here` } };
    } else {
      this.executions.set(work.op, (this.executions.get(work.op) ?? 0) + 1);
      try {
        result = await handler(work.body, { op: work.op, station: work.station });
      } catch (e) {
        // An op that fails unexpectedly still answers: the router is owed exactly one res.
        this.options.log.error('dataserver.op-failed', { op: work.op, error: e instanceof KeyUnavailableError ? e.message : (e as Error).name });
        result = { ok: false, err: { code: e instanceof KeyUnavailableError ? 'key-unavailable' : 'internal', msg: `op '${work.op}' failed` } };
      }
    }
    if (!result.ok && result.err.code === 'key-unavailable') this.keysUnavailable(result.detail ?? result.err.msg);
    return this.record(work, result);
  }

  /**
   * One audit record per answered op. A server that can no longer audit stops
   * taking work (0 slots) until it is restarted: it must not hand out keys
   * nobody can account for. The answer already computed is still sent.
   */
  private record(work: Work, result: OpResult): OpResult {
    const audit = this.options.audit;
    if (!audit) return result;
    if (this.auditBroken) return UNAUDITED;
    try {
      audit.append({
        station: work.station,
        op: work.op,
        ...(result.audit?.csn ? { csn: result.audit.csn } : {}),
        ...(result.audit?.keyId ? { keyId: result.audit.keyId } : {}),
        outcome: result.ok ? 'ok' : result.err.code,
      });
      return result;
    } catch (e) {
      this.auditBroken = true;
      this.options.log.error('dataserver.audit-failed', { why: (e as Error).message, slots: 0 });
      this.announceAll();
      for (const s of this.sessions) s.failWaiting(UNAUDITED.err.code, UNAUDITED.err.msg);
      return UNAUDITED;
    }
  }

  /** The key store failed: stop taking work (ready with 0 slots) until a probe finds it back. */
  keysUnavailable(why: string): void {
    if (!this.keysAvailable) return;
    this.keysAvailable = false;
    this.options.log.error('dataserver.keys-unavailable', { why, slots: 0 });
    this.announceAll();
    for (const s of this.sessions) s.failWaiting('key-unavailable', 'the key store cannot serve now');
    const probe = async (): Promise<void> => {
      const store = this.options.keyStore;
      let back = false;
      try {
        back = store ? (store.available ? await store.available() : (await store.issuerPublicKey(), true)) : true;
      } catch {
        back = false;
      }
      if (this.closed) return;
      if (!back) {
        this.probeTimer = setTimeout(() => void probe(), KEY_STORE_PROBE_MS);
        return;
      }
      this.keysAvailable = true;
      this.options.log.info('dataserver.keys-available', { slots: this.slots });
      this.announceAll();
    };
    this.probeTimer = setTimeout(() => void probe(), KEY_STORE_PROBE_MS);
  }

  private announceAll(): void {
    for (const s of this.sessions) {
      s.announce();
      s.startWaiting();
    }
  }

  /** Listens on TCP; resolves with the port (0 picks a free one). */
  listen(host: string, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const server = createServer((socket: Socket) => {
        socket.setNoDelay(true);
        this.attach(socket, 'tcp');
      });
      // A data server serves a few routers: a flood of connections is refused.
      server.maxConnections = MAX_CONNECTIONS;
      this.tcp = server;
      server.once('error', reject);
      server.listen(port, host, () => {
        const address = server.address();
        const bound = typeof address === 'object' && address ? address.port : port;
        this.options.log.info('dataserver.listening', { name: this.options.name, host, port: bound, slots: this.slots });
        resolve(bound);
      });
    });
  }

  /** Serves one router on a serial line (opened now; not reopened). */
  openSerial(settings: SerialSettings): Promise<void> {
    return new Promise((resolve, reject) => {
      const port = openSerial(settings);
      port.open((err) => {
        if (err) return reject(err);
        this.options.log.info('dataserver.serial', { name: this.options.name, path: settings.path, slots: this.slots });
        this.attach(port, 'serial');
        resolve();
      });
    });
  }

  /** Announces a new slot count to every router (`ready` again, 2.2). */
  setSlots(slots: number): void {
    this.slots = slots;
    this.announceAll();
  }

  /** Drops every connection at once, mid-request, as a crash would; keeps listening. */
  dropConnections(): void {
    for (const s of [...this.sessions]) s.close();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.probeTimer);
    this.dropConnections();
    const tcp = this.tcp;
    this.tcp = undefined;
    if (tcp) await new Promise<void>((resolve) => tcp.close(() => resolve()));
  }

  private attach(stream: Duplex, kind: 'tcp' | 'serial'): void {
    const session: Session = new Session(this, stream, kind, this.options.log, () => this.sessions.delete(session));
    this.sessions.add(session);
  }
}
