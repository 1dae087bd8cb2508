// The servers the dispatcher may send work to, their slots and what each
// holds (PROTOCOL.md 2.2). Pure state; the dispatcher decides what to do.
import type { Request } from './request.js';
import { IdMap } from './id-map.js';

/** connected (link open, no `ready` yet) -> ready; gone when the link drops. */
export type ServerPhase = 'connected' | 'ready';

export interface ServerState {
  readonly name: string;
  phase: ServerPhase;
  /** Gets no new work (an operator's drain, or its link wants a fresh handshake); finishes what it holds. */
  draining: boolean;
  /** Draining for a re-handshake: reconnect once idle, or at this time at the latest. */
  rehandshakeBy: number | undefined;
  /** A reset was asked for (overdue): asked once, until the link goes down. */
  resetAsked: boolean;
  slots: number;
  ops: ReadonlySet<string>;
  /** By the id the router chose for the server; answered requests stay until the server answers, holding their slot. */
  /** By the id the router gave it on the link: an IdMap, as it gains and loses one per request (id-map.ts). */
  readonly held: IdMap<Request>;
}

/** How long past a request's ttl a server may still answer before its link is reset. */
export const OVERDUE_GRACE_MS = 5_000;

export class ServerTable {
  private readonly servers = new Map<string, ServerState>();
  /**
   * Never later than the earliest deadline of a request held at a server:
   * lowered as requests are handed over, made exact again only by
   * `refreshHeldBound` when the dispatcher's timer reaches it. Scanning every
   * held request after each batch of effects was ~2% of the router's CPU
   * under load; a bound that is early only makes the timer fire early once.
   */
  private heldBound = Infinity;

  has(name: string): boolean {
    return this.servers.has(name);
  }

  get(name: string): ServerState | undefined {
    return this.servers.get(name);
  }

  add(name: string): ServerState {
    const server: ServerState = { name, phase: 'connected', draining: false, rehandshakeBy: undefined, resetAsked: false, slots: 0, ops: new Set(), held: new IdMap() };
    this.servers.set(name, server);
    return server;
  }

  delete(name: string): void {
    this.servers.delete(name);
  }

  values(): IterableIterator<ServerState> {
    return this.servers.values();
  }

  /** Ready and not draining. */
  static takesWork(s: ServerState): boolean {
    return s.phase === 'ready' && !s.draining;
  }

  anyFreeSlot(): boolean {
    for (const s of this.servers.values()) if (ServerTable.takesWork(s) && s.held.size < s.slots) return true;
    return false;
  }

  /**
   * The least busy server (by share of its slots) that serves the op, has a
   * free slot, never failed this request and, when the line is bound to some
   * servers (`allowed`), is one of them.
   */
  pick(req: Request, allowed?: ReadonlySet<string>): ServerState | undefined {
    let best: ServerState | undefined;
    let bestLoad = Infinity;
    for (const s of this.servers.values()) {
      if (!ServerTable.takesWork(s) || s.held.size >= s.slots || !s.ops.has(req.op) || req.excluded.has(s.name)) continue;
      if (allowed && !allowed.has(s.name)) continue;
      const load = s.held.size / s.slots;
      if (load < bestLoad) {
        best = s;
        bestLoad = load;
      }
    }
    return best;
  }

  /** 2.2 rule 3: a retried request goes to another server, never back to one that failed it. */
  anotherServes(req: Request): boolean {
    for (const s of this.servers.values()) if (s.phase === 'ready' && s.ops.has(req.op) && !req.excluded.has(s.name)) return true;
    return false;
  }

  /** Whether some server could take work of this op now (for `no-server`). */
  availableFor(op: string): boolean {
    for (const s of this.servers.values()) if (ServerTable.takesWork(s) && s.slots > 0 && s.ops.has(op)) return true;
    return false;
  }

  /** Servers still holding a request OVERDUE_GRACE_MS past its ttl, not yet asked to reset. */
  overdue(now: number): ServerState[] {
    const found: ServerState[] = [];
    for (const s of this.servers.values()) {
      if (s.resetAsked) continue;
      for (const req of s.held.values()) {
        if (req.deadline + OVERDUE_GRACE_MS <= now) {
          found.push(s);
          break;
        }
      }
    }
    return found;
  }

  /** Hands `req` to `server` under the id the router chose for it. */
  hold(server: ServerState, id: number, req: Request): void {
    server.held.set(id, req);
    if (req.deadline < this.heldBound) this.heldBound = req.deadline;
  }

  /** Makes the bound exact: the earliest deadline held by a server not yet asked to reset. */
  refreshHeldBound(): void {
    let bound = Infinity;
    for (const s of this.servers.values()) {
      if (s.resetAsked) continue;
      for (const req of s.held.values()) if (req.deadline < bound) bound = req.deadline;
    }
    this.heldBound = bound;
  }

  /** When the next server decision may be due (never later than it is): a held request overdue, or a re-handshake drain's limit. */
  nextServerDeadline(): number | undefined {
    let holding = false;
    let next = Infinity;
    for (const s of this.servers.values()) {
      if (s.held.size > 0) holding = true;
      if (s.rehandshakeBy !== undefined && s.rehandshakeBy < next) next = s.rehandshakeBy;
    }
    // Nothing held: nothing can be overdue, whatever the bound remembered.
    if (!holding) this.heldBound = Infinity;
    next = Math.min(next, this.heldBound + OVERDUE_GRACE_MS);
    return next === Infinity ? undefined : next;
  }

  /** What a peer may be offered now: the ops of servers taking work with slots (PROTOCOL.md 2.2, peers). */
  offer(): { ops: string[]; anyAvailable: boolean } {
    const available = [...this.servers.values()].filter((s) => ServerTable.takesWork(s) && s.slots > 0);
    return { ops: [...new Set(available.flatMap((s) => [...s.ops]))].sort(), anyAvailable: available.length > 0 };
  }
}
