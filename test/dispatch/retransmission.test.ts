// PROTOCOL.md 2.1 rule 2: same id + op + body is a retransmission (ack again
// while in flight, the same res after the answer, never dispatched twice);
// same id with another op or body is a new request the old answer never reaches.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { acks, body, bytes, echo, errorCodes, label, makeDispatcher, notes, ok, onlySent, readyServer, results, sentLabels, toServer } from './helpers.js';

const rt = suite('retransmission');

rt('while at a server: ack again with q 0, not dispatched twice, one res in the end', () => {
  const d = makeDispatcher();
  readyServer(d, 'A', 2, ['echo'], 0);
  const sent = onlySent(d.request('L1', { id: 1, op: 'echo', body: body(1) }, 0));
  const again = d.request('L1', { id: 1, op: 'echo', body: body(1) }, 50);
  assert.equal(acks(again), [{ t: 'ack', id: 1, q: 0 }]);
  assert.equal(toServer(again), [], 'A has a free slot, still not sent again');
  assert.equal(results(again), []);
  assert.is(d.snapshot().servers[0]?.busy, 1);
  assert.is(notes(again, 'retransmission').length, 1);
  const answered = echo(d, sent, 60);
  assert.equal(results(answered).map((r) => r.id), [1]);
});

rt('while queued: ack again with its current q, not queued twice', () => {
  const d = makeDispatcher();
  readyServer(d, 'A', 1, ['echo'], 0);
  const first = onlySent(d.request('L1', { id: 1, op: 'echo', body: body(1) }, 0));
  d.request('L1', { id: 2, op: 'echo', body: body(2) }, 1);
  d.request('L1', { id: 3, op: 'echo', body: body(3) }, 2);
  const again = d.request('L1', { id: 3, op: 'echo', body: body(3) }, 3);
  assert.equal(acks(again), [{ t: 'ack', id: 3, q: 1 }]);
  assert.is(d.snapshot().queued.get('echo'), 2);
  const second = onlySent(echo(d, first, 10));
  const third = onlySent(echo(d, second, 11));
  assert.is(label(third.msg.body), 3);
  assert.equal(toServer(echo(d, third, 12)), [], 'request 3 was queued once');
});

rt('a retransmission with another ttl is still the same request', () => {
  const d = makeDispatcher();
  readyServer(d, 'A', 1, ['echo'], 0);
  onlySent(d.request('L1', { id: 1, op: 'echo', body: body(1), ttl: 500 }, 0));
  const again = d.request('L1', { id: 1, op: 'echo', body: body(1), ttl: 9000 }, 10);
  assert.equal(toServer(again), []);
  assert.equal(acks(again).length, 1);
  assert.equal(errorCodes(d.tick(500)), ['timeout'], 'the first ttl still holds');
});

rt('after the answer: the same res again, byte for byte, and no dispatch', () => {
  const d = makeDispatcher();
  readyServer(d, 'A', 1, ['echo'], 0);
  const sent = onlySent(d.request('L1', { id: 8, op: 'echo', body: body(8) }, 0));
  const answerBody = body('keys for card 8');
  const first = results(d.serverAnswer('A', sent.msg.id, ok(answerBody), 10));
  assert.is(first.length, 1);
  const again = d.request('L1', { id: 8, op: 'echo', body: body(8) }, 20);
  assert.equal(toServer(again), []);
  assert.equal(acks(again), [{ t: 'ack', id: 8, q: 0 }]);
  const second = results(again);
  assert.equal(second, first);
  assert.equal(bytes(second[0]?.ok ? second[0].body : undefined), bytes(answerBody));
  assert.equal(results(d.request('L1', { id: 8, op: 'echo', body: body(8) }, 30)), first, 'and again');
  assert.is(d.snapshot().servers[0]?.busy, 0);
});

rt('after an error answer: the same error again', () => {
  const d = makeDispatcher();
  readyServer(d, 'A', 1, ['echo'], 0);
  const sent = onlySent(d.request('L1', { id: 8, op: 'echo', body: body(8) }, 0));
  const first = results(d.serverAnswer('A', sent.msg.id, { ok: false, err: { code: 'key-unavailable', msg: 'no key' } }, 10));
  const again = d.request('L1', { id: 8, op: 'echo', body: body(8) }, 20);
  assert.equal(results(again), first);
  assert.equal(toServer(again), []);
});

rt('same id with another body while in flight: a new request; the old answer never reaches it', () => {
  const d = makeDispatcher();
  readyServer(d, 'A', 2, ['echo'], 0);
  const old = onlySent(d.request('L1', { id: 1, op: 'echo', body: body('card A') }, 0));
  const renewed = d.request('L1', { id: 1, op: 'echo', body: body('card B') }, 10);
  const fresh = onlySent(renewed);
  assert.is(label(fresh.msg.body), 'card B');
  assert.equal(acks(renewed), [{ t: 'ack', id: 1, q: 0 }]);
  assert.equal(results(d.serverAnswer('A', old.msg.id, ok(body('keys for A')), 20)), [], 'old answer dropped');
  assert.equal(results(d.serverAnswer('A', fresh.msg.id, ok(body('keys for B')), 30)), [{ t: 'res', id: 1, ok: true, body: body('keys for B') }]);
});

rt('same id with another op while in flight: a new request; the old answer never reaches it', () => {
  const d = makeDispatcher({ ops: { x: { ttlMs: 1000, retry: false }, y: { ttlMs: 1000, retry: false } } });
  readyServer(d, 'A', 2, ['x', 'y'], 0);
  const old = onlySent(d.request('L1', { id: 1, op: 'x', body: body(1) }, 0));
  const fresh = onlySent(d.request('L1', { id: 1, op: 'y', body: body(1) }, 10));
  assert.is(fresh.msg.op, 'y');
  assert.equal(results(d.serverAnswer('A', old.msg.id, ok(body('x answer')), 20)), []);
  assert.equal(results(d.serverAnswer('A', fresh.msg.id, ok(body('y answer')), 30)), [{ t: 'res', id: 1, ok: true, body: body('y answer') }]);
});

rt('same id with another body while queued: the old one is never sent', () => {
  const d = makeDispatcher();
  readyServer(d, 'A', 1, ['echo'], 0);
  const busy = onlySent(d.request('L1', { id: 0, op: 'echo', body: body(0) }, 0));
  d.request('L1', { id: 1, op: 'echo', body: body('old') }, 1);
  d.request('L1', { id: 1, op: 'echo', body: body('new') }, 2);
  const next = echo(d, busy, 3);
  assert.equal(sentLabels(next), ['new']);
  assert.equal(d.snapshot().queued.get('echo') ?? 0, 0);
});

rt('a body present vs absent is a different request', () => {
  const d = makeDispatcher();
  readyServer(d, 'A', 2, ['echo'], 0);
  onlySent(d.request('L1', { id: 1, op: 'echo' }, 0));
  assert.is(toServer(d.request('L1', { id: 1, op: 'echo', body: body(1) }, 1)).length, 1);
});

rt('same id with another body after the answer: dispatched, the cached answer is not sent', () => {
  const d = makeDispatcher();
  readyServer(d, 'A', 1, ['echo'], 0);
  const sent = onlySent(d.request('L1', { id: 5, op: 'echo', body: body('card A') }, 0));
  d.serverAnswer('A', sent.msg.id, ok(body('keys for A')), 10);
  const other = d.request('L1', { id: 5, op: 'echo', body: body('card B') }, 20);
  assert.equal(results(other), [], 'keys for A must not reach the card B request');
  assert.equal(sentLabels(other), ['card B']);
});

rt('same id with another op after the answer: dispatched, the cached answer is not sent', () => {
  const d = makeDispatcher({ ops: { x: { ttlMs: 1000, retry: false }, y: { ttlMs: 1000, retry: false } } });
  readyServer(d, 'A', 1, ['x', 'y'], 0);
  const sent = onlySent(d.request('L1', { id: 5, op: 'x', body: body(5) }, 0));
  d.serverAnswer('A', sent.msg.id, ok(body('x answer')), 10);
  const other = d.request('L1', { id: 5, op: 'y', body: body(5) }, 20);
  assert.equal(results(other), []);
  assert.equal(toServer(other).map((s) => s.msg.op), ['y']);
});

rt('ids are per line: the same id, op and body on another line is another request', () => {
  const d = makeDispatcher({ lines: { L1: 8, L2: 8 } });
  readyServer(d, 'A', 2, ['echo'], 0);
  const sent = onlySent(d.request('L1', { id: 1, op: 'echo', body: body(1) }, 0));
  assert.is(toServer(d.request('L2', { id: 1, op: 'echo', body: body(1) }, 1)).length, 1, 'in flight on L1');
  d.serverAnswer('A', sent.msg.id, ok(body('for L1')), 2);
  const l2 = d.request('L2', { id: 1, op: 'echo', body: body(1) }, 3);
  assert.equal(results(l2), [], 'L1 cached answer does not reach L2');
});

rt('a retransmission at maxOutstanding is acked, not refused as overloaded', () => {
  const d = makeDispatcher({ lines: { L1: 2 } });
  readyServer(d, 'A', 1, ['echo'], 0);
  d.request('L1', { id: 1, op: 'echo', body: body(1) }, 0);
  d.request('L1', { id: 2, op: 'echo', body: body(2) }, 1);
  const again = d.request('L1', { id: 2, op: 'echo', body: body(2) }, 2);
  assert.equal(results(again), []);
  assert.equal(acks(again), [{ t: 'ack', id: 2, q: 0 }]);
});

rt.run();
