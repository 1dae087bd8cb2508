// PROTOCOL.md 2.2 rule 2: the router pings a link every ping interval; after
// MISSED_PINGS_LIMIT pings without a pong the link is down. Plain values.
export const MISSED_PINGS_LIMIT = 3;

export interface Liveness {
  /** Pings sent and not yet answered. */
  readonly unanswered: number;
  /** The `n` of the last ping (uint32, wraps). */
  readonly lastN: number;
}

export const freshLiveness: Liveness = { unanswered: 0, lastN: 0 };

/** The ping interval passed: send the next ping, or the link is dead. */
export function pingDue(l: Liveness): { readonly kind: 'ping'; readonly n: number; readonly next: Liveness } | { readonly kind: 'dead'; readonly why: string } {
  if (l.unanswered >= MISSED_PINGS_LIMIT) return { kind: 'dead', why: `no answer to ${MISSED_PINGS_LIMIT} pings` };
  const n = (l.lastN + 1) >>> 0;
  return { kind: 'ping', n, next: { unanswered: l.unanswered + 1, lastN: n } };
}

/** Any pong proves the far end alive (its `n` is not checked: late pongs count too). */
export function pong(l: Liveness): Liveness {
  return { unanswered: 0, lastN: l.lastN };
}
