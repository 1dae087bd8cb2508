// Wires a configuration into a running router: station lines and server
// links at the edges, the dispatcher in the middle, and one effect runner
// between them. `persomux run` and the simulator both build exactly this.
// Everything a view may know goes out through the status seam (events.ts):
// `onEvent`, `snapshot`, `health`. It also re-wires a reloaded configuration
// (what to change is decided in reload-plan.ts), hence its length; each other
// job has a file of its own here: the one timer (deadline-timer.ts), station
// messages, the graceful stop, the log of notes, the summary, the event hub.
import type { LineConfig, RouterConfig, ServerConfig } from '../config/types.js';
import { planReload, type ReloadPlan } from './reload-plan.js';
import { Dispatcher, OVERDUE_GRACE_MS } from '../dispatch/dispatcher.js';
import type { Effect, LineOptions, Note } from '../dispatch/types.js';
import { StationLine, type LineDevices } from '../lines/station-line.js';
import { ttyDevices } from '../lines/tty-port.js';
import { ServerLink, type Connector } from '../links/server-link.js';
import { describeAddress, openTransport } from '../links/transport.js';
import type { Logger } from '../log/logger.js';
import { PeerPort } from '../peers/peer-port.js';
import { LIMITS } from '../config/limits.js';
import { SEALING_OVERHEAD } from '../secure/cose.js';
import type { Scheduler, Timer } from '../machines/scheduler.js';
import { every } from '../machines/every.js';
import type { JournalFingerprint } from '../dispatch/journal-fingerprint.js';
import { systemScheduler } from '../timers/system-scheduler.js';
import { DeadlineTimer } from './deadline-timer.js';
import { EventHub } from './event-hub.js';
import { settleForStop, type StopResult } from './graceful-stop.js';
import { fromStation, type StationContext } from './station-messages.js';
import { summaryOf } from './summary.js';
import { NoteLog } from './note-log.js';
import { LogBudgets } from '../log/log-budgets.js';
import type { RouterEvent, RouterEventListener, RouterPhase, RouterSnapshot } from './events.js';

/**
 * What the router runs on: real time, serial devices and sockets by default;
 * a fake clock, in-memory ports and in-memory links in the middle tier of tests.
 */
export interface RouterEdges {
  readonly scheduler: Scheduler;
  readonly lineDevices: LineDevices;
  readonly connector: Connector;
  /** The request journal (opened by the composition root when the config names a stateDir). */
  readonly journal?: RequestJournal;
}

/** What the router needs of the journal (src/journal/journal.ts). */
export interface RequestJournal {
  seenBefore(fp: JournalFingerprint): boolean;
  record(fp: JournalFingerprint, ttlMs: number): Promise<void>;
  forgetLine(line: string): Promise<void>;
}

// Station lines: serialport opens and locks, a TTY handle moves the bytes (lines/tty-port.ts, issue 13 item 5).
const REAL_EDGES: RouterEdges = { scheduler: systemScheduler, lineDevices: ttyDevices, connector: (config) => openTransport(config.address) };

export class Router {
  readonly dispatcher: Dispatcher;
  private readonly lines = new Map<string, StationLine>();
  private readonly links = new Map<string, ServerLink>();
  readonly peerPort: PeerPort | undefined;
  private peerListening: Promise<number | undefined> | undefined;
  private readonly deadline: DeadlineTimer;
  private readonly notes: NoteLog;
  private readonly budgets: LogBudgets;
  private readonly noteListeners: ((note: Note) => void)[] = [];
  private readonly hub: EventHub;
  private readonly stationContext: StationContext;
  private statusTimer: Timer | undefined;
  private phase: RouterPhase = 'starting';
  private readonly stations = new Map<string, string>();
  private cardOps: readonly string[];
  /** Set while stop() settles lines and links: nothing of that may go out. */
  private closing = false;
  /** Called after every batch of effects while a graceful stop waits for the servers. */
  private onEffects: (() => void) | undefined;

  private readonly scheduler: Scheduler;
  private readonly edges: RouterEdges;
  private current: RouterConfig;
  /** Servers whose link is replaced once drained (a reload changed them): the new config, or null when removed. */
  private readonly replacing = new Map<string, ServerConfig | null>();

  constructor(
    config: RouterConfig,
    private readonly log: Logger,
    edges: Partial<RouterEdges> = {},
  ) {
    this.current = config;
    this.edges = { ...REAL_EDGES, ...edges };
    const scheduler = this.edges.scheduler;
    this.scheduler = scheduler;
    this.hub = new EventHub(scheduler);
    const now = () => scheduler.now();
    // One log budget per source of outside input (a line, a link, the peer port), never per connection.
    this.budgets = new LogBudgets(log);
    this.notes = new NoteLog((level) => log.enabled(level), (n) => this.budgetOf(n));
    this.deadline = new DeadlineTimer(scheduler, (at) => this.run(this.dispatcher.tick(at)));
    this.cardOps = [...config.ops].filter(([, p]) => p.startsCard).map(([op]) => op);
    this.dispatcher = new Dispatcher({
      ops: config.ops,
      defaultPolicy: config.defaultOp,
      routerName: config.router,
      startedAt: now(),
      maxServerBody: maxServerBody(config),
      maxTtlMs: LIMITS.ttlMs.max,
      ...(this.edges.journal ? { journal: this.edges.journal } : {}),
    });
    this.stationContext = {
      routerName: config.router,
      dispatcher: this.dispatcher,
      log,
      now: () => scheduler.now(),
      run: (effects) => this.run(effects),
      emit: (event) => this.emit(event),
      send: (line, msg) => this.lines.get(line)?.send(msg),
      station: (line, name) => (name === undefined ? this.stations.delete(line) : this.stations.set(line, name)),
    };
    for (const lc of config.lines) this.addStationLine(lc);
    if (config.peerPort) {
      const peers = new PeerPort(
        config.peerPort,
        {
          lineUp: (line) => this.dispatcher.lineUp(line),
          lineDown: (line) => this.run(this.dispatcher.lineDown(line)),
          forget: (line) => this.run(this.dispatcher.hello(line)),
          request: (line, work) => this.run(this.dispatcher.request(line, { id: work.id, op: work.op, body: work.body, ttl: work.ttl, station: work.station }, now())),
        },
        this.peerBudget(),
      );
      // A peer never has more in flight than the slots lent to it (2.2 rule 1).
      for (const line of peers.lineNames) this.dispatcher.addLine(line, { maxOutstanding: Math.max(1, config.peerPort.lendSlots), kind: 'peer' });
      this.peerPort = peers;
    }
    for (const sc of config.servers) this.addServerLink(sc);
  }

  /** The configuration in force (the last one a reload accepted). */
  get config(): RouterConfig {
    return this.current;
  }

  private addStationLine(lc: LineConfig): void {
    // A line reopened by a reload keeps its requests and answer cache in the dispatcher.
    if (!this.dispatcher.hasLine(lc.name)) this.dispatcher.addLine(lc.name, lineOptions(lc));
    const line: StationLine = new StationLine(
      lc,
      {
        // A line replaced by a reload may still report its last moments: only the current one counts.
        up: () => this.lines.get(lc.name) === line && this.dispatcher.lineUp(lc.name),
        down: () => this.lines.get(lc.name) === line && this.run(this.dispatcher.lineDown(lc.name)),
        event: (e) => this.lines.get(lc.name) === line && fromStation(lc.name, e, this.stationContext),
        phase: (phase, why) => this.emit({ kind: 'line', line: lc.name, phase, ...(why === undefined ? {} : { why }) }),
        traffic: (direction, bytes) => this.emit({ kind: 'traffic', line: lc.name, direction, bytes }),
      },
      this.budgets.for('line', lc.name),
      this.scheduler,
      this.edges.lineDevices,
    );
    this.lines.set(lc.name, line);
  }

  private addServerLink(sc: ServerConfig): void {
    const now = () => this.scheduler.now();
    const log = this.log;
    const link: ServerLink = new ServerLink(
      sc,
      this.current.pingIntervalMs,
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
          this.drainForReplacement(sc.name, 'rehandshake');
        },
      },
      this.budgets.for('link', sc.name),
      this.scheduler,
      this.edges.connector,
    );
    this.links.set(sc.name, link);
  }

  /** No new work for this server; once idle (or after the longest ttl) its link reconnects, or is replaced. */
  private drainForReplacement(server: string, cause: 'rehandshake' | 'reload'): void {
    const now = this.scheduler.now();
    this.emit({ kind: 'drain', server, draining: true, cause: 'rehandshake', ...(cause === 'reload' ? { by: 'reload' } : {}) });
    // Its requests may take up to the longest ttl: wait that long (a few seconds more) for them.
    this.run(this.dispatcher.drainServer(server, now, { rehandshakeBy: now + this.longestTtlMs() + OVERDUE_GRACE_MS }));
  }

  /**
   * A new configuration (SIGHUP, `persomux reload`), already validated.
   * Untouched lines and links keep their ports, queues and answer caches; a
   * line whose port settings changed is reopened with its cache kept; a
   * server whose address or key changed drains before its new link takes
   * over; an operator's drain stays. Fields only a restart can change refuse
   * the whole reload, and the running configuration stays.
   */
  reload(next: RouterConfig): ReloadPlan {
    const plan = planReload(this.current, next);
    if (plan.refused.length > 0) {
      for (const r of plan.refused) this.log.error('router.reload-refused', { config: next.file, field: r.field, why: r.why });
      return plan;
    }
    this.current = next;
    this.cardOps = [...next.ops].filter(([, p]) => p.startsCard).map(([op]) => op);
    this.dispatcher.setPolicies(next.ops, next.defaultOp, maxServerBody(next));
    for (const name of plan.lines.removed) {
      this.lines.get(name)?.stop();
      this.lines.delete(name);
      this.run(this.dispatcher.removeLine(name));
    }
    for (const lc of plan.lines.retuned) this.dispatcher.retuneLine(lc.name, lineOptions(lc));
    for (const lc of plan.lines.reopened) {
      this.dispatcher.retuneLine(lc.name, lineOptions(lc));
      const old = this.lines.get(lc.name);
      this.lines.delete(lc.name);
      old?.stop();
      this.run(this.dispatcher.lineDown(lc.name));
      this.addStationLine(lc);
      if (this.phase === 'running') this.lines.get(lc.name)!.start();
    }
    for (const lc of plan.lines.added) {
      this.addStationLine(lc);
      if (this.phase === 'running') this.lines.get(lc.name)!.start();
    }
    for (const sc of plan.servers.added) {
      this.addServerLink(sc);
      if (this.phase === 'running') this.links.get(sc.name)!.start();
    }
    for (const sc of plan.servers.replaced) {
      this.replacing.set(sc.name, sc);
      this.drainForReplacement(sc.name, 'reload');
    }
    for (const name of plan.servers.removed) {
      this.replacing.set(name, null);
      this.drainForReplacement(name, 'reload');
    }
    // A server that is not connected holds nothing: it is replaced at once.
    for (const name of [...this.replacing.keys()]) if (!this.dispatcher.snapshot().servers.some((s) => s.name === name)) this.replaceLink(name);
    this.log.info('router.reloaded', {
      config: next.file,
      linesAdded: plan.lines.added.length,
      linesRemoved: plan.lines.removed.length,
      linesReopened: plan.lines.reopened.length,
      serversAdded: plan.servers.added.length,
      serversRemoved: plan.servers.removed.length,
      serversReplaced: plan.servers.replaced.length,
      opsChanged: plan.opsChanged,
    });
    return plan;
  }

  /** The drained link of a reloaded server is idle: stop it, and start its successor (if any). */
  private replaceLink(name: string): void {
    const next = this.replacing.get(name);
    if (next === undefined) return;
    this.replacing.delete(name);
    this.links.get(name)?.stop();
    this.links.delete(name);
    this.emit({ kind: 'drain', server: name, draining: false, cause: 'rehandshake', by: 'reload' });
    if (next === null) return this.log.info('server.removed', { server: name });
    this.addServerLink(next);
    if (this.phase === 'running') this.links.get(name)!.start();
    this.log.info('server.replaced', { server: name, address: describeAddress(next.address) });
  }

  start(): void {
    this.log.info('router.start', { router: this.config.router, config: this.config.file, lines: this.lines.size, servers: this.links.size });
    for (const link of this.links.values()) link.start();
    for (const line of this.lines.values()) line.start();
    this.peerListening = this.peerPort?.listenUntilBound(this.scheduler);
    this.setPhase('running');
  }



  /** The TCP port the peer port listens on, once it does (undefined without one, or when stopped first). */
  peerPortNumber(): Promise<number | undefined> {
    return this.peerListening ?? Promise.resolve(undefined);
  }

  /** Logs a one-line summary every `everyMs`, for an operator reading the journal. */
  logStatusEvery(everyMs: number): void {
    this.statusTimer?.cancel();
    this.statusTimer = every(this.scheduler, everyMs, () => this.log.info('router.status', this.summary()));
  }

  /** The router at a glance: lines, servers, queue, answers by outcome. */
  summary(): Record<string, string | number> {
    return summaryOf(this.snapshot(), this.notes.outcomes);
  }


  /** Stops at once: links, then lines, then the peer port. What is in flight is not waited for (see `shutdown`). */
  stop(): void {
    if (this.phase === 'stopped') return;
    this.setPhase('stopping');
    this.closing = true;
    this.statusTimer?.cancel();
    this.deadline.disarm();
    for (const link of this.links.values()) link.stop();
    for (const line of this.lines.values()) line.stop();
    void this.peerPort?.close();
    this.budgets.close();
    this.log.info('router.stop', { router: this.config.router });
    this.setPhase('stopped');
  }

  /**
   * A graceful stop (SIGTERM): requests never sent are answered `overloaded`,
   * and new ones too, so stations ask again later; requests at a server may
   * finish for up to `timeoutMs`, and their answers are delivered; what is
   * still at a server then is answered `server-lost`. Then the links close,
   * then the lines. The log says what finished and what was cut.
   */
  async shutdown(timeoutMs: number): Promise<StopResult> {
    if (this.phase !== 'running') {
      this.stop();
      return { finished: 0, cut: 0, refused: 0 };
    }
    this.setPhase('stopping');
    const result = await settleForStop(
      {
        dispatcher: this.dispatcher,
        scheduler: this.scheduler,
        log: this.log,
        run: (effects) => this.run(effects),
        afterEffects: (fn) => (this.onEffects = fn),
        flushLines: async () => void (await Promise.all([...this.lines.values()].map((l) => l.flush()))),
      },
      timeoutMs,
    );
    this.stop();
    return result;
  }


  /** Every dispatcher note, for statistics (the simulator's report). */
  onNote(listener: (note: Note) => void): void {
    this.noteListeners.push(listener);
  }

  // ---- the status seam (events.ts) ---------------------------------------

  /** Every event from now on, in order, with the monotonic time it happened at. Returns an unsubscribe. */
  onEvent(listener: RouterEventListener): () => void {
    return this.hub.on(listener);
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
        const drainedBy = this.dispatcher.drainCause(sc.name);
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
    this.log.info('server.drain', { server, by });
    this.emit({ kind: 'drain', server, draining: true, cause: 'operator', by });
    this.run(this.dispatcher.drainServer(server, this.scheduler.now(), { operator: true }));
    return true;
  }

  undrain(server: string, by: string): boolean {
    if (!this.links.has(server)) return false;
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

  /** The log budget a note is written within: its line's (a peer's line: the peer port's), or its server link's. */
  private budgetOf(n: Note): Logger {
    if (!('line' in n)) return this.budgets.for('link', n.server);
    return this.lines.has(n.line) || !this.peerPort ? this.budgets.for('line', n.line) : this.peerBudget();
  }

  private peerBudget(): Logger {
    const p = this.current.peerPort;
    return this.budgets.for('listener', p ? `peers ${p.host}:${p.port}` : 'peers');
  }

  private setPhase(phase: RouterPhase): void {
    if (phase === this.phase) return;
    this.phase = phase;
    this.emit({ kind: 'router', phase });
  }

  private emit(event: RouterEvent): void {
    this.hub.emit(event);
  }




  /** The effect runner: carries out the dispatcher's decisions, then re-arms its one timer. */
  private run(effects: readonly Effect[]): void {
    const stopping = this.closing;
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
          if (this.replacing.has(effect.server)) {
            this.replaceLink(effect.server);
            break;
          }
          this.emit({ kind: 'drain', server: effect.server, draining: false, cause: 'rehandshake' });
          this.links.get(effect.server)?.rehandshakeNow();
          break;
        case 'offer-changed':
          this.peerPort?.announce(effect.offer);
          break;
        case 'journal': {
          // Group commit: the records of one event-loop turn share one write and one fdatasync.
          const { seq } = effect;
          this.edges.journal!.record(effect.fp, effect.ttlMs).then(
            () => this.run(this.dispatcher.journaled(seq, this.scheduler.now())),
            (e: Error) => {
              this.log.error('journal.write-failed', { line: effect.fp.line, id: effect.fp.id, why: e.message });
              this.run(this.dispatcher.journalFailed(seq, 'its journal cannot be written', this.scheduler.now()));
            },
          );
          break;
        }
        case 'journal-forget':
          void this.edges.journal?.forgetLine(effect.line);
          break;
        case 'note':
          this.notes.record(effect.note);
          this.emit({ kind: 'note', note: effect.note });
          for (const listener of this.noteListeners) listener(effect.note);
          break;
      }
    }
    if (!stopping) this.deadline.arm(this.dispatcher.nextDeadline());
    this.onEffects?.();
  }

  private longestTtlMs(): number {
    return Math.max(this.config.defaultOp.ttlMs, ...[...this.config.ops.values()].map((p) => p.ttlMs));
  }
}

/** The largest request a server link carries: the smallest maxBody of the servers, less the sealing overhead. */
function maxServerBody(config: RouterConfig): number {
  return Math.min(...config.servers.map((s) => s.maxBody - (s.security.kind === 'sealed' ? SEALING_OVERHEAD : 0)), LIMITS.maxBody.max);
}

/** What the dispatcher keeps of a station line: its limit and, under static binding, the servers it may use. */
function lineOptions(lc: LineConfig): LineOptions {
  return { maxOutstanding: lc.maxOutstanding, kind: 'station', ...(lc.servers ? { servers: new Set(lc.servers) } : {}) };
}
