// A line going down drops its queued requests and lets those at a server
// finish into the answer cache; `hello` forgets the line's ids and answers
// (PROTOCOL.md 2.1 rules 1 and 2).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { acks, body, echo, makeDispatcher, notes, ok, onlySent, readyServer, results, sentLabels, toServer, toStation } from './helpers.js';

const ld = suite('line down and hello');

ld('line down: its queued requests are dropped and never sent to a server', () => {
  const d = makeDispatcher({ lines: { L1: 8, L2: 8 } });
  readyServer(d, 'A', 1, ['echo'], 0);
  const busy = onlySent(d.request('L2', { id: 1, op: 'echo', body: body('L2-1') }, 0));
  d.request('L1', { id: 1, op: 'echo', body: body('L1-1') }, 1);
  d.request('L1', { id: 2, op: 'echo', body: body('L1-2') }, 2);
  d.request('L2', { id: 2, op: 'echo', body: body('L2-2') }, 3);
  const e = d.lineDown('L1');
  assert.equal(toStation(e), [], 'nobody to tell');
  assert.is(notes(e, 'dropped').length, 2);
  assert.equal(sentLabels(echo(d, busy, 10)), ['L2-2'], 'L1 requests are gone from the queue');
  assert.equal(d.snapshot().queued.get('echo') ?? 0, 0);
  assert.equal(toStation(d.tick(5000), 'L1'), [], 'no timeout for dropped requests either');
});

ld('line down: a request at a server finishes, its answer is cached and served after the line is back', () => {
  const d = makeDispatcher();
  readyServer(d, 'A', 1, ['echo'], 0);
  const sent = onlySent(d.request('L1', { id: 1, op: 'echo', body: body(1) }, 0));
  d.lineDown('L1');
  const answered = d.serverAnswer('A', sent.msg.id, ok(body('keys')), 50);
  assert.equal(toStation(answered), [], 'the line is down');
  d.lineUp('L1');
  const again = d.request('L1', { id: 1, op: 'echo', body: body(1) }, 60);
  assert.equal(toServer(again), [], 'not executed twice');
  assert.equal(acks(again), [{ t: 'ack', id: 1, q: 0 }]);
  assert.equal(results(again), [{ t: 'res', id: 1, ok: true, body: body('keys') }]);
});

ld('line down and up while a request is at a server: the retransmission is acked, the answer then delivered', () => {
  const d = makeDispatcher();
  readyServer(d, 'A', 1, ['echo'], 0);
  const sent = onlySent(d.request('L1', { id: 1, op: 'echo', body: body(1) }, 0));
  d.lineDown('L1');
  d.lineUp('L1');
  const again = d.request('L1', { id: 1, op: 'echo', body: body(1) }, 20);
  assert.equal(toServer(again), []);
  assert.equal(acks(again), [{ t: 'ack', id: 1, q: 0 }]);
  assert.equal(results(d.serverAnswer('A', sent.msg.id, ok(body('keys')), 30), 'L1'), [{ t: 'res', id: 1, ok: true, body: body('keys') }]);
});

ld('a request dropped by line down is a new request when sent again', () => {
  const d = makeDispatcher();
  readyServer(d, 'A', 1, ['echo'], 0);
  const busy = onlySent(d.request('L1', { id: 1, op: 'echo', body: body(1) }, 0));
  d.request('L1', { id: 2, op: 'echo', body: body(2) }, 1);
  d.lineDown('L1');
  d.lineUp('L1');
  const again = d.request('L1', { id: 2, op: 'echo', body: body(2) }, 10);
  assert.equal(acks(again), [{ t: 'ack', id: 2, q: 0 }]);
  assert.equal(sentLabels(echo(d, busy, 11)), [2], 'queued again, sent once');
});

ld('hello drops queued requests: they are never sent', () => {
  const d = makeDispatcher();
  readyServer(d, 'A', 1, ['echo'], 0);
  const busy = onlySent(d.request('L1', { id: 1, op: 'echo', body: body(1) }, 0));
  d.request('L1', { id: 2, op: 'echo', body: body(2) }, 1);
  d.hello('L1');
  assert.equal(toServer(echo(d, busy, 5)), []);
  assert.equal(d.snapshot().queued.get('echo') ?? 0, 0);
});

ld('hello: the answer of a request at a server never reaches the station', () => {
  const d = makeDispatcher();
  readyServer(d, 'A', 1, ['echo'], 0);
  const sent = onlySent(d.request('L1', { id: 1, op: 'echo', body: body(1) }, 0));
  d.hello('L1');
  assert.equal(toStation(d.serverAnswer('A', sent.msg.id, ok(body('old keys')), 10)), []);
  assert.equal(toStation(d.tick(5000)), [], 'nor a timeout');
});

ld('hello forgets in-flight ids: the same id, op and body is a new request whose answer is its own', () => {
  const d = makeDispatcher();
  readyServer(d, 'A', 2, ['echo'], 0);
  const old = onlySent(d.request('L1', { id: 1, op: 'echo', body: body(1) }, 0));
  d.hello('L1');
  const renewed = d.request('L1', { id: 1, op: 'echo', body: body(1) }, 10);
  const fresh = onlySent(renewed);
  assert.equal(notes(renewed, 'retransmission'), []);
  assert.equal(results(d.serverAnswer('A', old.msg.id, ok(body('old')), 20)), [], 'old answer is not the new one');
  assert.equal(results(d.serverAnswer('A', fresh.msg.id, ok(body('new')), 30)), [{ t: 'res', id: 1, ok: true, body: body('new') }]);
});

ld('hello forgets cached answers', () => {
  const d = makeDispatcher();
  readyServer(d, 'A', 1, ['echo'], 0);
  echo(d, onlySent(d.request('L1', { id: 1, op: 'echo', body: body(1) }, 0)), 5);
  d.hello('L1');
  const again = d.request('L1', { id: 1, op: 'echo', body: body(1) }, 10);
  assert.equal(results(again), []);
  assert.is(toServer(again).length, 1);
});

ld('hello on one line leaves the other lines alone', () => {
  const d = makeDispatcher({ lines: { L1: 8, L2: 8 } });
  readyServer(d, 'A', 1, ['echo'], 0);
  const sent = onlySent(d.request('L2', { id: 1, op: 'echo', body: body(1) }, 0));
  d.hello('L1');
  assert.equal(results(echo(d, sent, 5), 'L2').map((r) => r.id), [1]);
  assert.is(results(d.request('L2', { id: 1, op: 'echo', body: body(1) }, 6)).length, 1, 'L2 cache kept');
});

ld('hello frees the line: forgotten requests no longer count against maxOutstanding', () => {
  const d = makeDispatcher({ lines: { L1: 1 } });
  readyServer(d, 'A', 2, ['echo'], 0);
  onlySent(d.request('L1', { id: 1, op: 'echo', body: body(1) }, 0));
  d.hello('L1');
  assert.is(toServer(d.request('L1', { id: 2, op: 'echo', body: body(2) }, 1)).length, 1);
});

ld.run();
