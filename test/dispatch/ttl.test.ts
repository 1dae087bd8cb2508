// PROTOCOL.md 2.1 rule 5 and the `no-server` code: ttl bounds receipt to res;
// an expired request is never sent to a server; late server answers are
// dropped but keep their slot busy until they come.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { acks, body, echo, errorCodes, label, makeDispatcher, onlySent, readyServer, results, sentLabels, toServer, toStation } from './helpers.js';

const ttl = suite('ttl');

ttl('tick before the deadline does nothing; at the deadline the station gets timeout, once', () => {
  const d = makeDispatcher();
  readyServer(d, 'A', 1, ['echo'], 0);
  onlySent(d.request('L1', { id: 3, op: 'echo', body: body(1), ttl: 500 }, 100));
  assert.equal(d.tick(599), []);
  const expired = d.tick(600);
  const res = results(expired, 'L1');
  assert.is(res.length, 1);
  assert.is(res[0]!.id, 3);
  assert.equal(errorCodes(expired), ['timeout']);
  assert.equal(d.tick(601), [], 'exactly one res');
  // Much later the station still hears nothing more; the server holding it past its ttl is reset (id-reuse-and-limits).
  assert.equal(toStation(d.tick(10_000)), []);
});

ttl('the ttl runs from receipt, not from dispatch', () => {
  const d = makeDispatcher();
  d.request('L1', { id: 1, op: 'echo', body: body(1), ttl: 1000 }, 0);
  onlySent(readyServer(d, 'A', 1, ['echo'], 600));
  assert.equal(d.tick(999), []);
  assert.equal(errorCodes(d.tick(1000)), ['timeout']);
});

ttl('a queued request that timed out is not sent when a slot frees later', () => {
  const d = makeDispatcher();
  readyServer(d, 'A', 1, ['echo'], 0);
  const first = onlySent(d.request('L1', { id: 1, op: 'echo', body: body(1), ttl: 5000 }, 0));
  d.request('L1', { id: 2, op: 'echo', body: body(2), ttl: 100 }, 0);
  assert.equal(errorCodes(d.tick(100), 'L1'), ['timeout']);
  assert.equal(toServer(echo(d, first, 200)), []);
  assert.equal(d.snapshot().queued.get('echo') ?? 0, 0);
});

ttl('ttl 0: ack and timeout at once, never sent even to a free server', () => {
  const d = makeDispatcher();
  readyServer(d, 'A', 1, ['echo'], 0);
  const e = d.request('L1', { id: 5, op: 'echo', body: body(5), ttl: 0 }, 10);
  assert.equal(toServer(e), []);
  assert.equal(acks(e).map((a) => a.id), [5]);
  assert.equal(errorCodes(e), ['timeout']);
  assert.equal(d.tick(10_000), []);
});

ttl('a queued request whose ttl ran out is not sent when a slot frees before the tick', () => {
  // The edge's timer fires late sometimes; a server answer can arrive first.
  const d = makeDispatcher();
  readyServer(d, 'A', 1, ['echo'], 0);
  const first = onlySent(d.request('L1', { id: 1, op: 'echo', body: body(1), ttl: 5000 }, 0));
  d.request('L1', { id: 2, op: 'echo', body: body(2), ttl: 100 }, 0);
  const freed = echo(d, first, 150);
  assert.equal(toServer(freed), [], 'request 2 ran out at 100: it must never reach a server');
  const all = [...freed, ...d.tick(150)];
  assert.equal(results(all).map((r) => [r.id, r.ok ? 'ok' : r.err.code]), [[1, 'ok'], [2, 'timeout']]);
});

ttl('a queued request whose ttl ran out is not sent when a server becomes ready before the tick', () => {
  const d = makeDispatcher();
  d.request('L1', { id: 1, op: 'echo', body: body(1), ttl: 100 }, 0);
  assert.equal(toServer(readyServer(d, 'A', 1, ['echo'], 100)), []);
});

ttl('no-server when no server for the op was available during the whole ttl', () => {
  const d = makeDispatcher();
  d.request('L1', { id: 1, op: 'echo', body: body(1), ttl: 300 }, 10);
  assert.equal(errorCodes(d.tick(310)), ['no-server']);
});

ttl('no-server when the only server is connected but never sent ready', () => {
  const d = makeDispatcher();
  d.serverConnected('A', 0);
  d.request('L1', { id: 1, op: 'echo', body: body(1), ttl: 300 }, 10);
  assert.equal(errorCodes(d.tick(310)), ['no-server']);
});

ttl('no-server for an announced op whose server went down before the request came', () => {
  const d = makeDispatcher({ ops: {} });
  readyServer(d, 'A', 1, ['cert'], 0);
  d.serverDown('A', 5);
  d.request('L1', { id: 1, op: 'cert', body: body(1), ttl: 300 }, 10);
  assert.equal(errorCodes(d.tick(310)), ['no-server']);
});

ttl('timeout, not no-server, when a server was available but busy', () => {
  const d = makeDispatcher();
  readyServer(d, 'A', 1, ['echo'], 0);
  onlySent(d.request('L1', { id: 1, op: 'echo', body: body(1), ttl: 5000 }, 0));
  d.request('L1', { id: 2, op: 'echo', body: body(2), ttl: 300 }, 10);
  assert.equal(errorCodes(d.tick(310)), ['timeout']);
});

ttl('timeout, not no-server, when a server was available for part of the ttl', () => {
  const d = makeDispatcher();
  readyServer(d, 'A', 1, ['echo'], 0);
  onlySent(d.request('L1', { id: 1, op: 'echo', body: body(1), ttl: 5000 }, 0));
  d.request('L1', { id: 2, op: 'echo', body: body(2), ttl: 300 }, 10);
  d.serverDown('A', 50); // id 1 (retry: false) gets server-lost here
  assert.equal(errorCodes(d.tick(310)), ['timeout']);
});

ttl('timeout, not no-server, when a server came up during the ttl', () => {
  const d = makeDispatcher();
  d.request('L1', { id: 1, op: 'echo', body: body(1), ttl: 300 }, 10);
  d.request('L1', { id: 2, op: 'echo', body: body(2), ttl: 300 }, 10);
  onlySent(readyServer(d, 'A', 1, ['echo'], 100));
  assert.equal(results(d.tick(310)).map((r) => (r.ok ? 'ok' : r.err.code)), ['timeout', 'timeout']);
});

ttl('nextDeadline is the earliest deadline of a request still waiting for its res', () => {
  const d = makeDispatcher({ lines: { L1: 8, L2: 8 } });
  assert.is(d.nextDeadline(), undefined);
  readyServer(d, 'A', 1, ['echo'], 0);
  const atServer = onlySent(d.request('L1', { id: 1, op: 'echo', body: body(1), ttl: 900 }, 100));
  assert.is(d.nextDeadline(), 1000);
  d.request('L2', { id: 1, op: 'echo', body: body(2), ttl: 300 }, 200);
  assert.is(d.nextDeadline(), 500, 'a queued request counts');
  d.request('L1', { id: 2, op: 'echo', body: body(3) }, 300); // op ttl 1000 -> 1300
  assert.is(d.nextDeadline(), 500);
  d.tick(500);
  assert.is(d.nextDeadline(), 1000);
  const next = onlySent(echo(d, atServer, 600));
  assert.is(label(next.msg.body), 3);
  assert.is(d.nextDeadline(), 1300);
  echo(d, next, 700);
  assert.is(d.nextDeadline(), undefined);
});

ttl('a late server answer after timeout does not reach the station; its slot stays busy until it comes', () => {
  const d = makeDispatcher();
  readyServer(d, 'A', 1, ['echo'], 0);
  const slow = onlySent(d.request('L1', { id: 1, op: 'echo', body: body(1), ttl: 200 }, 0));
  d.request('L1', { id: 2, op: 'echo', body: body(2), ttl: 5000 }, 10);
  assert.equal(errorCodes(d.tick(200)), ['timeout']);
  assert.is(d.snapshot().servers[0]?.busy, 1, 'the server still works on it');
  assert.equal(toServer(d.tick(250)), [], 'the slot is not free yet');
  const late = echo(d, slow, 300);
  assert.equal(results(late), [], 'no second res for id 1');
  assert.equal(sentLabels(late), [2], 'now the slot is free');
});

ttl.run();
