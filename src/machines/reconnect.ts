// One reconnect rule for station lines and server links: the delay before
// the next attempt (start small, double, stay under a ceiling; PROTOCOL.md 2.2
// rule 2 gives 250 ms doubling to 10 s for server links) and how loudly each
// state change is logged (a port or server that stays unreachable is
// reported once, then retried quietly). Plain values in, plain values out.
import type { Level } from '../log/logger.js';

export interface BackoffPolicy {
  readonly firstMs: number;
  readonly maxMs: number;
}

export interface Backoff {
  /** The delay the next failure waits. */
  readonly nextMs: number;
  /** Failed attempts since the last success. */
  readonly failures: number;
}

export const freshBackoff = (policy: BackoffPolicy): Backoff => ({ nextMs: policy.firstMs, failures: 0 });

/** After a failed attempt (or a loss): how long to wait, and the backoff after that. */
export function failed(b: Backoff, policy: BackoffPolicy): { readonly delayMs: number; readonly backoff: Backoff } {
  return { delayMs: b.nextMs, backoff: { nextMs: Math.min(policy.maxMs, b.nextMs * 2), failures: b.failures + 1 } };
}

/**
 * The logging rule. Attempts (opening, connecting, handshaking) are debug;
 * waiting after a failed attempt is a warning the first time and debug after;
 * waiting after a loss (the line or link was up) is always a warning; the rest
 * (open, stopped) is info.
 */
export function levelOf(next: { readonly attempt: boolean; readonly waiting: boolean }, previousWasAttempt: boolean, failures: number): Level {
  if (next.attempt) return 'debug';
  if (next.waiting) return previousWasAttempt && failures > 1 ? 'debug' : 'warn';
  return 'info';
}
