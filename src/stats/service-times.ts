// Per-op service time as the router sees it: from the moment a request is
// dispatched to a server to the moment its answer arrives (the server's work
// plus the link's round trip, not the wait in the queue). The capacity
// sizing (issue 13) reads these from the statistics snapshot.
import type { Note } from '../dispatch/types.js';

/** Upper bounds of the histogram buckets, ms; the last bucket counts everything above. Fixed: snapshots add up across restarts. */
export const SERVICE_BUCKETS_MS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000] as const;

export interface OpServiceTimes {
  /** Answers timed. */
  count: number;
  sumMs: number;
  /** Sum of squares, ms^2: with count and sumMs gives the variance. */
  sumSquaresMs2: number;
  /** counts[i]: answers with a time <= SERVICE_BUCKETS_MS[i] (and above the previous bound); the last entry: above the last bound. */
  counts: number[];
}

/** Requests dispatched and not yet answered are remembered up to this many (a bound, not a working limit). */
const MAX_OPEN = 100_000;

export class ServiceTimes {
  readonly byOp = new Map<string, OpServiceTimes>();
  private readonly open = new Map<string, { op: string; at: number }>();

  constructor(initial: Readonly<Record<string, OpServiceTimes>> = {}) {
    for (const [op, t] of Object.entries(initial)) this.byOp.set(op, { ...t, counts: [...t.counts] });
  }

  /** Feeds a dispatcher note; `now` is the monotonic time it happened at. */
  note(n: Note, now: number): void {
    switch (n.event) {
      case 'dispatched':
        if (this.open.size < MAX_OPEN) this.open.set(key(n.line, n.id), { op: n.op, at: now });
        return;
      case 'requeued':
      case 'dropped':
        this.open.delete(key(n.line, n.id));
        return;
      case 'answered': {
        const k = key(n.line, n.id);
        const started = this.open.get(k);
        this.open.delete(k);
        // Only answers from a server are its service: a ttl expiry or a lost link is not.
        if (started && !ROUTER_OUTCOMES.has(n.outcome)) this.add(started.op, now - started.at);
        return;
      }
      default:
        return;
    }
  }

  add(op: string, ms: number): void {
    let t = this.byOp.get(op);
    if (!t) this.byOp.set(op, (t = { count: 0, sumMs: 0, sumSquaresMs2: 0, counts: new Array<number>(SERVICE_BUCKETS_MS.length + 1).fill(0) }));
    t.count++;
    t.sumMs += ms;
    t.sumSquaresMs2 += ms * ms;
    const i = SERVICE_BUCKETS_MS.findIndex((b) => ms <= b);
    t.counts[i < 0 ? SERVICE_BUCKETS_MS.length : i]!++;
  }

  toJSON(): Record<string, OpServiceTimes> {
    return Object.fromEntries(this.byOp);
  }
}

/** Outcomes the router makes itself (PROTOCOL.md 2.1): not a server's answer. */
const ROUTER_OUTCOMES = new Set(['timeout', 'server-lost', 'no-server', 'overloaded', 'bad-request', 'unknown-op']);

const key = (line: string, id: number): string => `${line}\u0000${id}`;
