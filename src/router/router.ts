// Wires a configuration into a running router: station lines and server
// links at the edges, the dispatcher in the middle, one timer for ttls.
// `persomux run` and the simulator both build exactly this.
import type { RouterConfig } from '../config/types.js';
import { Dispatcher, OVERDUE_GRACE_MS } from '../dispatch/dispatcher.js';
import type { Effect, Note, Snapshot } from '../dispatch/types.js';
import { StationLine } from '../lines/station-line.js';
import { ServerLink } from '../links/server-link.js';
import type { Logger } from '../log/logger.js';
import type { StationEvent } from '../wire/station-codec.js';
import { PeerPort } from '../peers/peer-port.js';
import { LIMITS } from '../config/limits.js';
import { SEALING_OVERHEAD } from '../secure/cose.js';

/** setTimeout's ceiling (2^31 - 1 ms); longer delays fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;
const MAX_OUTCOME_KINDS = 32;


export interface RouterStatus extends Snapshot {
  readonly lineStates: ReadonlyMap<string, string>;
  readonly linkStates: ReadonlyMap<string, string>;
}

export class Router {
  readonly dispatcher: Dispatcher;
  private readonly lines = new Map<string, StationLine>();
  private readonly links = new Map<string, ServerLink>();
  readonly peerPort: PeerPort | undefined;
  private peerListening: Promise<number | undefined> | undefined;
  private ttlTimer: NodeJS.Timeout | undefined;
  private ttlAt: number | undefined;
  private readonly noteListeners: ((note: Note) => void)[] = [];
  /** Answers since start, by outcome ('ok' or an error code), for the status line. */
  private readonly outcomes = new Map<string, number>();
  private statusTimer: NodeJS.Timeout | undefined;
  /** Links waiting to re-handshake, with the time after which they stop waiting for their requests. */
  private readonly rehandshaking = new Map<string, number>();
  private rehandshakeTimer: NodeJS.Timeout | undefined;
  /** Once stopped, settling the lines and links must not arm new timers. */
  private stopped = false;

  constructor(
    readonly config: RouterConfig,
    private readonly log: Logger,
    // Monotonic: a Pi has no clock battery, and NTP stepping the wall clock must not expire every ttl.
    private readonly clock: () => number = () => Math.floor(performance.now()),
  ) {
    this.dispatcher = new Dispatcher({
      ops: config.ops,
      defaultPolicy: config.defaultOp,
      routerName: config.router,
      startedAt: clock(),
      maxServerBody: Math.min(...config.servers.map((s) => s.maxBody - (s.security.kind === 'sealed' ? SEALING_OVERHEAD : 0)), LIMITS.maxBody.max),
      maxTtlMs: LIMITS.ttlMs.max,
    });
    for (const lc of config.lines) {
      this.dispatcher.addLine(lc.name, { maxOutstanding: lc.maxOutstanding, ...(lc.servers ? { servers: new Set(lc.servers) } : {}) });
      const line = new StationLine(
        lc,
        {
          up: () => this.dispatcher.lineUp(lc.name),
          down: () => this.run(this.dispatcher.lineDown(lc.name)),
          event: (e) => this.fromStation(lc.name, e),
        },
        log.child({ line: lc.name }),
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
          request: (line, work) =>
            this.run(this.dispatcher.request(line, { id: work.id, op: work.op, body: work.body, ttl: work.ttl, station: work.station }, this.clock())),
          offer: () => {
            const available = this.dispatcher.snapshot().servers.filter((s) => s.available && s.slots > 0);
            return { ops: [...new Set(available.flatMap((s) => s.ops))], anyAvailable: available.length > 0 };
          },
        },
        log.child({ port: 'peers' }),
      );
      // A peer never has more in flight than the slots lent to it (2.2 rule 1).
      for (const line of peers.lineNames) this.dispatcher.addLine(line, { maxOutstanding: Math.max(1, config.peerPort.lendSlots) });
      this.peerPort = peers;
    }
    for (const sc of config.servers) {
      const link = new ServerLink(
        sc,
        config.pingIntervalMs,
        {
          connected: () => this.run(this.dispatcher.serverConnected(sc.name, this.clock())),
          message: (msg) => {
            if (msg.t === 'ready') {
              if (msg.slots !== sc.slots) log.info('server.slots-differ', { server: sc.name, configured: sc.slots, announced: msg.slots });
              this.run(this.dispatcher.serverReady(sc.name, msg.slots, msg.ops, this.clock()));
            } else {
              const outcome = msg.ok ? { ok: true as const, body: msg.body } : { ok: false as const, err: msg.err };
              this.run(this.dispatcher.serverAnswer(sc.name, msg.id, outcome, this.clock()));
            }
          },
          down: () => this.run(this.dispatcher.serverDown(sc.name, this.clock())),
          rehandshakeDue: (why) => {
            log.info('server.rehandshake-due', { server: sc.name, why });
            this.dispatcher.drainServer(sc.name, this.clock());
            // Its requests may take up to the longest ttl: wait that long (a few seconds more) for them.
            this.rehandshaking.set(sc.name, this.clock() + this.longestTtlMs() + OVERDUE_GRACE_MS);
            this.peerPort?.refresh(); // a draining server is not offered to peers
            this.run([]);
          },
        },
        log.child({ server: sc.name }),
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
    const s = this.status();
    const open = [...s.lineStates.values()].filter((v) => v === 'open').length;
    const available = s.servers.filter((x) => x.available);
    const queued = [...s.queued.values()].reduce((a, b) => a + b, 0);
    const errors = [...this.outcomes].filter(([k]) => k !== 'ok');
    return {
      lines: `${open}/${s.lineStates.size}`,
      servers: `${available.length}/${s.linkStates.size}`,
      slots: `${available.reduce((n, x) => n + x.busy, 0)}/${available.reduce((n, x) => n + x.slots, 0)}`,
      queued,
      answered: this.outcomes.get('ok') ?? 0,
      errors: errors.length === 0 ? 'none' : errors.map(([k, v]) => `${k}:${v}`).join(','),
    };
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.statusTimer);
    clearTimeout(this.rehandshakeTimer);
    for (const line of this.lines.values()) line.stop();
    for (const link of this.links.values()) link.stop();
    void this.peerPort?.close();
    clearTimeout(this.ttlTimer);
    this.ttlTimer = undefined;
    this.log.info('router.stop', { router: this.config.router });
  }

  /** Every dispatcher note, for statistics (the simulator's report). */
  onNote(listener: (note: Note) => void): void {
    this.noteListeners.push(listener);
  }

  status(): RouterStatus {
    return {
      ...this.dispatcher.snapshot(),
      lineStates: new Map([...this.lines].map(([n, l]) => [n, l.state])),
      linkStates: new Map([...this.links].map(([n, l]) => [n, l.state])),
    };
  }

  private fromStation(lineName: string, e: StationEvent): void {
    const line = this.lines.get(lineName)!;
    switch (e.kind) {
      case 'drop':
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
        this.run(this.dispatcher.hello(lineName));
        line.send({ t: 'welcome', v: 1, router: this.config.router, line: lineName });
        return;
      case 'ping':
        line.send({ t: 'pong', n: msg.n });
        return;
      case 'req':
        this.run(this.dispatcher.request(lineName, msg, this.clock()));
        return;
    }
  }

  /** Carries out the dispatcher's effects, then re-arms the ttl timer. */
  private run(effects: Effect[]): void {
    for (const effect of effects) {
      // Stopping settles every line and link; nothing of that may go out (or be sent again elsewhere).
      if (this.stopped && effect.kind !== 'note') continue;
      switch (effect.kind) {
        case 'to-station': {
          const line = this.lines.get(effect.line);
          if (line) line.send(effect.msg);
          else this.peerPort?.send(effect.line, effect.msg);
          break;
        }
        case 'to-server':
          this.links.get(effect.server)?.send(effect.msg);
          break;
        case 'note':
          if (effect.note.event === 'answered') this.countOutcome(effect.note.outcome);
          if (effect.note.event === 'rejected') this.countOutcome(effect.note.code);
          this.logNote(effect.note);
          if (effect.note.event === 'server-available' || effect.note.event === 'server-down') this.peerPort?.refresh();
          for (const listener of this.noteListeners) listener(effect.note);
          break;
      }
    }
    this.armTtlTimer();
    this.rehandshakeIdleLinks();
  }

  /**
   * A link that wants a fresh handshake gets no new work; once its server
   * holds nothing (or after REHANDSHAKE_DRAIN_MAX_MS) it reconnects, so a
   * scheduled re-handshake never costs a request its answer.
   */
  private rehandshakeIdleLinks(): void {
    if (this.rehandshaking.size === 0 || this.stopped) return;
    const now = this.clock();
    for (const [name, deadline] of [...this.rehandshaking]) {
      if (!this.dispatcher.isServerIdle(name) && now < deadline) continue;
      this.rehandshaking.delete(name);
      this.links.get(name)?.rehandshakeNow();
    }
    clearTimeout(this.rehandshakeTimer);
    if (this.rehandshaking.size > 0) this.rehandshakeTimer = setTimeout(() => this.rehandshakeIdleLinks(), 1000);
  }

  private longestTtlMs(): number {
    return Math.max(this.config.defaultOp.ttlMs, ...[...this.config.ops.values()].map((p) => p.ttlMs));
  }

  /** Servers choose their error codes: past a few dozen distinct ones, the rest count as 'other'. */
  private countOutcome(code: string): void {
    const key = this.outcomes.has(code) || this.outcomes.size < MAX_OUTCOME_KINDS ? code : 'other';
    this.outcomes.set(key, (this.outcomes.get(key) ?? 0) + 1);
  }

  private armTtlTimer(): void {
    if (this.stopped) return;
    const next = this.dispatcher.nextDeadline();
    if (next === this.ttlAt) return;
    clearTimeout(this.ttlTimer);
    this.ttlAt = next;
    if (next === undefined) return;
    this.ttlTimer = setTimeout(
      () => {
        this.ttlAt = undefined;
        const now = this.clock();
        for (const name of this.dispatcher.overdueServers(now)) {
          this.log.warn('server.overdue', { server: name, why: `holds a request ${OVERDUE_GRACE_MS} ms past its ttl` });
          this.links.get(name)?.reset('a request went unanswered past its ttl');
        }
        this.run(this.dispatcher.tick(now));
      },
      Math.min(MAX_TIMER_MS, Math.max(0, next - this.clock())),
    );
  }

  private logNote(n: Note): void {
    switch (n.event) {
      case 'dispatched':
      case 'retransmission':
        return this.log.debug(`request.${n.event}`, { ...n, event: undefined });
      case 'answered':
        return this.log[n.outcome === 'ok' ? 'debug' : 'info']('request.answered', { ...n, event: undefined });
      case 'server-available':
        return this.log.info('server.available', { server: n.server, slots: n.slots, ops: n.ops.join(',') });
      default:
        return this.log.info(`${n.event.startsWith('server') ? '' : 'request.'}${n.event}`, { ...n, event: undefined } as never);
    }
  }
}
