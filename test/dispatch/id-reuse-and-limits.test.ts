// One answer per id even when a station reuses ids or sends malformed
// requests; requests too large to forward, ttls too long to keep, and
// servers that never answer are each bounded.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Effect } from '../../src/dispatch/types.js';
import { OVERDUE_GRACE_MS } from '../../src/dispatch/dispatcher.js';
import { encodeCbor } from '../../src/wire/cbor.js';
import { body, echo, errorCodes, makeDispatcher, onlySent, readyServer, results, toServer, toStation } from './helpers.js';

const test = suite('id reuse and limits');

test('an in-flight id reused for an unknown op: the old request is forgotten, one res only', () => {
  const d = makeDispatcher();
  readyServer(d, 'A', 1, ['echo'], 0);
  const sent = onlySent(d.request('L1', { id: 5, op: 'echo', body: body(1) }, 0));
  const refused = d.request('L1', { id: 5, op: 'no-such-op' }, 1);
  assert.equal(errorCodes(refused), ['unknown-op']);
  assert.equal(results(echo(d, sent, 2)), [], 'the old answer never reaches the station');
});

test('a malformed req under an in-flight id: bad-request, and the old answer is never sent', () => {
  const d = makeDispatcher();
  readyServer(d, 'A', 1, ['echo'], 0);
  const sent = onlySent(d.request('L1', { id: 7, op: 'echo', body: body(1) }, 0));
  assert.equal(errorCodes(d.badRequest('L1', 7, "field 'ttl': must be an unsigned integer")), ['bad-request']);
  assert.equal(results(echo(d, sent, 2)), []);
  assert.equal(errorCodes(d.badRequest('L1', null, 'no id')), ['bad-request']);
});

test('a request too large for the server links is refused at once, never sent', () => {
  const d = makeDispatcher({ maxServerBody: 200 });
  readyServer(d, 'A', 1, ['echo'], 0);
  const small = d.request('L1', { id: 1, op: 'echo', body: encodeCbor(Buffer.alloc(100)) }, 0);
  assert.is(toServer(small).length, 1);
  const big = d.request('L1', { id: 2, op: 'echo', body: encodeCbor(Buffer.alloc(180)) }, 0);
  assert.equal(toServer(big), []);
  const [res] = results(big);
  assert.ok(res && !res.ok && res.err.code === 'bad-request' && /larger than server links carry \(200\)/.test(res.err.msg), JSON.stringify(res));
});

test("a station's ttl is capped at maxTtlMs", () => {
  const d = makeDispatcher({ maxTtlMs: 1000 });
  d.request('L1', { id: 1, op: 'echo', body: body(1), ttl: 0xffff_ffff }, 0);
  assert.is(d.nextDeadline(), 1000);
  assert.equal(errorCodes(d.tick(1000)), ['no-server']);
});

test('a server holding a request past its ttl plus grace is reset, once, by an effect', () => {
  const d = makeDispatcher({ ops: { echo: { ttlMs: 100, retry: false } } });
  readyServer(d, 'A', 1, ['echo'], 0);
  onlySent(d.request('L1', { id: 1, op: 'echo', body: body(1) }, 0));
  assert.equal(errorCodes(d.tick(100)), ['timeout']);
  const resets = (effects: Effect[]) => effects.filter((e) => e.kind === 'reset-server');
  assert.equal(resets(d.tick(100 + OVERDUE_GRACE_MS - 1)), []);
  assert.is(d.nextDeadline(), 100 + OVERDUE_GRACE_MS, 'the edge is woken to check');
  assert.equal(resets(d.tick(100 + OVERDUE_GRACE_MS)), [{ kind: 'reset-server', server: 'A', why: `holds a request ${OVERDUE_GRACE_MS} ms past its ttl` }]);
  assert.equal(resets(d.tick(100 + OVERDUE_GRACE_MS + 1000)), [], 'asked once, not at every tick');
  const down = d.serverDown('A', 100 + OVERDUE_GRACE_MS);
  assert.equal(toStation(down), [], 'already answered: nothing more for the station');
  assert.is(d.nextDeadline(), undefined);
});

test('the overdue check is never late: a request answered earlier may wake the timer early, once; the overdue one is still reset on time', () => {
  const d = makeDispatcher({ ops: { echo: { ttlMs: 1000, retry: false } } });
  readyServer(d, 'A', 2, ['echo'], 0);
  const quick = onlySent(d.request('L1', { id: 1, op: 'echo', body: body(1), ttl: 100 }, 0));
  onlySent(d.request('L1', { id: 2, op: 'echo', body: body(2), ttl: 300 }, 0));
  echo(d, quick, 10);
  d.hello('L1'); // the station restarted: request 2 stays at A, owed to nobody, with no ttl timer of its own
  const resets = (effects: Effect[]) => effects.filter((e) => e.kind === 'reset-server');
  assert.is(d.nextDeadline(), 100 + OVERDUE_GRACE_MS, 'early: the bound still remembers the first request');
  assert.equal(d.tick(100 + OVERDUE_GRACE_MS), [], 'an early wake-up does nothing');
  assert.is(d.nextDeadline(), 300 + OVERDUE_GRACE_MS, 'and makes the bound exact');
  assert.equal(resets(d.tick(300 + OVERDUE_GRACE_MS)).length, 1, 'the server holding request 2 is reset on time');
});

test.run();
