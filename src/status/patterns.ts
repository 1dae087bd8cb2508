// The one table of what each state shows on a lamp, and what each pattern
// does over time. The LED panel, the status page and the README all read it
// (test/status/patterns-readme.test.ts keeps the README's table equal to it).
import type { LedPattern, LineState, RouterState, ServerState } from './view.js';

/** A line shows one state at a time: the first of these that holds (README "Front panel"). */
export const LINE_PRECEDENCE: readonly LineState[] = ['stopped', 'device-missing', 'errors', 'waiting-for-server', 'in-flight', 'idle', 'no-station'];
/** A server link, likewise. */
export const SERVER_PRECEDENCE: readonly ServerState[] = ['down', 'handshaking', 'draining', 'busy', 'ready'];

interface Row<S extends string> {
  readonly state: S;
  readonly pattern: LedPattern;
  /** For people: what the state means, in the README's words. */
  readonly means: string;
}

export const LINE_PATTERNS: Readonly<Record<LineState, Row<LineState>>> = {
  stopped: { state: 'stopped', pattern: 'off', means: 'the router is not running this line' },
  'device-missing': { state: 'device-missing', pattern: 'off', means: 'the serial adapter is not there (unplugged, or cannot be opened)' },
  errors: { state: 'errors', pattern: 'fast-blink', means: 'dropped frames, bad requests or timeouts in the last minute' },
  'waiting-for-server': { state: 'waiting-for-server', pattern: 'slow-blink', means: 'a request waits in the queue for a free server' },
  'in-flight': { state: 'in-flight', pattern: 'on', means: 'a request is at a server (flickers with each frame)' },
  idle: { state: 'idle', pattern: 'on', means: 'a station has spoken (hello, ping, work) since the port opened; nothing pending' },
  'no-station': { state: 'no-station', pattern: 'on', means: 'the port is open; no station has spoken since' },
};

export const SERVER_PATTERNS: Readonly<Record<ServerState, Row<ServerState>>> = {
  down: { state: 'down', pattern: 'off', means: 'no connection to the data server' },
  handshaking: { state: 'handshaking', pattern: 'fast-blink', means: 'connected, not yet ready (handshake, or waiting for `ready`)' },
  draining: { state: 'draining', pattern: 'slow-blink', means: 'gets no new work (an operator drained it, or it re-handshakes)' },
  busy: { state: 'busy', pattern: 'on', means: 'every slot is taken' },
  ready: { state: 'ready', pattern: 'on', means: 'ready, with free slots' },
};

/** The system lamp is toggled by the process on every backend, never by a kernel timer: a frozen router shows a frozen light. */
export const ROUTER_PATTERNS: Readonly<Record<RouterState, Row<RouterState>>> = {
  starting: { state: 'starting', pattern: 'on', means: 'lines and links are being opened' },
  running: { state: 'running', pattern: 'slow-blink', means: 'routing: the heartbeat' },
  fault: { state: 'fault', pattern: 'fast-blink', means: 'running, but no data server is ready: no card can be made' },
  stopping: { state: 'stopping', pattern: 'off', means: 'stopping (a clean stop turns every lamp off)' },
};

/**
 * What a pattern does: alternating on and off durations (ms) starting with
 * on, repeated; `[]` with `level` for a steady lamp. Blinks are phased on
 * the monotonic clock, so every lamp with one pattern blinks in step.
 */
export interface PatternTiming {
  readonly level: boolean;
  readonly cycleMs: readonly number[];
  readonly looks: string;
}

export const PATTERN_TIMING: Readonly<Record<LedPattern, PatternTiming>> = {
  off: { level: false, cycleMs: [], looks: 'dark' },
  on: { level: true, cycleMs: [], looks: 'steady light; a short flicker per frame, at most one per 100 ms' },
  'slow-blink': { level: true, cycleMs: [500, 500], looks: '1 Hz, half on' },
  'fast-blink': { level: true, cycleMs: [100, 100], looks: '5 Hz, half on' },
  locate: { level: true, cycleMs: [80, 120, 80, 720], looks: 'a double flash every second, for 30 s' },
};

/** How long an operator's locate lasts. */
export const LOCATE_MS = 30_000;
/** A lamp flickers at most once per this many ms, however busy its line. */
export const FLICKER_MIN_GAP_MS = 100;

/** Whether a pattern's lamp is lit at monotonic time `t`. */
export function levelAt(pattern: LedPattern, t: number): boolean {
  const { level, cycleMs } = PATTERN_TIMING[pattern];
  if (cycleMs.length === 0) return level;
  const period = cycleMs.reduce((a, b) => a + b, 0);
  let x = ((t % period) + period) % period;
  for (let i = 0; i < cycleMs.length; i++) {
    x -= cycleMs[i]!;
    if (x < 0) return i % 2 === 0;
  }
  return false;
}

/** A pattern a kernel LED timer can keep going by itself: one on time and one off time. */
export function simpleBlink(pattern: LedPattern): { onMs: number; offMs: number } | undefined {
  const c = PATTERN_TIMING[pattern].cycleMs;
  return c.length === 2 ? { onMs: c[0]!, offMs: c[1]! } : undefined;
}

/** The README's table, generated from the rows above. */
export function patternTableMarkdown(): string {
  const rows = [
    '| lamp | state | pattern | means |',
    '|---|---|---|---|',
    ...LINE_PRECEDENCE.map((s) => LINE_PATTERNS[s]).map((r) => `| line | \`${r.state}\` | ${r.pattern} | ${r.means} |`),
    ...SERVER_PRECEDENCE.map((s) => SERVER_PATTERNS[s]).map((r) => `| server | \`${r.state}\` | ${r.pattern} | ${r.means} |`),
    ...Object.values(ROUTER_PATTERNS).map((r) => `| system | \`${r.state}\` | ${r.pattern} | ${r.means} |`),
    '',
    '| pattern | looks |',
    '|---|---|',
    ...Object.entries(PATTERN_TIMING).map(([p, t]) => `| ${p} | ${t.looks} |`),
  ];
  return rows.join('\n');
}
