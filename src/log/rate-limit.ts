// One log budget per source of outside input: per station line, per listener
// (the data server's, the peer port), never per connection, since a client can
// open as many connections as it likes (issue 11 item 4). A source writes at
// most LINES_PER_MINUTE lines in any 60 s (a sliding window, every level
// alike); past that its lines are counted by event and, once a minute while
// that goes on, one `log.suppressed` line says what was left out. So a source
// costs at most LINES_PER_MINUTE + 1 lines a minute, whatever it is sent.
// Lines below the logger's level cost nothing.
import type { Fields, Level, Logger } from './logger.js';

/** Lines a minute one source may write (the summary line comes on top). */
export const LINES_PER_MINUTE = 30;
export const WINDOW_MS = 60_000;

export interface RateLimitOptions {
  readonly perMinute?: number;
  /** Monotonic ms (default performance.now). */
  readonly now?: () => number;
  /** Runs `fn` after `ms` (default an unref'd setTimeout); returns a cancel. */
  readonly after?: (ms: number, fn: () => void) => () => void;
}

export interface RateLimitedLogger extends Logger {
  /** Writes the summary of what was suppressed now, if anything was. */
  flush(): void;
  /** Cancels the pending summary after writing it (a source that goes away). */
  close(): void;
  readonly counts: { readonly written: number; readonly suppressed: number };
}

/** Every logger made here, children included: what already spends a source's budget. */
const budgeted = new WeakSet<Logger>();

/** True for a logger that already spends a source's budget (rateLimited or one of its children). */
export function isRateLimited(log: Logger): boolean {
  return budgeted.has(log);
}

const defaultAfter = (ms: number, fn: () => void): (() => void) => {
  const t = setTimeout(fn, ms);
  t.unref();
  return () => clearTimeout(t);
};

/**
 * A logger with the budget of one source. `source` names it in the summary
 * (e.g. `{ line: 'm1-s1' }`, `{ listener: '0.0.0.0:7000' }`). Its children
 * (one per connection, say) add their fields and share the same budget.
 */
export function rateLimited(log: Logger, source: Fields, options: RateLimitOptions = {}): RateLimitedLogger {
  const perMinute = options.perMinute ?? LINES_PER_MINUTE;
  const now = options.now ?? (() => performance.now());
  const after = options.after ?? defaultAfter;
  // Times of the last `perMinute` lines written, oldest at `next`.
  const times: (number | undefined)[] = new Array<number | undefined>(perMinute).fill(undefined);
  let next = 0;
  const suppressed = new Map<string, number>();
  let cancelSummary: (() => void) | undefined;
  const counts = { written: 0, suppressed: 0 };

  const flush = (): void => {
    cancelSummary?.();
    cancelSummary = undefined;
    if (suppressed.size === 0) return;
    const total = [...suppressed.values()].reduce((a, b) => a + b, 0);
    const events = [...suppressed].map(([e, k]) => `${e}:${k}`).join(',');
    suppressed.clear();
    log.warn('log.suppressed', { ...source, suppressed: total, events, limit: `${perMinute}/min` });
  };

  const admit = (): boolean => {
    const t = now();
    const oldest = times[next];
    if (oldest !== undefined && t - oldest < WINDOW_MS) return false;
    times[next] = t;
    next = (next + 1) % perMinute;
    return true;
  };

  const make = (target: Logger): Logger => {
    const at =
      (level: Level) =>
      (event: string, fields?: Fields): void => {
        if (!target.enabled(level)) return;
        if (admit()) {
          counts.written++;
          target[level](event, fields);
          return;
        }
        counts.suppressed++;
        suppressed.set(event, (suppressed.get(event) ?? 0) + 1);
        cancelSummary ??= after(WINDOW_MS, flush);
      };
    const limited: Logger = {
      debug: at('debug'),
      info: at('info'),
      warn: at('warn'),
      error: at('error'),
      enabled: (level) => target.enabled(level),
      child: (fields) => make(target.child(fields)),
    };
    budgeted.add(limited);
    return limited;
  };

  const root: RateLimitedLogger = { ...make(log), flush, close: flush, counts };
  budgeted.add(root);
  return root;
}
