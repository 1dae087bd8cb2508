// The status model's output: the one picture of a running router that every
// view renders (LED panel, status page, `persomux status`, /status.json).
// Plain JSON-able data: no Maps, no functions; times in ms.
//
// This file is the contract between the status model (src/status/, fed by
// the router's events: src/router/events.ts) and its views. Add fields
// freely; never rename or remove one without changing every view.

/** One state per line, by precedence: stopped > device-missing > errors > waiting-for-server > in-flight > idle > no-station. */
export type LineState = 'stopped' | 'device-missing' | 'errors' | 'waiting-for-server' | 'in-flight' | 'idle' | 'no-station';
export type ServerState = 'down' | 'handshaking' | 'ready' | 'busy' | 'draining';
export type RouterState = 'starting' | 'running' | 'stopping' | 'fault';

/** What a lamp does, the same word on the box, the page and the terminal. */
export type LedPattern = 'off' | 'on' | 'slow-blink' | 'fast-blink' | 'locate';

export interface LineView {
  readonly name: string;
  readonly path: string;
  readonly state: LineState;
  readonly pattern: LedPattern;
  /** Why the line is in its state when that is not obvious (device missing: the open error). */
  readonly why?: string;
  /** The name the station gave in its last `hello` (display only). */
  readonly station?: string;
  readonly queued: number;
  readonly inFlight: number;
  readonly requests: number;
  /** Answers by code: `ok` or an error code. */
  readonly answers: Readonly<Record<string, number>>;
  readonly drops: Readonly<Record<string, number>>;
  readonly bytesIn: number;
  readonly bytesOut: number;
  /** Dropped frames, bad requests and timeouts in the last minute. */
  readonly errorsLastMinute: number;
  readonly lastError?: { readonly at: number; readonly what: string };
  /** Request to answer, over the recent answers (undefined before the first). */
  readonly p50Ms?: number;
  readonly p99Ms?: number;
  /** Monotonic time of the last frame in or out (the panel flickers on it). */
  readonly lastTrafficAt?: number;
  /** Set while an operator's locate runs on this line (until this monotonic time). */
  readonly locateUntil?: number;
}

export interface ServerView {
  readonly name: string;
  readonly address: string;
  readonly sealed: boolean;
  readonly state: ServerState;
  readonly pattern: LedPattern;
  readonly why?: string;
  readonly slots: number;
  readonly busy: number;
  readonly ops: readonly string[];
  readonly requests: number;
  readonly errors: number;
  readonly handshakes: number;
  readonly drops: Readonly<Record<string, number>>;
  readonly drainedBy?: 'operator' | 'rehandshake';
}

export interface SiteView {
  readonly router: string;
  readonly state: RouterState;
  readonly pattern: LedPattern;
  readonly version: string;
  readonly uptimeMs: number;
  readonly cardsPerHour: number;
  readonly cardsTotal: number;
  readonly requestsTotal: number;
  readonly requestsPerSecond: number;
  readonly queuedByOp: Readonly<Record<string, number>>;
}

export interface StatusView {
  /** Monotonic time the view was taken at (the same clock as the other times here). */
  readonly at: number;
  /** Wall-clock time of the same moment, ISO 8601, for people. */
  readonly wallTime: string;
  readonly site: SiteView;
  readonly lines: readonly LineView[];
  readonly servers: readonly ServerView[];
}
