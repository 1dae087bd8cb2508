// PROTOCOL.md 2.1 rule 2: a line's last 256 answers, each for less than 5
// minutes, are sent again to an exact retransmission.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ANSWER_CACHE_ENTRIES, ANSWER_CACHE_TTL_MS, AnswerCache } from '../../src/dispatch/answer-cache.js';
import { fingerprint } from '../../src/dispatch/request.js';
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

cache('AnswerCache: only an equal fingerprint gets the answer', () => {
  const c = new AnswerCache();
  const answer: Answer = { t: 'res', id: 1, ok: true, body: body('a') };
  c.put(1, fingerprint('echo', body(1)), answer, 0);
  assert.is(c.get(1, fingerprint('echo', body(1)), 1), answer);
  assert.is(c.get(1, fingerprint('echo', body(2)), 1), undefined);
  assert.is(c.get(1, fingerprint('other', body(1)), 1), undefined);
  assert.is(c.get(1, fingerprint('echo', undefined), 1), undefined);
  assert.is(c.get(2, fingerprint('echo', body(1)), 1), undefined);
  c.clear();
  assert.is(c.get(1, fingerprint('echo', body(1)), 1), undefined);
});

cache('fingerprints of op and body cannot be confused by moving bytes between them', () => {
  // op "ab" + body X vs op "a" + body "b"||X must differ.
  const x = body(1);
  const shifted = Buffer.concat([Buffer.from('b'), x]);
  assert.not.ok(fingerprint('ab', x).equals(fingerprint('a', shifted)));
  assert.not.ok(fingerprint('a', undefined).equals(fingerprint('a', new Uint8Array(0))));
});

cache.run();
