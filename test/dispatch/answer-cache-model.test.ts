// Review 13b: the answer cache (ring + id index + slabs) against a model
// written from PROTOCOL.md 2.1 rule 2 alone. The model keeps every answer
// event; a request gets an answer back only when the newest answer under its
// id is one of the line's last 256 answers, came after the last hello, is
// under 5 minutes old, and was computed for the same op and body (a missing
// body is not an empty one). Ids are drawn from a small range and from ids
// that share a home bucket, so probe runs wrap and backward shifts happen;
// bodies come from a few values, so equal and unequal bodies both occur.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ANSWER_CACHE_ENTRIES, ANSWER_CACHE_TTL_MS, AnswerCache } from '../../src/dispatch/answer-cache.js';
import { seededRandom, type Random } from '../../src/util/random.js';
import { encodeCbor } from '../../src/wire/cbor.js';
import { encodeMessage, type Answer, type RawBody } from '../../src/wire/messages.js';

interface Put {
  readonly seq: number;
  readonly id: number;
  readonly op: string;
  readonly body: RawBody | undefined;
  readonly answer: Answer;
  readonly at: number;
}

class Model {
  private readonly puts: Put[] = [];
  private clearedAt = 0;

  put(id: number, op: string, body: RawBody | undefined, answer: Answer, at: number): void {
    this.puts.push({ seq: this.puts.length, id, op, body: body && Buffer.from(body), answer: answer.ok ? { ...answer, body: Buffer.from(answer.body) } : { ...answer }, at });
  }

  clear(): void {
    this.clearedAt = this.puts.length;
  }

  get(id: number, op: string, body: RawBody | undefined, now: number): Answer | undefined {
    let newest: Put | undefined;
    for (let i = this.puts.length - 1; i >= 0; i--) if (this.puts[i]!.id === id) { newest = this.puts[i]; break; }
    if (!newest || newest.seq < this.clearedAt || newest.seq < this.puts.length - ANSWER_CACHE_ENTRIES) return undefined;
    if (now - newest.at >= ANSWER_CACHE_TTL_MS) return undefined;
    if (newest.op !== op) return undefined;
    if (newest.body === undefined || body === undefined ? newest.body !== body : Buffer.compare(newest.body, body) !== 0) return undefined;
    return newest.answer;
  }
}

/** Ids whose home bucket in a 512-bucket index is the same (the index's hash, recomputed here). */
function collidingIds(n: number): number[] {
  const home = (id: number) => Math.imul(id, 0x9e3779b1) >>> 23;
  const out: number[] = [];
  for (let id = 0; out.length < n; id++) if (home(id) === 7 || home(id) === 511 || home(id) === 0) out.push(id);
  return out;
}

const BODIES: (RawBody | undefined)[] = [undefined, new Uint8Array(0), encodeCbor(1), encodeCbor(2), encodeCbor({ pan: '1234' }), encodeCbor(Buffer.alloc(3000, 9)), encodeCbor(Buffer.alloc(20_000, 7))]; // the last is over a slab (cache-slabs.ts)
const OPS = ['echo', 'sign', 'ec'];

function pick<T>(r: Random, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)]!;
}

const hex = (a: Answer | undefined) => (a ? encodeMessage(a).toString('hex') : 'none');

for (const [name, idsOf] of [
  ['ids below 400', (r: Random) => Math.floor(r() * 400)],
  ['ids sharing home buckets', ((ids) => (r: Random) => pick(r, ids))(collidingIds(600))],
  ['ids near 2^32', (r: Random) => 0xffff_ffff - Math.floor(r() * 300)],
] as const) {
  test(`${name}: the cache serves exactly what the model does`, () => {
    const r = seededRandom(name.length * 131);
    const cache = new AnswerCache();
    const model = new Model();
    let now = 0;
    // Half the gets ask again exactly what was last answered under the id, so hits are common.
    const lastAsked = new Map<number, [string, RawBody | undefined]>();
    for (let step = 0; step < 30_000; step++) {
      now += r() < 0.01 ? Math.floor(r() * 120_000) : Math.floor(r() * 50);
      const id = idsOf(r);
      const again = r() < 0.5 ? lastAsked.get(id) : undefined;
      const op = again ? again[0] : pick(r, OPS);
      const body = again ? again[1] : pick(r, BODIES);
      const roll = r();
      if (roll < 0.002) {
        cache.clear();
        model.clear();
      } else if (roll < 0.55) {
        const answer: Answer = r() < 0.8
          ? { t: 'res', id, ok: true, body: encodeCbor({ step, id }) }
          : { t: 'res', id, ok: false, err: { code: 'bad-pin', msg: `step ${step}` } };
        // The caller's buffers are reused at once: what the cache keeps must be its own.
        const given = body && Buffer.from(body);
        cache.put(id, op, given, answer, now);
        model.put(id, op, body, answer, now);
        lastAsked.set(id, [op, body]);
        given?.fill(0xee);
        if (answer.ok) (answer.body as Buffer).fill(0xee);
      } else {
        assert.is(hex(cache.get(id, op, body, now)), hex(model.get(id, op, body, now)), `step ${step}: get(${id}, ${op})`);
      }
    }
  });
}

test.run();
