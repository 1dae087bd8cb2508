// The routing core: PROTOCOL.md 2.1 and 2.2 as plain state. Stations' requests
// wait in one arrival-ordered queue and go to the first server that serves
// their op and has a free slot. Time comes in as arguments; effects go out as
// return values; nothing here touches a port, a socket or a timer. It is
// the one place of the routing decisions (hence its length, past 400 lines:
// admission, dispatch, server loss, drains, the journal's hold, the stop);
// who is told what (requesters.ts), the queue, the server table, the answer
// cache, availability and sizes have files of their own.
import type { Answer, ErrorInfo, RawBody } from '../wire/messages.js';
import { excluding, NO_SERVERS, sameWork, type Request } from './request.js';
import { ArrivalQueue } from './arrival-queue.js';
import { OVERDUE_GRACE_MS, ServerTable } from './server-table.js';
import { Availability } from './availability.js';
import { forwardedSize } from './forwarded-size.js';
import { journalFingerprint, type JournalFingerprint } from './journal-fingerprint.js';
import { DeadlineHeap } from './deadline-heap.js';
import { errorAnswer, note, Requesters } from './requesters.js';
import type { Effect, LineOptions, OpPolicy, Snapshot } from './types.js';

const UINT32_SPAN = 2 ** 32;
/** A request a server answered `overloaded` this many times is not sent back to that server. */
const OVERLOADS_BEFORE_EXCLUDING = 3;
export { OVERDUE_GRACE_MS };


export interface DispatcherOptions {
  /** Ops from the configuration; others become known when a server announces them. */
  readonly ops: ReadonlyMap<string, OpPolicy>;
  /** Policy for announced ops the configuration does not list. */
  readonly defaultPolicy: OpPolicy;
  /** `router-name`, the first half of `station` (2.2 rule 4). */
  readonly routerName: string;
  readonly startedAt: number;
  /** The largest `req` a server link carries (PROTOCOL.md 1 maxBody of the server links). */
  readonly maxServerBody: number;
  /** The longest ttl a station may ask for. */
  readonly maxTtlMs: number;
  /**
   * A request journal (PROTOCOL.md 6 reading 12): non-retry requests go to a
   * server only once their fingerprint is durable (a `journal` effect, then
   * `journaled`), and `seenBefore` names those an earlier run already sent.
   */
  readonly journal?: { seenBefore(fp: JournalFingerprint): boolean };
}

export class Dispatcher {
  private readonly lines: Requesters;
  private readonly servers = new ServerTable();
  private readonly policies: Map<string, OpPolicy>;
  private readonly queue = new ArrivalQueue();
  private readonly availability: Availability;
  /** The deadlines of the requests some requester may still be told about, earliest first: `tick` and `nextDeadline` without a scan of every request. */
  private readonly deadlines: DeadlineHeap<Request>;
  /** Non-retry requests waiting for their journal record, by seq. */
  private readonly awaitingJournal = new Map<number, Request>();
  /** False once the router is stopping: nothing new is queued, nothing queued is sent. */
  private accepting = true;
  private seq = 0;
  private nextServerId = 0;
  /** Servers an operator drained: drained again whenever they reconnect, until undrained. */
  private readonly operatorDrained = new Set<string>();

  private maxServerBody: number;
  private defaultPolicy: OpPolicy;

  constructor(private readonly options: DispatcherOptions) {
    this.maxServerBody = options.maxServerBody;
    this.defaultPolicy = options.defaultPolicy;
    this.policies = new Map(options.ops);
    this.availability = new Availability(this.servers, this.policies.keys(), options.startedAt);
    this.lines = new Requesters(this.queue);
    this.deadlines = new DeadlineHeap((req) => this.lines.isPending(req));
  }

  // ---- lines -------------------------------------------------------------

  addLine(name: string, options: LineOptions): void {
    this.lines.add(name, options, `${this.options.routerName}/${name}`);
  }

  hasLine(name: string): boolean {
    return this.lines.has(name);
  }

  /** The line is gone from the configuration (a reload): see Requesters.remove. */
  removeLine(name: string): Effect[] {
    return this.lines.remove(name);
  }

  /** New limits for a line (a reload); its requests and answers stay. */
  retuneLine(name: string, options: LineOptions): void {
    this.lines.retune(name, options);
  }

  /** New op policies (a reload): for requests from now on; ops servers announced keep theirs unless listed. */
  setPolicies(ops: ReadonlyMap<string, OpPolicy>, defaultPolicy: OpPolicy, maxServerBody: number): void {
    for (const [op, policy] of ops) this.policies.set(op, policy);
    for (const op of this.policies.keys()) if (!ops.has(op)) this.policies.set(op, defaultPolicy);
    this.defaultPolicy = defaultPolicy;
    this.maxServerBody = maxServerBody;
  }

  lineUp(name: string): void {
    this.lines.get(name).up = true;
  }

  /**
   * The line's port went away. Requests still queued are dropped (never sent);
   * those at a server finish, and their answers wait in the cache for the
   * station's retransmission.
   */
  lineDown(name: string): Effect[] {
    const line = this.lines.get(name);
    line.up = false;
    return this.lines.dropQueued(line, 'line-down');
  }

  /** `hello`: the station (re)started, so the router forgets the line's ids (2.1 rule 2). */
  hello(name: string): Effect[] {
    const line = this.lines.get(name);
    const effects = this.lines.dropQueued(line, 'hello');
    for (const req of line.inFlight.values()) req.owned = false;
    line.inFlight.clear();
    line.cache.clear();
    // Across restarts too: the journal forgets the line's ids.
    if (this.options.journal) effects.push({ kind: 'journal-forget', line: name });
    return effects;
  }

  /**
   * A station's `req`. `station` names the requester to the server: by
   * default `router/line`; a peer's requests keep the peer's own value (2.2).
   */
  request(lineName: string, req: { id: number; op: string; body?: RawBody; ttl?: number; station?: string }, now: number): Effect[] {
    const line = this.lines.get(lineName);
    const effects: Effect[] = [];

    const current = line.inFlight.get(req.id);
    if (current && sameWork(current, req.op, req.body)) {
      effects.push(note({ event: 'retransmission', line: line.name, id: req.id, from: 'in-flight' }));
      effects.push(...this.lines.tell(line, { t: 'ack', id: req.id, q: this.queuedAhead(current) }));
      return effects;
    }
    const cached = line.cache.get(req.id, req.op, req.body, now);
    if (cached) {
      effects.push(note({ event: 'retransmission', line: line.name, id: req.id, from: 'cache' }));
      effects.push(...this.lines.tell(line, { t: 'ack', id: req.id, q: 0 }), ...this.lines.tell(line, cached));
      return effects;
    }
    // Same id, other op or body: a new request, whatever becomes of it. The old answer must never reach it.
    if (current) effects.push(...this.lines.forget(line, current));
    if (!this.accepting) return [...effects, ...this.lines.reject(line, req.id, req.op, 'overloaded', 'the router is stopping: ask again later')];
    const policy = this.policies.get(req.op);
    if (!policy) return [...effects, ...this.lines.reject(line, req.id, req.op, 'unknown-op', `no server has announced op '${req.op}' and the configuration does not list it`)];
    const station = req.station ?? line.station;
    const size = forwardedSize(req.op, req.body, station);
    if (size > this.maxServerBody) {
      return [...effects, ...this.lines.reject(line, req.id, req.op, 'bad-request', `request of ${size} bytes is larger than server links carry (${this.maxServerBody})`)];
    }
    if (line.inFlight.size >= line.options.maxOutstanding) {
      return [...effects, ...this.lines.reject(line, req.id, req.op, 'overloaded', `line has ${line.inFlight.size} requests in flight (maxOutstanding ${line.options.maxOutstanding})`)];
    }

    const request: Request = {
      seq: this.seq++,
      line: line.name,
      id: req.id,
      op: req.op,
      body: req.body,
      station,
      receivedAt: now,
      // A station's ttl is capped: a deadline days away would only keep a slot of the line.
      deadline: now + Math.min(req.ttl ?? policy.ttlMs, this.options.maxTtlMs),
      state: 'queued',
      owned: true,
      excluded: NO_SERVERS,
      overloads: 0,
      // Only a non-retry request must be on disk before a server sees it: running a retry op twice is harmless.
      durable: !this.options.journal || policy.retry,
    };
    line.inFlight.set(request.id, request);
    this.deadlines.push(request, request.deadline);
    if (request.deadline <= now) {
      // 2.1 rule 5: a request whose ttl has run out is never sent to a server.
      return [...effects, ...this.lines.tell(line, { t: 'ack', id: req.id, q: 0 }), ...this.expire(request, now)];
    }
    // Hashed once: the same fingerprint asks the journal and, if new, is written to it.
    const journalFp = request.durable ? undefined : journalFingerprint(line.name, req.id, req.op, req.body);
    if (journalFp && this.options.journal!.seenBefore(journalFp)) {
      // PROTOCOL.md 6 reading 12: an earlier run of this router sent it to a server; it is never run twice.
      const why = 'this router sent the request to a server before it restarted; it is not run twice';
      return [...effects, ...this.lines.tell(line, { t: 'ack', id: req.id, q: 0 }), ...this.lines.finish(request, errorAnswer(req.id, 'server-lost', why), now)];
    }
    if (journalFp) {
      this.awaitingJournal.set(request.seq, request);
      effects.push({ kind: 'journal', seq: request.seq, fp: journalFp, ttlMs: request.deadline - now });
    }
    this.queue.push(request);
    effects.push(note({ event: 'queued', line: line.name, id: req.id, op: req.op, ahead: this.queue.aheadOf(request) }));
    const sent = this.pump(now);
    const ack = this.lines.told(line, { t: 'ack', id: req.id, q: this.queuedAhead(request) });
    if (ack) effects.push(ack);
    effects.push(...sent);
    return effects;
  }

  /**
   * A `req` that is not well-formed (2.1: `bad-request`). Its id, when it has
   * one, is taken as reused: a request in flight under it is forgotten, so the
   * station never gets two answers for one id.
   */
  badRequest(lineName: string, id: number | null, why: string): Effect[] {
    const line = this.lines.get(lineName);
    const current = id === null ? undefined : line.inFlight.get(id);
    const effects = current ? this.lines.forget(line, current) : [];
    return [...effects, note({ event: 'rejected', line: line.name, id, code: 'bad-request', why }), ...this.lines.tell(line, errorAnswer(id, 'bad-request', why))];
  }

  // ---- servers -----------------------------------------------------------

  /** The link is open (after its handshake); the server is not available before `ready`. */
  serverConnected(name: string, now: number): Effect[] {
    // A link reports down before it reconnects; if it ever did not, settle the old connection first.
    const effects = this.servers.has(name) ? this.serverDown(name, now) : [];
    const server = this.servers.add(name);
    server.draining = this.operatorDrained.has(name);
    return effects;
  }

  /** `ready` (2.2): slots and ops, first or changed. */
  serverReady(name: string, slots: number, ops: readonly string[], now: number): Effect[] {
    const server = this.servers.get(name);
    if (!server) return [];
    server.phase = 'ready';
    server.slots = slots;
    server.ops = new Set(ops);
    for (const op of ops) if (!this.policies.has(op)) this.policies.set(op, this.defaultPolicy);
    return [note({ event: 'server-available', server: name, slots, ops }), ...this.availabilityChanged(now), ...this.pump(now)];
  }

  serverAnswer(name: string, id: number, outcome: { ok: true; body: RawBody } | { ok: false; err: ErrorInfo }, now: number): Effect[] {
    const server = this.servers.get(name);
    const req = server?.held.take(id);
    if (!server || !req) return [note({ event: 'late-answer', server: name, why: 'unknown-id' })];
    const effects: Effect[] = [];
    if (req.state === 'answered') {
      effects.push(note({ event: 'late-answer', server: name, why: 'already-answered' }));
    } else if (!outcome.ok && outcome.err.code === 'overloaded' && req.owned) {
      // PROTOCOL.md 6 reading 10: the server held more than it announced and never ran it. It waits
      // for a slot again, in its place; a server that keeps refusing it is not asked for it again.
      req.overloads++;
      if (req.overloads >= OVERLOADS_BEFORE_EXCLUDING) req.excluded = excluding(req.excluded, name);
      req.state = 'queued';
      this.queue.reinsert(req);
      effects.push(note({ event: 'requeued', line: req.line, id: req.id, op: req.op, server: name }));
    } else {
      const answer: Answer = outcome.ok
        ? { t: 'res', id: req.id, ok: true, body: outcome.body } // the answer cache keeps a copy of its own
        : { t: 'res', id: req.id, ok: false, err: outcome.err }; // 2.1: a server's own err passes unchanged
      effects.push(...this.lines.finish(req, answer, now));
    }
    if (server.rehandshakeBy !== undefined) effects.push(...this.rehandshakeIfIdle(server));
    effects.push(...this.pump(now));
    return effects;
  }

  /** The link dropped (closed, or 3 pings unanswered): settle everything it held (2.2 rule 3). */
  serverDown(name: string, now: number): Effect[] {
    const server = this.servers.get(name);
    if (!server) return [];
    this.servers.delete(name);
    const effects: Effect[] = [note({ event: 'server-down', server: name, held: server.held.size }), ...this.availabilityChanged(now)];
    for (const req of server.held.values()) {
      if (req.state === 'answered') continue;
      if (!req.owned) {
        // The station forgot it (hello, id reused): nobody is waiting for it any more.
        req.state = 'answered';
        effects.push(note({ event: 'dropped', line: req.line, id: req.id, op: req.op, why: 'forgotten' }));
      } else if (this.policies.get(req.op)?.retry && this.servers.anotherServes(req)) {
        req.excluded = excluding(req.excluded, name);
        req.state = 'queued';
        this.queue.reinsert(req);
        effects.push(note({ event: 'requeued', line: req.line, id: req.id, op: req.op, server: name }));
      } else {
        const why = this.policies.get(req.op)?.retry ? 'and no other server serves its op' : 'and its op may not be retried';
        effects.push(...this.lines.finish(req, errorAnswer(req.id, 'server-lost', `server ${name} went down holding the request, ${why}`), now));
      }
    }
    return [...effects, ...this.pump(now)];
  }

  /**
   * No new work for this server; it finishes what it holds. An operator's
   * drain lasts until `undrainServer`, across reconnects. A drain for a
   * re-handshake ends with a `rehandshake-now` effect once the server is
   * idle, or at `by` (its requests may take up to the longest ttl).
   */
  drainServer(name: string, now: number, cause: { readonly operator: true } | { readonly rehandshakeBy: number }): Effect[] {
    if ('operator' in cause) this.operatorDrained.add(name);
    const server = this.servers.get(name);
    if (!server) return [];
    server.draining = true;
    if ('rehandshakeBy' in cause) server.rehandshakeBy = cause.rehandshakeBy;
    return [...this.availabilityChanged(now), ...this.rehandshakeIfIdle(server)];
  }

  /** Why the server gets no new work, if it does not: an operator's drain (until undrained), or its re-handshake. */
  drainCause(name: string): 'operator' | 'rehandshake' | undefined {
    if (this.operatorDrained.has(name)) return 'operator';
    return this.servers.get(name)?.rehandshakeBy !== undefined ? 'rehandshake' : undefined;
  }

  /** An operator's undrain: the server takes work again (unless it is draining for a re-handshake). */
  undrainServer(name: string, now: number): Effect[] {
    this.operatorDrained.delete(name);
    const server = this.servers.get(name);
    if (!server || !server.draining || server.rehandshakeBy !== undefined) return [];
    server.draining = false;
    return [...this.availabilityChanged(now), ...this.pump(now)];
  }

  // ---- the journal -------------------------------------------------------

  /** The request's fingerprint is on disk: it may go to a server now. */
  journaled(seq: number, now: number): Effect[] {
    const req = this.awaitingJournal.get(seq);
    if (!req) return [];
    this.awaitingJournal.delete(seq);
    req.durable = true;
    return this.pump(now);
  }

  /**
   * The journal could not be written (the disk): the request never ran and
   * must not run unrecorded. The station is told `overloaded` (ask again
   * later); like every refusal it is not cached.
   */
  journalFailed(seq: number, why: string, now: number): Effect[] {
    const req = this.awaitingJournal.get(seq);
    this.awaitingJournal.delete(seq);
    if (!req || req.state !== 'queued' || !req.owned) return [];
    this.queue.remove(req);
    req.state = 'answered';
    const line = this.lines.get(req.line);
    line.inFlight.delete(req.id);
    const msg = `the router cannot record the request (${why}); ask again later`;
    return [note({ event: 'rejected', line: line.name, id: req.id, op: req.op, code: 'overloaded', why: msg }), ...this.lines.tell(line, errorAnswer(req.id, 'overloaded', msg)), ...this.pump(now)];
  }

  // ---- stopping ----------------------------------------------------------

  /**
   * A graceful stop begins: requests never sent are answered `overloaded`
   * (the station asks again later, of this router or another), and from now
   * on new ones too. Requests at a server finish as usual.
   */
  stopAccepting(now: number): Effect[] {
    this.accepting = false;
    return this.pump(now);
  }

  /** Requests at a server that are still owed an answer. */
  atServers(): number {
    let n = 0;
    for (const s of this.servers.values()) for (const req of s.held.values()) if (req.state === 'at-server' && req.owned) n++;
    return n;
  }

  /** The stop cannot wait any longer: every request still at a server is answered `server-lost` now. */
  cutAtServers(now: number, why: string): Effect[] {
    const effects: Effect[] = [];
    for (const s of this.servers.values()) {
      for (const req of s.held.values()) {
        if (req.state === 'at-server' && req.owned) effects.push(...this.lines.finish(req, errorAnswer(req.id, 'server-lost', why), now));
      }
    }
    return effects;
  }

  // ---- time --------------------------------------------------------------

  /**
   * What is due by `now`: every request whose ttl has run out is answered
   * (2.1 rule 5); a server still holding a request well past its ttl (its
   * answer was lost, or it hangs: the slot is held for good) is reset, which
   * settles what it holds; a re-handshake drain that waited long enough ends.
   */
  tick(now: number): Effect[] {
    const effects: Effect[] = [];
    for (const req of this.deadlines.due(now)) effects.push(...this.expire(req, now));
    for (const server of this.servers.overdue(now)) {
      server.resetAsked = true;
      effects.push({ kind: 'reset-server', server: server.name, why: `holds a request ${OVERDUE_GRACE_MS} ms past its ttl` });
    }
    for (const server of this.servers.values()) {
      if (server.rehandshakeBy !== undefined && server.rehandshakeBy <= now) effects.push(...this.rehandshakeNow(server));
    }
    this.servers.refreshHeldBound();
    return effects;
  }

  /** When `tick` next has work, for the edge's one timer. */
  nextDeadline(): number | undefined {
    const server = this.servers.nextServerDeadline();
    const request = this.deadlines.next();
    return server === undefined ? request : request === undefined ? server : Math.min(server, request);
  }

  isKnownOp(op: string): boolean {
    return this.policies.has(op);
  }

  snapshot(): Snapshot {
    return {
      queued: this.queue.countByOp(),
      servers: [...this.servers.values()].map((s) => ({
        name: s.name,
        available: ServerTable.takesWork(s),
        draining: s.draining,
        slots: s.slots,
        busy: s.held.size,
        ops: [...s.ops],
      })),
      lines: [...this.lines.values()].map((l) => ({ name: l.name, up: l.up, inFlight: l.inFlight.size })),
    };
  }

  // ---- inside ------------------------------------------------------------



  private rehandshakeIfIdle(server: { readonly name: string; rehandshakeBy: number | undefined; readonly held: { readonly size: number } }): Effect[] {
    return server.rehandshakeBy !== undefined && server.held.size === 0 ? this.rehandshakeNow(server) : [];
  }

  private rehandshakeNow(server: { readonly name: string; rehandshakeBy: number | undefined }): Effect[] {
    server.rehandshakeBy = undefined;
    return [{ kind: 'rehandshake-now', server: server.name }];
  }

  /** Keeps `no-server` bookkeeping and the peers' offer in step with the servers taking work. */
  private availabilityChanged(now: number): Effect[] {
    const offer = this.availability.update(this.policies.keys(), now);
    return offer ? [{ kind: 'offer-changed', offer }] : [];
  }




  private expire(req: Request, now: number): Effect[] {
    const since = this.availability.unavailableSinceFor(req.op);
    const neverServable = req.state === 'queued' && since !== undefined && since <= req.receivedAt;
    return neverServable
      ? this.lines.finish(req, errorAnswer(req.id, 'no-server', `no server for op '${req.op}' was available during its ttl`), now)
      : this.lines.finish(req, errorAnswer(req.id, 'timeout', `no answer within ${req.deadline - req.receivedAt} ms`), now);
  }



  private queuedAhead(req: Request): number {
    return req.state === 'queued' ? this.queue.aheadOf(req) : 0;
  }

  /**
   * Sends queued requests, oldest first, each to the least busy server that
   * serves its op and has a free slot (2.1 rule 4, 2.2 rule 1). A request
   * that no free server may take (all of them went down on it before) does
   * not block later ones from servers it could not use anyway.
   */
  private pump(now: number): Effect[] {
    const effects: Effect[] = [];
    if (!this.accepting) {
      // Stopping: what waits (a retry op requeued after its server fell, too) is refused, never sent.
      while (this.queue.length > 0) {
        const req = this.queue.at(0);
        effects.push(...this.lines.finish(req, errorAnswer(req.id, 'overloaded', 'the router is stopping: ask again later'), now));
      }
      return effects;
    }
    for (let i = 0; i < this.queue.length; ) {
      if (!this.servers.anyFreeSlot()) break;
      const req = this.queue.at(i);
      if (req.deadline <= now) {
        // 2.1 rule 5: never sent once its ttl has run out, even if the timer is late.
        effects.push(...this.expire(req, now)); // unqueues it: the same index is the next request
        continue;
      }
      const server = req.durable ? this.servers.pick(req, this.lines.get(req.line)?.options.servers) : undefined;
      if (!server) {
        i++;
        continue;
      }
      this.queue.removeAt(i);
      const serverId = this.nextServerId;
      this.nextServerId = (this.nextServerId + 1) % UINT32_SPAN;
      req.state = 'at-server';
      this.servers.hold(server, serverId, req);
      const ttl = Math.max(0, req.deadline - now);
      effects.push(
        note({ event: 'dispatched', line: req.line, id: req.id, op: req.op, server: server.name, waitMs: now - req.receivedAt }),
        {
          kind: 'to-server',
          server: server.name,
          msg: req.body === undefined ? { t: 'req', id: serverId, op: req.op, station: req.station, ttl } : { t: 'req', id: serverId, op: req.op, body: req.body, station: req.station, ttl },
        },
      );
    }
    return effects;
  }
}

export { errorAnswer };
