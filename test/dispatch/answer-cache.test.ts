// PROTOCOL.md 2.1 rule 2: a line's last 256 answers, each for less than 5
// minutes, are sent again to an exact retransmission.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ANSWER_CACHE_ENTRIES, ANSWER_CACHE_TTL_MS, AnswerCache } from '../../src/dispatch/answer-cache.js';
import { sameWork } from '../../src/dispatch/request.js';
import type { Answer } from '../../src/wire/messages.js';
import { body, echo, makeDispatcher, onlySent, readyServer, results, toServer } from './helpers.js';

const cache = suite('answer cache');

cache('the limits are the protocol ones: 256 answers, 5 minutes', () => {
  assert.is(ANSWER_CACHE_ENTRIES, 256);
  assert.is(ANSWER_CACHE_TTL_MS, 300_000);
});

cache('the last 256 answers of a line are kept, the 257th oldest is forgotten', () => {
  const d = makeDispatcher({ ops: { echo: { ttlMs: 1_000_000, retry: false } } });
  readyServer(d, 'A', 1, ['echo'], 0);
  for (let id = 0; id <= 256; id++) echo(d, onlySent(d.request('L1', { id, op: 'echo', body: body(id) }, id)), id);
  const forgotten = d.request('L1', { id: 0, op: 'echo', body: body(0) }, 1000);
  assert.equal(results(forgotten), [], 'answer 0 is 257 answers old');
  assert.is(toServer(forgotten).length, 1, 'so it is dispatched again');
  echo(d, toServer(forgotten)[0]!, 1001); // keeps 2..256 and 0
  const kept = d.request('L1', { id: 2, op: 'echo', body: body(2) }, 1002);
  assert.equal(toServer(kept), []);
  assert.equal(results(kept), [{ t: 'res', id: 2, ok: true, body: body(2) }]);
  const evicted = d.request('L1', { id: 1, op: 'echo', body: body(1) }, 1003);
  assert.is(toServer(evicted).length, 1, 'answer 1 went out when answer 0 came back in');
});

cache('an answer is served for less than 5 minutes, then the request is dispatched again', () => {
  const d = makeDispatcher();
  readyServer(d, 'A', 1, ['echo'], 0);
  echo(d, onlySent(d.request('L1', { id: 1, op: 'echo', body: body(1) }, 0)), 1000);
  const early = d.request('L1', { id: 1, op: 'echo', body: body(1) }, 1000 + 299_999);
  assert.equal(toServer(early), []);
  assert.is(results(early).length, 1);
  const late = d.request('L1', { id: 1, op: 'echo', body: body(1) }, 1000 + 300_000);
  assert.equal(results(late), []);
  assert.is(toServer(late).length, 1);
});

cache('the 5 minutes run from the answer, not from the request', () => {
  const d = makeDispatcher({ ops: { echo: { ttlMs: 600_000, retry: false } } });
  readyServer(d, 'A', 1, ['echo'], 0);
  echo(d, onlySent(d.request('L1', { id: 1, op: 'echo', body: body(1) }, 0)), 200_000);
  assert.is(results(d.request('L1', { id: 1, op: 'echo', body: body(1) }, 450_000)).length, 1);
});

cache('AnswerCache: only the same op and body get the answer, rebuilt byte for byte', () => {
  const c = new AnswerCache();
  const answer: Answer = { t: 'res', id: 1, ok: true, body: body('a') };
  c.put(1, 'echo', body(1), answer, 0);
  assert.equal(c.get(1, 'echo', body(1), 1), answer);
  assert.is(c.get(1, 'echo', body(2), 1), undefined);
  assert.is(c.get(1, 'other', body(1), 1), undefined);
  assert.is(c.get(1, 'echo', undefined, 1), undefined);
  assert.is(c.get(2, 'echo', body(1), 1), undefined);
  c.clear();
  assert.is(c.get(1, 'echo', body(1), 1), undefined);
});

cache('AnswerCache: a request without a body is not one with an empty body; error answers come back whole', () => {
  const c = new AnswerCache();
  const failed: Answer = { t: 'res', id: 3, ok: false, err: { code: 'bad-pin', msg: 'the PIN is wrong' } };
  c.put(3, 'verify', undefined, failed, 0);
  c.put(4, 'verify', new Uint8Array(0), failed, 0);
  assert.equal(c.get(3, 'verify', undefined, 1), failed);
  assert.is(c.get(3, 'verify', new Uint8Array(0), 1), undefined);
  assert.equal(c.get(4, 'verify', new Uint8Array(0), 1), { ...failed, id: 4 });
  assert.is(c.get(4, 'verify', undefined, 1), undefined);
});

cache('AnswerCache: what it keeps is its own copy (the buffers it was given may be reused at once)', () => {
  const c = new AnswerCache();
  const request = Buffer.from(body(7));
  const answerBody = Buffer.from(body('keys'));
  c.put(7, 'echo', request, { t: 'res', id: 7, ok: true, body: answerBody }, 0);
  const expected = Buffer.from(answerBody);
  const asked = Buffer.from(request);
  request.fill(0);
  answerBody.fill(0);
  const got = c.get(7, 'echo', asked, 1);
  assert.ok(got?.ok && Buffer.compare(got.body, expected) === 0);
  // Many entries across slabs keep their own bytes too.
  for (let id = 10; id < 200; id++) c.put(id, 'echo', Buffer.alloc(300, id), { t: 'res', id, ok: true, body: Buffer.alloc(200, id + 1) }, 0);
  for (let id = 10; id < 200; id++) {
    const a = c.get(id, 'echo', Buffer.alloc(300, id), 1);
    assert.ok(a?.ok && Buffer.compare(a.body, Buffer.alloc(200, id + 1)) === 0, `entry ${id}`);
  }
});

cache('AnswerCache: an id answered again serves only its newer answer; the ring keeps the 256 most recent answers', () => {
  const c = new AnswerCache();
  const res = (id: number, tag: number): Answer => ({ t: 'res', id, ok: true, body: body(tag) });
  c.put(5, 'echo', body(1), res(5, 1), 0);
  c.put(5, 'echo', body(2), res(5, 2), 1);
  assert.is(c.get(5, 'echo', body(1), 2), undefined, 'the older request under id 5 is not served');
  assert.equal(c.get(5, 'echo', body(2), 2), res(5, 2));
  for (let id = 1000; id < 1000 + 256; id++) c.put(id, 'echo', body(id), res(id, id), 3);
  assert.is(c.get(5, 'echo', body(2), 4), undefined, '256 newer answers pushed it out');
  for (let id = 1000; id < 1000 + 256; id++) assert.equal(c.get(id, 'echo', body(id), 4), res(id, id), `answer ${id}`);
  c.put(7, 'echo', body(7), res(7, 7), 5);
  assert.is(c.get(1000, 'echo', body(1000), 6), undefined, 'the oldest goes first');
  assert.equal(c.get(1001, 'echo', body(1001), 6), res(1001, 1001));
});

cache('AnswerCache: its slabs are used again, so its memory is bounded by its entries, not by the answers it has seen', () => {
  const c = new AnswerCache();
  const big = (id: number) => Buffer.alloc(200, id % 251);
  const answer = (id: number): Answer => ({ t: 'res', id, ok: true, body: big(id + 1) });
  for (let id = 0; id < 20_000; id++) c.put(id, 'echo', big(id), answer(id), id);
  // 256 entries of 400 bytes fill 7 slabs of 16 KB; one more is being filled and one may wait empty.
  assert.ok(c.slabCount <= 9, `${c.slabCount} slabs after 20,000 answers`);
  for (let id = 20_000 - 256; id < 20_000; id++) assert.equal(c.get(id, 'echo', big(id), 20_000), answer(id), `answer ${id} read back from a used-again slab`);
  c.clear();
  for (let id = 0; id < 256; id++) c.put(id, 'echo', big(id), answer(id), 30_000);
  assert.ok(c.slabCount <= 9, `${c.slabCount} slabs after a clear and 256 more answers`);
});

cache('AnswerCache: an answer larger than a slab gets one of its own, let go when it leaves', () => {
  const c = new AnswerCache();
  const without = new AnswerCache();
  const huge = Buffer.alloc(40_000, 3);
  c.put(1, 'echo', undefined, { t: 'res', id: 1, ok: true, body: huge }, 0);
  assert.equal(c.get(1, 'echo', undefined, 1), { t: 'res', id: 1, ok: true, body: huge });
  for (const cache of [c, without]) for (let id = 2; id < 2 + 600; id++) cache.put(id, 'echo', undefined, { t: 'res', id, ok: true, body: body(id) }, 2);
  assert.is(c.get(1, 'echo', undefined, 3), undefined);
  assert.is(c.slabCount, without.slabCount, 'once the large answer left, its slab went with it');
});

cache('op and body cannot be confused by moving bytes between them', () => {
  // op "ab" + body X vs op "a" + body "b"||X must differ.
  const x = body(1);
  const shifted = Buffer.concat([Buffer.from('b'), x]);
  assert.not.ok(sameWork({ op: 'ab', body: x }, 'a', shifted));
  assert.not.ok(sameWork({ op: 'a', body: undefined }, 'a', new Uint8Array(0)));
  assert.ok(sameWork({ op: 'a', body: x }, 'a', Buffer.from(x)));
});

cache.run();
