// How long a fingerprint matters. PROTOCOL.md 2.1 rule 2: a station may
// retransmit a request until 5 minutes after its answer, and the answer comes
// at the latest at the end of its ttl. So a fingerprint is kept for ttl + 5
// minutes from its arrival, and not longer: the journal is bounded by that
// window (at most the longest ttl, 1 h, plus 5 minutes).

/** PROTOCOL.md 2.1 rule 2: answers are repeated for 5 minutes. */
export const ANSWER_WINDOW_MS = 5 * 60_000;

/** Until when a request received at `receivedAtMs` with `ttlMs` may be retransmitted. */
export function keepUntil(receivedAtMs: number, ttlMs: number): number {
  return receivedAtMs + Math.max(0, ttlMs) + ANSWER_WINDOW_MS;
}
