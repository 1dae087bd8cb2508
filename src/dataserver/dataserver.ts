// The reference data server: the server side of PROTOCOL.md 2.2 over TCP
// connections and serial lines. This file composes the parts and owns the
// one number every router hears, the slots it announces:
//   connection.ts        one router's connection, its queue and slots
//   executor.ts          op execution behind the audit gate, counted by op
//   key-store-health.ts  the key store down / probing / back
//   listeners.ts         the TCP listener and serial lines
// Slots announced = the configured slots, or 0 while the key store cannot
// serve, the audit trail cannot be written, or an operator drains the server.
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { DEFAULT_DOOR_LIMITS, Door, type DoorLimits } from '../admission/door.js';
import type { SerialSettings } from '../config/types.js';
import type { Logger } from '../log/logger.js';
import { rateLimited } from '../log/rate-limit.js';
import { seededRandom } from '../util/random.js';
import { DEFAULT_MAX_BODY } from '../wire/frame.js';
import { REFERENCE_OPS } from './ops/echo.js';
import type { OpHandler } from './ops/op.js';
import { Connection, type ConnectionContext, type DataServerSecurity } from './connection.js';
import { OpExecutor, UNAUDITED, type AuditSink } from './executor.js';
import { KeyStoreHealth, probeKeyStore, type HealthChange, type ProbedKeyStore } from './key-store-health.js';
import { keepSerial, listenTcp, type TcpListener } from './listeners.js';
import { sampleServiceMs, type ServiceTime } from './service-time.js';
import type { Scheduler } from '../machines/scheduler.js';
import { systemScheduler } from '../timers/system-scheduler.js';

export type { DataServerSecurity } from './connection.js';
export type { AuditSink } from './executor.js';

export interface DataServerOptions {
  readonly name: string;
  readonly security?: DataServerSecurity;
  readonly slots: number;
  readonly serviceTime: ServiceTime;
  readonly ops?: ReadonlyMap<string, OpHandler>;
  /** The store behind the cryptographic ops: while it cannot serve, the server announces 0 slots. */
  readonly keyStore?: ProbedKeyStore;
  /** Where each answered op is recorded (the audit trail). */
  readonly audit?: AuditSink;
  /** Largest frame body accepted from a router (PROTOCOL.md 1 maxBody; default 4096). */
  readonly maxBody?: number;
  readonly seed?: number;
  /** Who waits at the TCP listener's door (admission/door.ts; default 16 unauthenticated, 4 per address, 64 routers). */
  readonly door?: DoorLimits;
  /** The clock and timers of the links, the service time and the key-store probe (default: Node's). */
  readonly scheduler?: Scheduler;
  readonly log: Logger;
}

export class DataServer {
  readonly slots: number;
  private readonly executor: OpExecutor;
  private readonly health: KeyStoreHealth;
  private readonly connections = new Set<Connection>();
  private readonly door: Door<Connection>;
  private tcpLog: Logger | undefined;
  private readonly serials: { stop(): void }[] = [];
  private readonly context: ConnectionContext;
  private tcp: TcpListener | undefined;
  private drained = false;

  constructor(private readonly options: DataServerOptions) {
    const { log } = options;
    const scheduler = options.scheduler ?? systemScheduler;
    const random = seededRandom(options.seed ?? Date.now());
    this.slots = options.slots;
    this.door = new Door(options.door ?? DEFAULT_DOOR_LIMITS);
    this.executor = new OpExecutor({
      ops: options.ops ?? REFERENCE_OPS,
      ...(options.audit ? { audit: options.audit } : {}),
      log,
      onKeyUnavailable: (why) => this.health.failed(why),
      onAuditFailed: () => this.stopTakingWork(UNAUDITED.err.code, UNAUDITED.err.msg),
    });
    this.health = new KeyStoreHealth({ scheduler, probe: () => probeKeyStore(options.keyStore), onChange: (change) => this.keyStoreChanged(change) });
    this.context = {
      maxBody: options.maxBody ?? DEFAULT_MAX_BODY,
      security: options.security ?? { kind: 'insecure' },
      scheduler,
      log,
      announcedSlots: () => this.announcedSlots,
      opNames: () => this.executor.opNames(),
      serviceMs: () => sampleServiceMs(options.serviceTime, random),
      execute: (work) => this.executor.execute(work),
    };
  }

  /** Slots offered now (PROTOCOL.md 2.2, `slots` 0 = drain). */
  get announcedSlots(): number {
    return this.health.available && this.executor.auditing && !this.drained ? this.slots : 0;
  }

  /** Requests executed, by op (a retransmission the router answered from its cache is not); logged when the server closes. */
  get executions(): ReadonlyMap<string, number> {
    return this.executor.executions;
  }

  /** Requests executed, all ops. */
  get totalExecutions(): number {
    let n = 0;
    for (const v of this.executions.values()) n += v;
    return n;
  }

  /** The key store failed (or cannot be reached at start): 0 slots until a probe finds it back. */
  keysUnavailable(why: string): void {
    this.health.failed(why);
  }

  get draining(): boolean {
    return this.drained;
  }

  /** An operator's drain: 0 slots announced, so routers send their work elsewhere; what is in hand finishes. */
  drain(): void {
    if (this.drained) return;
    this.drained = true;
    this.options.log.info('dataserver.drain', { slots: 0 });
    this.announceAll();
  }

  /** Ends a drain: the slots are announced again (unless the key store or the audit trail still forbids). */
  resume(): void {
    if (!this.drained) return;
    this.drained = false;
    this.options.log.info('dataserver.resume', { slots: this.announcedSlots });
    this.announceAll();
  }

  /** Listens on TCP; resolves with the port (0 picks a free one). */
  async listen(host: string, port: number): Promise<number> {
    this.tcp = await listenTcp(host, port, (stream, kind) => this.attach(stream, kind));
    this.options.log.info('dataserver.listening', { name: this.options.name, host, port: this.tcp.port, slots: this.slots });
    return this.tcp.port;
  }

  /**
   * Serves one router on a serial line, reopened whenever the device comes
   * back; resolves once it is first open (a caller need not wait).
   */
  openSerial(settings: SerialSettings): Promise<void> {
    const kept = keepSerial(
      settings,
      (stream, kind) => {
        this.options.log.info('dataserver.serial', { name: this.options.name, path: settings.path, slots: this.slots });
        this.attach(stream, kind);
      },
      this.options.log,
      this.options.scheduler,
    );
    this.serials.push(kept);
    return kept.opened;
  }

  /** Drops every connection (work in service is not run), stops listening and probing; logs the work done by op. */
  async close(): Promise<void> {
    this.health.stop();
    for (const s of this.serials.splice(0)) s.stop();
    for (const c of [...this.connections]) c.close();
    const tcp = this.tcp;
    this.tcp = undefined;
    await tcp?.close();
    for (const [op, count] of this.executions) this.options.log.info('dataserver.executed', { name: this.options.name, op, count });
    this.options.log.info('dataserver.stopped', { name: this.options.name, executed: this.totalExecutions });
  }

  private keyStoreChanged(change: HealthChange): void {
    if (change.available) {
      this.options.log.info('dataserver.keys-available', { slots: this.slots });
      this.announceAll();
    } else {
      this.options.log.error('dataserver.keys-unavailable', { why: change.why, slots: 0 });
      this.stopTakingWork('key-unavailable', 'the key store cannot serve now');
    }
  }

  /** 0 slots to every router, and what waits at the server is answered now. */
  private stopTakingWork(code: string, msg: string): void {
    this.announceAll();
    for (const c of this.connections) c.failWaiting(code, msg);
  }

  private announceAll(): void {
    for (const c of this.connections) {
      c.announce();
      c.pump();
    }
  }

  private attach(stream: Duplex, kind: 'tcp' | 'serial'): void {
    const address = kind === 'tcp' ? ((stream as Socket).remoteAddress ?? 'unknown') : undefined;
    // Issue 11 item 4: what the TCP listener's connections log is within one budget, the listener's, never one per connection.
    this.tcpLog ??= rateLimited(this.options.log, { listener: `${this.options.name}:${this.tcp?.port ?? 'tcp'}` });
    const context = address === undefined ? this.context : { ...this.context, log: this.tcpLog.child({ from: address }) };
    const connection: Connection = new Connection(
      context,
      stream,
      kind,
      () => {
        this.connections.delete(connection);
        this.door.closed(connection);
      },
      () => this.door.authenticated(connection),
    );
    this.connections.add(connection);
    // Issue 11 item 1: connections that have not proved a key wait apart; a newcomer may replace the oldest of them.
    if (address === undefined) return;
    const room = this.door.arrived(connection, address);
    room?.conn.close(room.why);
  }
}
