// The answers a line's station may ask for again (PROTOCOL.md 2.1 rule 2):
// the last 256 answered requests, each for 5 minutes, keyed by id and only
// served to a request with the same op and body.
//
// An entry lives about as long as 256 answers take on its line (under a
// second at full load), long enough to outlive the young generation: every
// entry is promoted and later collected as old garbage. So an entry is kept
// small: the request's body and the answer's body share one view into the
// line's slabs (cache-slabs.ts), and the answer is rebuilt on the rare hit.
// Before, an entry was an answer object and two buffers of their own, about
// 700 bytes of objects and allocations; at 32 lines under full load that was
// ~20 MB of resident memory (README, "The router's cost per request").
import type { Answer, ErrorInfo, RawBody } from '../wire/messages.js';
import { CacheSlabs } from './cache-slabs.js';

export const ANSWER_CACHE_ENTRIES = 256;
export const ANSWER_CACHE_TTL_MS = 5 * 60_000;

interface Entry {
  readonly op: string;
  /** The request's body (when it had one), then the answer's body (when ok). */
  readonly bytes: Buffer;
  /** Where the answer's body starts in `bytes`; -1: the request had no body. */
  readonly requestEnd: number;
  readonly err: ErrorInfo | undefined;
  readonly at: number;
}

export class AnswerCache {
  // A Map iterates in insertion order, so the first key is the oldest answer.
  private readonly entries = new Map<number, Entry>();
  private readonly slabs = new CacheSlabs();

  put(id: number, op: string, requestBody: RawBody | undefined, answer: Answer, now: number): void {
    this.entries.delete(id);
    const bytes = this.slabs.copy(requestBody, answer.ok ? answer.body : undefined);
    this.entries.set(id, { op, bytes, requestEnd: requestBody === undefined ? -1 : requestBody.length, err: answer.ok ? undefined : answer.err, at: now });
    if (this.entries.size > ANSWER_CACHE_ENTRIES) {
      const oldest = this.entries.keys().next().value as number;
      this.entries.delete(oldest);
    }
  }

  /** The answer computed for exactly this request (same op and body), if still kept. */
  get(id: number, op: string, requestBody: RawBody | undefined, now: number): Answer | undefined {
    const entry = this.entries.get(id);
    if (!entry) return undefined;
    if (now - entry.at >= ANSWER_CACHE_TTL_MS) {
      this.entries.delete(id);
      return undefined;
    }
    if (entry.op !== op) return undefined;
    const answerStart = Math.max(0, entry.requestEnd);
    if (requestBody === undefined ? entry.requestEnd !== -1 : entry.requestEnd === -1 || Buffer.compare(entry.bytes.subarray(0, answerStart), requestBody) !== 0) return undefined;
    return entry.err ? { t: 'res', id, ok: false, err: entry.err } : { t: 'res', id, ok: true, body: entry.bytes.subarray(answerStart) };
  }

  clear(): void {
    this.entries.clear();
  }
}
