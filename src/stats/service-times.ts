// Per-op service time as the router sees it: from the moment a request is
// dispatched to a server to the moment its answer arrives (the server's work
// plus the link's round trip, not the wait in the queue). The capacity
// sizing (issue 13) reads these from the statistics snapshot.
import { IdMap } from '../dispatch/id-map.js';
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
  /** Per line, by id: an IdMap, because a Map gaining and losing a key per request rebuilds its table (id-map.ts). */
  private readonly open = new Map<string, IdMap<{ op: string; at: number }>>();
  private openCount = 0;

  constructor(initial: Readonly<Record<string, OpServiceTimes>> = {}) {
    for (const [op, t] of Object.entries(initial)) this.byOp.set(op, { ...t, counts: [...t.counts] });
  }

  /** Feeds a dispatcher note; `now` is the monotonic time it happened at. */
  note(n: Note, now: number): void {
    switch (n.event) {
      case 'dispatched': {
        if (this.openCount >= MAX_OPEN) return;
        const open = this.openOn(n.line);
        const before = open.size;
        open.set(n.id, { op: n.op, at: now });
        this.openCount += open.size - before;
        return;
      }
      case 'requeued':
      case 'dropped':
        this.close(n.line, n.id);
        return;
      case 'answered': {
        const started = this.close(n.line, n.id);
        // Only answers from a server are its service: a ttl expiry or a lost link is not.
        if (started && !ROUTER_OUTCOMES.has(n.outcome)) this.add(started.op, now - started.at);
        return;
      }
      default:
        return;
    }
  }

  private openOn(line: string): IdMap<{ op: string; at: number }> {
    let open = this.open.get(line);
    if (!open) this.open.set(line, (open = new IdMap()));
    return open;
  }

  /** Forgets an open request; returns when and for what op it was dispatched. */
  private close(line: string, id: number): { op: string; at: number } | undefined {
    const started = this.open.get(line)?.take(id);
    if (started) this.openCount--;
    return started;
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
