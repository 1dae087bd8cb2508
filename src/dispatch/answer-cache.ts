// The answers a line's station may ask for again (PROTOCOL.md 2.1 rule 2):
// the last 256 answered requests, each for 5 minutes, keyed by id and only
// served to a request with the same op and body.
import type { Answer } from '../wire/messages.js';
import { ownCopy } from './own-copy.js';

export const ANSWER_CACHE_ENTRIES = 256;
export const ANSWER_CACHE_TTL_MS = 5 * 60_000;

interface Entry {
  readonly fingerprint: Buffer;
  readonly answer: Answer;
  readonly at: number;
}

export class AnswerCache {
  // A Map iterates in insertion order, so the first key is the oldest answer.
  private readonly entries = new Map<number, Entry>();

  put(id: number, fingerprint: Buffer, answer: Answer, now: number): void {
    this.entries.delete(id);
    // The fingerprint is a slice of the request's pooled bytes: kept for minutes, it gets its own (own-copy.ts).
    this.entries.set(id, { fingerprint: ownCopy(fingerprint), answer, at: now });
    if (this.entries.size > ANSWER_CACHE_ENTRIES) {
      const oldest = this.entries.keys().next().value as number;
      this.entries.delete(oldest);
    }
  }

  /** The answer computed for exactly this request, if still kept. */
  get(id: number, fingerprint: Buffer, now: number): Answer | undefined {
    const entry = this.entries.get(id);
    if (!entry) return undefined;
    if (now - entry.at >= ANSWER_CACHE_TTL_MS) {
      this.entries.delete(id);
      return undefined;
    }
    return entry.fingerprint.equals(fingerprint) ? entry.answer : undefined;
  }

  clear(): void {
    this.entries.clear();
  }
}
