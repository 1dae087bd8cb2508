// What the status model knows about one station line, and the one rule that
// turns it into a state (LINE_PRECEDENCE in patterns.ts).
import type { LinePhase } from '../router/events.js';
import { LINE_PATTERNS, LINE_PRECEDENCE } from './patterns.js';
import type { LineState, LineView } from './view.js';
import { LatencyRing, RecentCount } from './windows.js';
import { IdMap } from '../dispatch/id-map.js';

/** A request of this line that has not been answered: waiting in the queue, or at a server. */
export interface Pending {
  readonly op: string;
  server: string | undefined;
}

/** Answers kept for p50/p99. */
const RECENT_ANSWERS = 256;

export class LineRecord {
  phase: LinePhase;
  why: string | undefined;
  station: string | undefined;
  /** A station has spoken (hello, ping, a request: any bytes in) since the port last opened. */
  spoke = false;
  /** An IdMap, not a Map: it gains and loses an id per request (dispatch/id-map.ts). */
  readonly pending = new IdMap<Pending>();
  requests = 0;
  readonly answers: Record<string, number> = {};
  readonly drops: Record<string, number> = {};
  bytesIn = 0;
  bytesOut = 0;
  /** Dropped frames, bad requests, timeouts: one-second buckets over a minute. */
  readonly errors = new RecentCount(1_000, 60);
  lastError: { at: number; what: string } | undefined;
  readonly latency = new LatencyRing(RECENT_ANSWERS);
  lastTrafficAt: number | undefined;
  locateUntil: number | undefined;

  constructor(
    readonly name: string,
    readonly path: string,
    phase: LinePhase,
    station: string | undefined,
  ) {
    this.phase = phase;
    this.station = station;
    this.spoke = station !== undefined;
  }

  error(now: number, what: string): void {
    this.errors.add(now);
    this.lastError = { at: now, what };
  }

  /** The port closed or reopened: whoever spoke before is not known to be there now. */
  portChanged(phase: LinePhase, why: string | undefined): void {
    this.phase = phase;
    this.why = why;
    if (phase !== 'open') {
      this.station = undefined;
      this.spoke = false;
      this.pending.clear();
    }
  }

  state(now: number): LineState {
    const holds: Record<LineState, () => boolean> = {
      stopped: () => this.phase === 'stopped',
      'device-missing': () => this.phase !== 'open',
      errors: () => this.errors.total(now) > 0,
      'waiting-for-server': () => this.pending.values().some((p) => p.server === undefined),
      'in-flight': () => this.pending.size > 0,
      idle: () => this.spoke,
      'no-station': () => true,
    };
    return LINE_PRECEDENCE.find((s) => holds[s]())!;
  }

  view(now: number): LineView {
    const state = this.state(now);
    const locating = this.locateUntil !== undefined && now < this.locateUntil;
    const queued = this.pending.values().filter((p) => p.server === undefined).length;
    const [p50, p99] = this.latency.percentiles(50, 99);
    return {
      name: this.name,
      path: this.path,
      state,
      pattern: locating ? 'locate' : LINE_PATTERNS[state].pattern,
      ...(this.why !== undefined && this.phase !== 'open' ? { why: this.why } : {}),
      ...(this.station !== undefined ? { station: this.station } : {}),
      queued,
      inFlight: this.pending.size - queued,
      requests: this.requests,
      answers: { ...this.answers },
      drops: { ...this.drops },
      bytesIn: this.bytesIn,
      bytesOut: this.bytesOut,
      errorsLastMinute: this.errors.total(now),
      ...(this.lastError ? { lastError: { ...this.lastError } } : {}),
      ...(p50 !== undefined ? { p50Ms: p50 } : {}),
      ...(p99 !== undefined ? { p99Ms: p99 } : {}),
      ...(this.lastTrafficAt !== undefined ? { lastTrafficAt: this.lastTrafficAt } : {}),
      ...(locating ? { locateUntil: this.locateUntil } : {}),
    };
  }
}
