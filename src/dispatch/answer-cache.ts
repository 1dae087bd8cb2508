// The answers a line's station may ask for again (PROTOCOL.md 2.1 rule 2):
// the last 256 answered requests, each for 5 minutes, keyed by id and only
// served to a request with the same op and body.
//
// An entry lives about as long as 256 answers take on its line (under a
// second at full load): long enough to outlive V8's young generation, so
// whatever an entry allocates is promoted and later collected as old
// garbage, the router's main cost in resident memory. So the cache
// allocates nothing per entry: a ring of 256 slots in fixed arrays (the
// oldest answer is overwritten first), an index of typed arrays from id to
// slot (id-index.ts), and the bytes (request body, then answer body) in the
// line's slabs (cache-slabs.ts). The answer is rebuilt on a hit, which is rare.
// An id answered again empties its older slot, which still counts among the
// last 256 answers until the ring comes round to it: 255 answers kept then.
import type { Answer, ErrorInfo, RawBody } from '../wire/messages.js';
import { CacheSlabs } from './cache-slabs.js';
import { IdIndex } from './id-index.js';

export const ANSWER_CACHE_ENTRIES = 256;
export const ANSWER_CACHE_TTL_MS = 5 * 60_000;

/** A slot's id while it is empty: ids are uint32, so no request has it. */
const NO_ID = -1;

export class AnswerCache {
  private readonly ids = new Float64Array(ANSWER_CACHE_ENTRIES).fill(NO_ID);
  private readonly answeredAt = new Float64Array(ANSWER_CACHE_ENTRIES);
  private readonly ops = new Array<string | undefined>(ANSWER_CACHE_ENTRIES).fill(undefined);
  private readonly errs = new Array<ErrorInfo | undefined>(ANSWER_CACHE_ENTRIES).fill(undefined);
  /** The slab holding the slot's bytes (cache-slabs.ts), and where they are in it. */
  private readonly slabOf = new Int32Array(ANSWER_CACHE_ENTRIES);
  private readonly start = new Int32Array(ANSWER_CACHE_ENTRIES);
  /** Where the request's body ends (the answer's begins); -1: the request had no body. */
  private readonly requestEnd = new Int32Array(ANSWER_CACHE_ENTRIES);
  private readonly end = new Int32Array(ANSWER_CACHE_ENTRIES);
  private readonly index = new IdIndex(ANSWER_CACHE_ENTRIES, (slot) => this.ids[slot]!);
  private readonly slabs = new CacheSlabs();
  /** The slot the next answer takes: the oldest. */
  private next = 0;

  put(id: number, op: string, requestBody: RawBody | undefined, answer: Answer, now: number): void {
    // The same id answered again: only the newer answer may be served.
    const same = this.index.find(id);
    if (same >= 0) this.empty(same);
    const slot = this.next;
    this.next = (slot + 1) % ANSWER_CACHE_ENTRIES;
    if (this.ids[slot] !== NO_ID) this.empty(slot);
    const answerBody = answer.ok ? answer.body : undefined;
    const at = this.slabs.place(requestBody, answerBody);
    this.ids[slot] = id;
    this.answeredAt[slot] = now;
    this.ops[slot] = op;
    this.errs[slot] = answer.ok ? undefined : answer.err;
    this.slabOf[slot] = this.slabs.lastSlab;
    this.start[slot] = at;
    this.requestEnd[slot] = requestBody === undefined ? -1 : at + requestBody.length;
    this.end[slot] = at + (requestBody?.length ?? 0) + (answerBody?.length ?? 0);
    this.index.insert(id, slot);
  }

  /** The answer computed for exactly this request (same op and body), if still kept. */
  get(id: number, op: string, requestBody: RawBody | undefined, now: number): Answer | undefined {
    const slot = this.index.find(id);
    if (slot < 0) return undefined;
    if (now - this.answeredAt[slot]! >= ANSWER_CACHE_TTL_MS) {
      this.empty(slot);
      return undefined;
    }
    if (this.ops[slot] !== op) return undefined;
    const slab = this.slabs.bytes(this.slabOf[slot]!);
    const start = this.start[slot]!;
    const requestEnd = this.requestEnd[slot]!;
    if (requestBody === undefined ? requestEnd !== -1 : requestEnd === -1 || Buffer.compare(slab.subarray(start, requestEnd), requestBody) !== 0) return undefined;
    const err = this.errs[slot];
    // A copy: the slab is written again once this entry leaves (cache-slabs.ts); hits are rare.
    return err ? { t: 'res', id, ok: false, err } : { t: 'res', id, ok: true, body: Buffer.from(slab.subarray(Math.max(start, requestEnd), this.end[slot])) };
  }

  clear(): void {
    for (let slot = 0; slot < ANSWER_CACHE_ENTRIES; slot++) if (this.ids[slot] !== NO_ID) this.empty(slot);
  }

  /** Slabs the cache holds (cache-slabs.ts): bounded by its entries' bytes, whatever the number of answers. */
  get slabCount(): number {
    return this.slabs.count;
  }

  private empty(slot: number): void {
    this.index.remove(this.ids[slot]!);
    this.ids[slot] = NO_ID;
    this.ops[slot] = undefined;
    this.errs[slot] = undefined;
    this.slabs.release(this.slabOf[slot]!);
  }
}
