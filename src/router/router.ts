// Wires a configuration into a running router: station lines and server
// links at the edges, the dispatcher in the middle, and one effect runner
// between them. `persomux run` and the simulator both build exactly this.
// Everything a view may know goes out through the status seam (events.ts):
// `onEvent`, `snapshot`, `health`.
import type { RouterConfig } from '../config/types.js';
import { Dispatcher, OVERDUE_GRACE_MS } from '../dispatch/dispatcher.js';
import type { Effect, Note } from '../dispatch/types.js';
import { serialDevices, StationLine, type LineDevices } from '../lines/station-line.js';
import { ServerLink, type Connector } from '../links/server-link.js';
import { openTransport } from '../links/transport.js';
import type { Logger } from '../log/logger.js';
import type { StationEvent } from '../wire/station-codec.js';
import { PeerPort } from '../peers/peer-port.js';
import { LIMITS } from '../config/limits.js';
import { SEALING_OVERHEAD } from '../secure/cose.js';
import { describeAddress } from '../links/transport.js';
import type { Scheduler } from '../machines/scheduler.js';
import { systemScheduler } from '../timers/system-scheduler.js';
import { DeadlineTimer } from './deadline-timer.js';
import { NoteLog } from './note-log.js';
import type { DrainCause, RouterEvent, RouterEventListener, RouterPhase, RouterSnapshot } from './events.js';

/**
 * What the router runs on: real time, serial devices and sockets by default;
 * a fake clock, in-memory ports and in-memory links in the middle tier of tests.
 */
export interface RouterEdges {
  readonly scheduler: Scheduler;
  readonly lineDevices: LineDevices;
  readonly connector: Connector;
}

const REAL_EDGES: RouterEdges = { scheduler: systemScheduler, lineDevices: serialDevices, connector: (config) => openTransport(config.address) };

export class Router {
  readonly dispatcher: Dispatcher;
  private readonly lines = new Map<string, StationLine>();
  private readonly links = new Map<string, ServerLink>();
  readonly peerPort: PeerPort | undefined;
  private peerListening: Promise<number | undefined> | undefined;
  private readonly deadline: DeadlineTimer;
  private readonly notes: NoteLog;
  private readonly noteListeners: ((note: Note) => void)[] = [];
  private readonly eventListeners: RouterEventListener[] = [];
  private statusTimer: NodeJS.Timeout | undefined;
  private phase: RouterPhase = 'starting';
  private readonly stations = new Map<string, string>();
  private readonly drained = new Map<string, DrainCause>();
  private readonly cardOps: readonly string[];

  private readonly scheduler: Scheduler;

  constructor(
    readonly config: RouterConfig,
    private readonly log: Logger,
    edges: Partial<RouterEdges> = {},
  ) {
    const { scheduler, lineDevices, connector } = { ...REAL_EDGES, ...edges };
    this.scheduler = scheduler;
    const now = () => scheduler.now();
    this.notes = new NoteLog(log);
    this.deadline = new DeadlineTimer(scheduler, (at) => this.run(this.dispatcher.tick(at)));
    this.cardOps = [...config.ops].filter(([, p]) => p.startsCard).map(([op]) => op);
    this.dispatcher = new Dispatcher({
      ops: config.ops,
      defaultPolicy: config.defaultOp,
      routerName: config.router,
      startedAt: now(),
      maxServerBody: Math.min(...config.servers.map((s) => s.maxBody - (s.security.kind === 'sealed' ? SEALING_OVERHEAD : 0)), LIMITS.maxBody.max),
      maxTtlMs: LIMITS.ttlMs.max,
    });
    for (const lc of config.lines) {
      this.dispatcher.addLine(lc.name, { maxOutstanding: lc.maxOutstanding, kind: 'station' });
      const line = new StationLine(
        lc,
        {
          up: () => this.dispatcher.lineUp(lc.name),
          down: () => this.run(this.dispatcher.lineDown(lc.name)),
          event: (e) => this.fromStation(lc.name, e),
          phase: (phase, why) => this.emit({ kind: 'line', line: lc.name, phase, ...(why === undefined ? {} : { why }) }),
          traffic: (direction, bytes) => this.emit({ kind: 'traffic', line: lc.name, direction, bytes }),
        },
        log.child({ line: lc.name }),
        scheduler,
        lineDevices,
      );
      this.lines.set(lc.name, line);
    }
    if (config.peerPort) {
      const peers = new PeerPort(
        config.peerPort,
        {
          lineUp: (line) => this.dispatcher.lineUp(line),
          lineDown: (line) => this.run(this.dispatcher.lineDown(line)),
          forget: (line) => this.run(this.dispatcher.hello(line)),
          request: (line, work) => this.run(this.dispatcher.request(line, { id: work.id, op: work.op, body: work.body, ttl: work.ttl, station: work.station }, now())),
        },
        log.child({ port: 'peers' }),
      );
      // A peer never has more in flight than the slots lent to it (2.2 rule 1).
      for (const line of peers.lineNames) this.dispatcher.addLine(line, { maxOutstanding: Math.max(1, config.peerPort.lendSlots), kind: 'peer' });
      this.peerPort = peers;
    }
    for (const sc of config.servers) {
      const link = new ServerLink(
        sc,
        config.pingIntervalMs,
        {
          connected: () => this.run(this.dispatcher.serverConnected(sc.name, now())),
          message: (msg) => {
            if (msg.t === 'ready') {
              if (msg.slots !== sc.slots) log.info('server.slots-differ', { server: sc.name, configured: sc.slots, announced: msg.slots });
              this.run(this.dispatcher.serverReady(sc.name, msg.slots, msg.ops, now()));
            } else {
              const outcome = msg.ok ? { ok: true as const, body: msg.body } : { ok: false as const, err: msg.err };
              this.run(this.dispatcher.serverAnswer(sc.name, msg.id, outcome, now()));
            }
          },
          down: () => this.run(this.dispatcher.serverDown(sc.name, now())),
          phase: (phase, why) => this.emit({ kind: 'link', server: sc.name, phase, ...(why === undefined ? {} : { why }) }),
          handshake: () => this.emit({ kind: 'handshake', server: sc.name }),
          dropped: (reason) => this.emit({ kind: 'link-drop', server: sc.name, reason }),
          rehandshakeDue: (why) => {
            log.info('server.rehandshake-due', { server: sc.name, why });
            if (!this.drained.has(sc.name)) this.drained.set(sc.name, 'rehandshake');
            this.emit({ kind: 'drain', server: sc.name, draining: true, cause: 'rehandshake' });
            // Its requests may take up to the longest ttl: wait that long (a few seconds more) for them.
            this.run(this.dispatcher.drainServer(sc.name, now(), { rehandshakeBy: now() + this.longestTtlMs() + OVERDUE_GRACE_MS }));
          },
        },
        log.child({ server: sc.name }),
        scheduler,
        connector,
      );
      this.links.set(sc.name, link);
    }
  }

  start(): void {
    this.log.info('router.start', { router: this.config.router, config: this.config.file, lines: this.lines.size, servers: this.links.size });
    for (const link of this.links.values()) link.start();
    for (const line of this.lines.values()) line.start();
    this.peerListening = this.peerPort?.listen().catch((e: Error) => {
      this.log.error('peers.cannot-listen', { error: e.message });
      return undefined;
    });
    this.setPhase('running');
  }

  /** The TCP port the peer port listens on, once it does (undefined without one). */
  peerPortNumber(): Promise<number | undefined> {
    return this.peerListening ?? Promise.resolve(undefined);
  }

  /** Logs a one-line summary every `everyMs`, for an operator reading the journal. */
  logStatusEvery(everyMs: number): void {
    clearInterval(this.statusTimer);
    this.statusTimer = setInterval(() => this.log.info('router.status', this.summary()), everyMs);
  }

  /** The router at a glance: lines, servers, queue, answers by outcome. */
  summary(): Record<string, string | number> {
    const s = this.snapshot();
    const available = s.dispatch.servers.filter((x) => x.available);
    const queued = [...s.dispatch.queued.values()].reduce((a, b) => a + b, 0);
    const errors = [...this.notes.outcomes].filter(([k]) => k !== 'ok');
    return {
      lines: `${s.lines.filter((l) => l.phase === 'open').length}/${s.lines.length}`,
      servers: `${available.length}/${s.servers.length}`,
      slots: `${available.reduce((n, x) => n + x.busy, 0)}/${available.reduce((n, x) => n + x.slots, 0)}`,
      queued,
      answered: this.notes.outcomes.get('ok') ?? 0,
      errors: errors.length === 0 ? 'none' : errors.map(([k, v]) => `${k}:${v}`).join(','),
    };
  }

  stop(): void {
    if (this.phase === 'stopped') return;
    this.setPhase('stopping');
    clearInterval(this.statusTimer);
    this.deadline.disarm();
    for (const line of this.lines.values()) line.stop();
    for (const link of this.links.values()) link.stop();
    void this.peerPort?.close();
    this.log.info('router.stop', { router: this.config.router });
    this.setPhase('stopped');
  }

  /** Every dispatcher note, for statistics (the simulator's report). */
  onNote(listener: (note: Note) => void): void {
    this.noteListeners.push(listener);
  }

  // ---- the status seam (events.ts) ---------------------------------------

  /** Every event from now on, in order, with the monotonic time it happened at. Returns an unsubscribe. */
  onEvent(listener: RouterEventListener): () => void {
    this.eventListeners.push(listener);
    return () => {
      const i = this.eventListeners.indexOf(listener);
      if (i >= 0) this.eventListeners.splice(i, 1);
    };
  }

  snapshot(): RouterSnapshot {
    return {
      router: this.config.router,
      phase: this.phase,
      lines: this.config.lines.map((lc) => {
        const station = this.stations.get(lc.name);
        return { name: lc.name, path: lc.serial.path, protocol: lc.protocol, phase: this.lines.get(lc.name)!.state, ...(station === undefined ? {} : { station }) };
      }),
      servers: this.config.servers.map((sc) => {
        const drainedBy = this.drained.get(sc.name);
        return {
          name: sc.name,
          address: describeAddress(sc.address),
          sealed: sc.security.kind === 'sealed',
          phase: this.links.get(sc.name)!.state,
          ...(drainedBy === undefined ? {} : { drainedBy }),
        };
      }),
      cardOps: this.cardOps,
      dispatch: this.dispatcher.snapshot(),
    };
  }

  /**
   * Healthy means one thing everywhere (/healthz, READY=1, a deploy): the
   * process runs, its config loaded, and every line and link has been
   * started. A server that is down does not make the router unhealthy.
   */
  health(): { healthy: boolean; phase: RouterPhase } {
    return { healthy: this.phase === 'running', phase: this.phase };
  }

  /** An operator's drain: the server gets no new work and finishes what it holds, until undrained. */
  drain(server: string, by: string): boolean {
    if (!this.links.has(server)) return false;
    this.drained.set(server, 'operator');
    this.log.info('server.drain', { server, by });
    this.emit({ kind: 'drain', server, draining: true, cause: 'operator', by });
    this.run(this.dispatcher.drainServer(server, this.scheduler.now(), { operator: true }));
    return true;
  }

  undrain(server: string, by: string): boolean {
    if (!this.links.has(server)) return false;
    if (this.drained.get(server) === 'operator') this.drained.delete(server);
    this.log.info('server.undrain', { server, by });
    this.emit({ kind: 'drain', server, draining: false, cause: 'operator', by });
    this.run(this.dispatcher.undrainServer(server, this.scheduler.now()));
    return true;
  }

  /** Drops a server's link and reconnects it, settling what it held (an operator's reset). */
  resetServer(server: string, why: string): boolean {
    const link = this.links.get(server);
    if (!link) return false;
    this.log.warn('server.reset', { server, why });
    link.reset(why);
    return true;
  }

  private setPhase(phase: RouterPhase): void {
    if (phase === this.phase) return;
    this.phase = phase;
    this.emit({ kind: 'router', phase });
  }

  private emit(event: RouterEvent): void {
    if (this.eventListeners.length === 0) return;
    const now = this.scheduler.now();
    for (const listener of this.eventListeners) listener(event, now);
  }

  private fromStation(lineName: string, e: StationEvent): void {
    const line = this.lines.get(lineName)!;
    switch (e.kind) {
      case 'drop':
        this.emit({ kind: 'line-drop', line: lineName, reason: e.reason });
        return;
      case 'bad-request':
        this.run(this.dispatcher.badRequest(lineName, e.id, e.why));
        return;
      case 'message':
        break;
    }
    const msg = e.msg;
    switch (msg.t) {
      case 'hello':
        this.log.info('station.hello', { line: lineName, station: msg.station, v: msg.v });
        if (msg.station !== undefined) {
          this.stations.set(lineName, msg.station);
          this.emit({ kind: 'station', line: lineName, station: msg.station });
        }
        this.run(this.dispatcher.hello(lineName));
        line.send({ t: 'welcome', v: 1, router: this.config.router, line: lineName });
        return;
      case 'ping':
        line.send({ t: 'pong', n: msg.n });
        return;
      case 'req':
        this.run(this.dispatcher.request(lineName, msg, this.scheduler.now()));
        return;
    }
  }

  /** The effect runner: carries out the dispatcher's decisions, then re-arms its one timer. */
  private run(effects: readonly Effect[]): void {
    const stopping = this.phase === 'stopping' || this.phase === 'stopped';
    for (const effect of effects) {
      // Stopping settles every line and link; nothing of that may go out (or be sent again elsewhere).
      if (stopping && effect.kind !== 'note') continue;
      switch (effect.kind) {
        case 'to-station': {
          const line = this.lines.get(effect.line);
          if (line) line.send(effect.msg);
          else this.log.error('router.unknown-line', { line: effect.line, why: 'a message for a line this router does not have' });
          break;
        }
        case 'to-peer':
          this.peerPort?.send(effect.peer, effect.msg);
          break;
        case 'to-server':
          this.links.get(effect.server)?.send(effect.msg);
          break;
        case 'reset-server':
          this.log.warn('server.overdue', { server: effect.server, why: effect.why });
          this.links.get(effect.server)?.reset(effect.why);
          break;
        case 'rehandshake-now':
          if (this.drained.get(effect.server) === 'rehandshake') this.drained.delete(effect.server);
          this.emit({ kind: 'drain', server: effect.server, draining: false, cause: 'rehandshake' });
          this.links.get(effect.server)?.rehandshakeNow();
          break;
        case 'offer-changed':
          this.peerPort?.announce(effect.offer);
          break;
        case 'note':
          this.notes.record(effect.note);
          this.emit({ kind: 'note', note: effect.note });
          for (const listener of this.noteListeners) listener(effect.note);
          break;
      }
    }
    if (!stopping) this.deadline.arm(this.dispatcher.nextDeadline());
  }

  private longestTtlMs(): number {
    return Math.max(this.config.defaultOp.ttlMs, ...[...this.config.ops.values()].map((p) => p.ttlMs));
  }
}
