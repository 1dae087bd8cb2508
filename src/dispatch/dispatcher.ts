// The routing core: PROTOCOL.md 2.1 and 2.2 as plain state. Stations' requests
// wait in one arrival-ordered queue and go to the first server that serves
// their op and has a free slot. Time comes in as arguments; effects go out as
// return values; nothing here touches a port, a socket or a timer.
import type { Answer, ErrorInfo, RawBody } from '../wire/messages.js';
import { AnswerCache } from './answer-cache.js';
import { fingerprint, type Request } from './request.js';
import { ArrivalQueue } from './arrival-queue.js';
import { OVERDUE_GRACE_MS, ServerTable } from './server-table.js';
import type { Effect, LineOptions, OpPolicy, RouterErrorCode, Snapshot } from './types.js';

const UINT32_SPAN = 2 ** 32;
export { OVERDUE_GRACE_MS };

interface LineState {
  readonly name: string;
  readonly options: LineOptions;
  up: boolean;
  /** Requests the station may still be told about, by id. */
  readonly inFlight: Map<number, Request>;
  readonly cache: AnswerCache;
}

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
}

export class Dispatcher {
  private readonly lines = new Map<string, LineState>();
  private readonly servers = new ServerTable();
  private readonly policies: Map<string, OpPolicy>;
  private readonly queue = new ArrivalQueue();
  /** Per op: since when no server has been available for it (undefined while one is). */
  private readonly unavailableSince = new Map<string, number>();
  private seq = 0;
  private nextServerId = 0;

  constructor(private readonly options: DispatcherOptions) {
    this.policies = new Map(options.ops);
    for (const op of this.policies.keys()) this.unavailableSince.set(op, options.startedAt);
  }

  // ---- lines -------------------------------------------------------------

  addLine(name: string, options: LineOptions): void {
    if (this.lines.has(name)) throw new Error(`line '${name}' added twice`);
    this.lines.set(name, { name, options, up: false, inFlight: new Map(), cache: new AnswerCache() });
  }

  lineUp(name: string): void {
    this.line(name).up = true;
  }

  /**
   * The line's port went away. Requests still queued are dropped (never sent);
   * those at a server finish, and their answers wait in the cache for the
   * station's retransmission.
   */
  lineDown(name: string): Effect[] {
    const line = this.line(name);
    line.up = false;
    return this.dropQueued(line, 'line-down');
  }

  /** `hello`: the station (re)started, so the router forgets the line's ids (2.1 rule 2). */
  hello(name: string): Effect[] {
    const line = this.line(name);
    const effects = this.dropQueued(line, 'hello');
    for (const req of line.inFlight.values()) req.owned = false;
    line.inFlight.clear();
    line.cache.clear();
    return effects;
  }

  /**
   * A station's `req`. `station` names the requester to the server: by
   * default `router/line`; a peer's requests keep the peer's own value (2.2).
   */
  request(lineName: string, req: { id: number; op: string; body?: RawBody; ttl?: number; station?: string }, now: number): Effect[] {
    const line = this.line(lineName);
    const fp = fingerprint(req.op, req.body);
    const effects: Effect[] = [];

    const current = line.inFlight.get(req.id);
    if (current?.fingerprint.equals(fp)) {
      effects.push(note({ event: 'retransmission', line: line.name, id: req.id, from: 'in-flight' }));
      effects.push(toStation(line.name, { t: 'ack', id: req.id, q: this.queuedAhead(current) }));
      return effects;
    }
    const cached = line.cache.get(req.id, fp, now);
    if (cached) {
      effects.push(note({ event: 'retransmission', line: line.name, id: req.id, from: 'cache' }));
      effects.push(toStation(line.name, { t: 'ack', id: req.id, q: 0 }), toStation(line.name, cached));
      return effects;
    }
    // Same id, other op or body: a new request, whatever becomes of it. The old answer must never reach it.
    if (current) effects.push(...this.forget(line, current));
    const policy = this.policies.get(req.op);
    if (!policy) return [...effects, ...this.reject(line, req.id, req.op, 'unknown-op', `no server has announced op '${req.op}' and the configuration does not list it`)];
    const size = this.forwardedSize(req.op, req.body, req.station ?? `${this.options.routerName}/${line.name}`);
    if (size > this.options.maxServerBody) {
      return [...effects, ...this.reject(line, req.id, req.op, 'bad-request', `request of ${size} bytes is larger than server links carry (${this.options.maxServerBody})`)];
    }
    if (line.inFlight.size >= line.options.maxOutstanding) {
      return [...effects, ...this.reject(line, req.id, req.op, 'overloaded', `line has ${line.inFlight.size} requests in flight (maxOutstanding ${line.options.maxOutstanding})`)];
    }

    const request: Request = {
      seq: this.seq++,
      line: line.name,
      id: req.id,
      op: req.op,
      body: req.body,
      fingerprint: fp,
      station: req.station ?? `${this.options.routerName}/${line.name}`,
      receivedAt: now,
      // A station's ttl is capped: a deadline days away would only keep a slot of the line.
      deadline: now + Math.min(req.ttl ?? policy.ttlMs, this.options.maxTtlMs),
      state: 'queued',
      owned: true,
      excluded: new Set(),
    };
    line.inFlight.set(request.id, request);
    if (request.deadline <= now) {
      // 2.1 rule 5: a request whose ttl has run out is never sent to a server.
      return [...effects, toStation(line.name, { t: 'ack', id: req.id, q: 0 }), ...this.expire(request, now)];
    }
    this.queue.push(request);
    const sent = this.pump(now);
    effects.push(toStation(line.name, { t: 'ack', id: req.id, q: this.queuedAhead(request) }), ...sent);
    return effects;
  }

  /**
   * A `req` that is not well-formed (2.1: `bad-request`). Its id, when it has
   * one, is taken as reused: a request in flight under it is forgotten, so the
   * station never gets two answers for one id.
   */
  badRequest(lineName: string, id: number | null, why: string): Effect[] {
    const line = this.line(lineName);
    const current = id === null ? undefined : line.inFlight.get(id);
    const effects = current ? this.forget(line, current) : [];
    return [...effects, note({ event: 'rejected', line: line.name, id, code: 'bad-request', why }), toStation(line.name, errorAnswer(id, 'bad-request', why))];
  }

  // ---- servers -----------------------------------------------------------

  /** The link is open (after its handshake); the server is not available before `ready`. */
  serverConnected(name: string, now: number): Effect[] {
    // A link reports down before it reconnects; if it ever did not, settle the old connection first.
    const effects = this.servers.has(name) ? this.serverDown(name, now) : [];
    this.servers.add(name);
    return effects;
  }

  /** `ready` (2.2): slots and ops, first or changed. */
  serverReady(name: string, slots: number, ops: readonly string[], now: number): Effect[] {
    const server = this.servers.get(name);
    if (!server) return [];
    server.phase = 'ready';
    server.slots = slots;
    server.ops = new Set(ops);
    for (const op of ops) if (!this.policies.has(op)) this.policies.set(op, this.options.defaultPolicy);
    this.updateAvailability(now);
    return [note({ event: 'server-available', server: name, slots, ops }), ...this.pump(now)];
  }

  serverAnswer(name: string, id: number, outcome: { ok: true; body: RawBody } | { ok: false; err: ErrorInfo }, now: number): Effect[] {
    const server = this.servers.get(name);
    const req = server?.held.get(id);
    if (!server || !req) return [note({ event: 'late-answer', server: name, why: 'unknown-id' })];
    server.held.delete(id);
    const effects: Effect[] = [];
    if (req.state === 'answered') {
      effects.push(note({ event: 'late-answer', server: name, why: 'already-answered' }));
    } else {
      const answer: Answer = outcome.ok
        ? { t: 'res', id: req.id, ok: true, body: outcome.body }
        : { t: 'res', id: req.id, ok: false, err: outcome.err }; // 2.1: a server's own err passes unchanged
      effects.push(...this.finish(req, answer, now));
    }
    return [...effects, ...this.pump(now)];
  }

  /** The link dropped (closed, or 3 pings unanswered): settle everything it held (2.2 rule 3). */
  serverDown(name: string, now: number): Effect[] {
    const server = this.servers.get(name);
    if (!server) return [];
    this.servers.delete(name);
    this.updateAvailability(now);
    const effects: Effect[] = [note({ event: 'server-down', server: name, held: server.held.size })];
    for (const req of server.held.values()) {
      if (req.state === 'answered') continue;
      if (!req.owned) {
        // The station forgot it (hello, id reused): nobody is waiting for it any more.
        req.state = 'answered';
        effects.push(note({ event: 'dropped', line: req.line, id: req.id, op: req.op, why: 'forgotten' }));
      } else if (this.policies.get(req.op)?.retry && this.servers.anotherServes(req)) {
        req.excluded.add(name);
        req.state = 'queued';
        this.queue.reinsert(req);
        effects.push(note({ event: 'requeued', line: req.line, id: req.id, op: req.op, server: name }));
      } else {
        const why = this.policies.get(req.op)?.retry ? 'and no other server serves its op' : 'and its op may not be retried';
        effects.push(...this.finish(req, errorAnswer(req.id, 'server-lost', `server ${name} went down holding the request, ${why}`), now));
      }
    }
    return [...effects, ...this.pump(now)];
  }

  /** No new work for this server; it finishes what it holds (before a re-handshake). */
  drainServer(name: string, now: number): void {
    const server = this.servers.get(name);
    if (!server) return;
    server.draining = true;
    this.updateAvailability(now);
  }

  /** True when the server holds no request (or is gone). */
  isServerIdle(name: string): boolean {
    return (this.servers.get(name)?.held.size ?? 0) === 0;
  }

  // ---- time --------------------------------------------------------------

  /** Answers every request whose ttl has run out (2.1 rule 5). */
  tick(now: number): Effect[] {
    const effects: Effect[] = [];
    for (const req of this.pending()) if (req.deadline <= now) effects.push(...this.expire(req, now));
    return effects;
  }

  /** When `tick` (or `overdueServers`) next has work, for the edge's one timer. */
  nextDeadline(): number | undefined {
    let next = this.servers.nextOverdueAt();
    for (const req of this.pending()) if (next === undefined || req.deadline < next) next = req.deadline;
    return next;
  }

  /**
   * Servers still holding a request well past its ttl (which the server was
   * told): its answer was lost, or the server hangs. Each holds a slot for
   * good, so the edge resets their links, which settles what they hold.
   */
  overdueServers(now: number): string[] {
    return this.servers.overdue(now);
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
        slots: s.slots,
        busy: s.held.size,
        ops: [...s.ops],
      })),
      lines: [...this.lines.values()].map((l) => ({ name: l.name, up: l.up, inFlight: l.inFlight.size })),
    };
  }

  // ---- inside ------------------------------------------------------------

  private line(name: string): LineState {
    const line = this.lines.get(name);
    if (!line) throw new Error(`unknown line '${name}'`);
    return line;
  }

  private *pending(): Iterable<Request> {
    for (const line of this.lines.values()) yield* line.inFlight.values();
  }

  /**
   * 2.1 rule 1: every well-formed req gets an ack, then exactly one res, so a
   * request refused at once (unknown-op, overloaded) gets both, back to back.
   * Refusals are not cached: the same request may succeed when retried later.
   */
  private reject(line: LineState, id: number, op: string, code: RouterErrorCode, why: string): Effect[] {
    return [
      note({ event: 'rejected', line: line.name, id, op, code, why }),
      toStation(line.name, { t: 'ack', id, q: 0 }),
      toStation(line.name, errorAnswer(id, code, why)),
    ];
  }

  /** The one place a request gets its answer: exactly once, cached, sent if the line can hear it. */
  private finish(req: Request, answer: Answer, now: number): Effect[] {
    if (req.state === 'queued') this.queue.remove(req);
    req.state = 'answered';
    if (!req.owned) return [];
    const line = this.line(req.line);
    line.inFlight.delete(req.id);
    line.cache.put(req.id, req.fingerprint, answer, now);
    const outcome = answer.ok ? 'ok' : answer.err.code;
    const effects: Effect[] = [note({ event: 'answered', line: line.name, id: req.id, op: req.op, outcome, totalMs: now - req.receivedAt })];
    if (line.up) effects.push(toStation(line.name, answer));
    return effects;
  }

  private expire(req: Request, now: number): Effect[] {
    const since = this.unavailableSince.get(req.op);
    const neverServable = req.state === 'queued' && since !== undefined && since <= req.receivedAt;
    return neverServable
      ? this.finish(req, errorAnswer(req.id, 'no-server', `no server for op '${req.op}' was available during its ttl`), now)
      : this.finish(req, errorAnswer(req.id, 'timeout', `no answer within ${req.deadline - req.receivedAt} ms`), now);
  }

  private forget(line: LineState, req: Request): Effect[] {
    req.owned = false;
    line.inFlight.delete(req.id);
    if (req.state === 'queued') {
      this.queue.remove(req);
      req.state = 'answered';
    }
    return [note({ event: 'dropped', line: line.name, id: req.id, op: req.op, why: 'id-reused' })];
  }

  /**
   * Bytes of the `req` a server would get (sealing aside), counted rather
   * than encoded on this hot path: map head, `t: "req"`, `id` and `ttl` at
   * their widest (5 bytes each), `op`, `body` as sent, `station`.
   */
  private forwardedSize(op: string, body: RawBody | undefined, station: string): number {
    const fixed = 1 + (2 + 4) + (3 + 5) + (4 + 5) + 3 + 8;
    return fixed + cborTextSize(op) + cborTextSize(station) + (body === undefined ? 0 : 5 + body.length);
  }

  private dropQueued(line: LineState, why: 'line-down' | 'hello'): Effect[] {
    const effects: Effect[] = [];
    for (const req of [...line.inFlight.values()]) {
      if (req.state !== 'queued') continue;
      this.queue.remove(req);
      req.state = 'answered';
      req.owned = false;
      line.inFlight.delete(req.id);
      effects.push(note({ event: 'dropped', line: line.name, id: req.id, op: req.op, why }));
    }
    return effects;
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
    for (let i = 0; i < this.queue.length; ) {
      if (!this.servers.anyFreeSlot()) break;
      const req = this.queue.at(i);
      if (req.deadline <= now) {
        // 2.1 rule 5: never sent once its ttl has run out, even if the timer is late.
        effects.push(...this.expire(req, now)); // unqueues it: the same index is the next request
        continue;
      }
      const server = this.servers.pick(req, this.lines.get(req.line)?.options.servers);
      if (!server) {
        i++;
        continue;
      }
      this.queue.removeAt(i);
      const serverId = this.nextServerId;
      this.nextServerId = (this.nextServerId + 1) % UINT32_SPAN;
      req.state = 'at-server';
      server.held.set(serverId, req);
      const ttl = Math.max(0, req.deadline - now);
      effects.push(
        note({ event: 'dispatched', line: req.line, id: req.id, op: req.op, server: server.name, waitMs: now - req.receivedAt }),
        {
          kind: 'to-server',
          server: server.name,
          msg: { t: 'req', id: serverId, op: req.op, ...(req.body === undefined ? {} : { body: req.body }), station: req.station, ttl },
        },
      );
    }
    return effects;
  }

  /** `no-server` needs to know, per op, since when no server could take it. */
  private updateAvailability(now: number): void {
    for (const op of this.policies.keys()) {
      if (this.servers.availableFor(op)) this.unavailableSince.delete(op);
      else if (!this.unavailableSince.has(op)) this.unavailableSince.set(op, now);
    }
  }
}

function note(n: Extract<Effect, { kind: 'note' }>['note']): Effect {
  return { kind: 'note', note: n };
}

function toStation(line: string, msg: Extract<Effect, { kind: 'to-station' }>['msg']): Effect {
  return { kind: 'to-station', line, msg };
}

/** Encoded size of a CBOR text string: head (1, 2, 3 or 5 bytes) + UTF-8 bytes. */
function cborTextSize(text: string): number {
  const n = Buffer.byteLength(text, 'utf8');
  return n + (n < 24 ? 1 : n < 256 ? 2 : n < 65536 ? 3 : 5);
}

export function errorAnswer(id: number | null, code: RouterErrorCode, msg: string): Answer {
  return { t: 'res', id, ok: false, err: { code, msg } };
}
