// PROTOCOL.md 2.1 rules 1 and 4: ack at once, exactly one res, first come
// first served per op (also across ops sharing a server and across lines).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Effect } from '../../src/dispatch/types.js';
import { acks, body, echo, label, makeDispatcher, onlySent, readyServer, results, sentLabels, toServer, type Sent } from './helpers.js';

const fcfs = suite('first come, first served');

fcfs('a request goes to a server at once when one serving its op has a free slot', () => {
  const d = makeDispatcher();
  readyServer(d, 'A', 1, ['echo'], 0);
  const effects = d.request('L1', { id: 1, op: 'echo', body: body(1) }, 10);
  assert.equal(sentLabels(effects, 'A'), [1]);
  assert.equal(acks(effects, 'L1'), [{ t: 'ack', id: 1, q: 0 }]);
  assert.equal(results(effects), [], 'no res before the server answers');
});

fcfs('the ack comes before anything else the station hears, in the same call', () => {
  const d = makeDispatcher();
  const effects = d.request('L1', { id: 4, op: 'echo', body: body(4) }, 0);
  const first = effects.find((e) => e.kind === 'to-station');
  assert.equal(first, { kind: 'to-station', line: 'L1', msg: { t: 'ack', id: 4, q: 0 } });
});

fcfs('a request waits while no server is ready and goes the moment one sends ready', () => {
  const d = makeDispatcher();
  const first = d.request('L1', { id: 1, op: 'echo', body: body(1) }, 0);
  assert.equal(toServer(first), []);
  assert.equal(acks(first), [{ t: 'ack', id: 1, q: 0 }]);
  d.serverConnected('A', 0);
  assert.equal(d.snapshot().queued.get('echo'), 1, 'connected is not ready: still queued');
  const ready = d.serverReady('A', 1, ['echo'], 50);
  assert.equal(sentLabels(ready, 'A'), [1]);
});

fcfs('a server that does not serve the op is not used, however free', () => {
  const d = makeDispatcher({ ops: { echo: { ttlMs: 1000, retry: false }, other: { ttlMs: 1000, retry: false } } });
  readyServer(d, 'A', 4, ['other'], 0);
  const effects = d.request('L1', { id: 1, op: 'echo', body: body(1) }, 0);
  assert.equal(toServer(effects), []);
  const b = readyServer(d, 'B', 1, ['echo'], 5);
  assert.equal(sentLabels(b, 'B'), [1]);
});

fcfs('queued requests of one op go oldest first: none overtakes an earlier one', () => {
  const d = makeDispatcher();
  readyServer(d, 'A', 1, ['echo'], 0);
  let current = onlySent(d.request('L1', { id: 0, op: 'echo', body: body(0) }, 0));
  for (let i = 1; i <= 5; i++) assert.equal(toServer(d.request('L1', { id: i, op: 'echo', body: body(i) }, i)), []);
  const order: (number | string | undefined)[] = [];
  for (let t = 10; t < 16; t++) {
    const effects = echo(d, current, t);
    const sent = toServer(effects);
    if (sent.length === 0) break;
    assert.is(sent.length, 1, 'one freed slot, one request');
    current = sent[0]!;
    order.push(sentLabels(effects)[0]);
  }
  assert.equal(order, [1, 2, 3, 4, 5]);
});

fcfs('order holds across two ops sharing a server', () => {
  const d = makeDispatcher({ ops: { x: { ttlMs: 1000, retry: false }, y: { ttlMs: 1000, retry: false } } });
  readyServer(d, 'A', 1, ['x', 'y'], 0);
  let current = onlySent(d.request('L1', { id: 0, op: 'x', body: body(0) }, 0));
  const ops = ['y', 'x', 'y', 'x', 'x', 'y'];
  ops.forEach((op, i) => d.request('L1', { id: i + 1, op, body: body(i + 1) }, i + 1));
  const order: string[] = [];
  for (let t = 10; t < 10 + ops.length; t++) {
    current = onlySent(echo(d, current, t));
    order.push(`${current.msg.op}${String(label(current.msg.body))}`);
  }
  assert.equal(order, ['y1', 'x2', 'y3', 'x4', 'x5', 'y6']);
});

fcfs('order holds across lines: arrival order, not line order', () => {
  const d = makeDispatcher({ lines: { L1: 8, L2: 8 } });
  readyServer(d, 'A', 1, ['echo'], 0);
  let current = onlySent(d.request('L2', { id: 0, op: 'echo', body: body(0) }, 0));
  d.request('L2', { id: 1, op: 'echo', body: body(1) }, 1);
  d.request('L1', { id: 1, op: 'echo', body: body(2) }, 2);
  d.request('L2', { id: 2, op: 'echo', body: body(3) }, 3);
  d.request('L1', { id: 2, op: 'echo', body: body(4) }, 4);
  const order: string[] = [];
  for (let t = 10; t < 14; t++) {
    current = onlySent(echo(d, current, t));
    order.push(`${current.msg.station}#${String(label(current.msg.body))}`);
  }
  assert.equal(order, ['r1/L2#1', 'r1/L1#2', 'r1/L2#3', 'r1/L1#4']);
});

fcfs('ack q counts the requests of the same op queued ahead', () => {
  const d = makeDispatcher({ lines: { L1: 8, L2: 8 }, ops: { x: { ttlMs: 1000, retry: false }, y: { ttlMs: 1000, retry: false } } });
  readyServer(d, 'A', 1, ['x', 'y'], 0);
  const q = (e: Effect[]): number | undefined => acks(e)[0]?.q;
  assert.is(q(d.request('L1', { id: 1, op: 'x', body: body(1) }, 1)), 0, 'dispatched at once');
  assert.is(q(d.request('L1', { id: 2, op: 'x', body: body(2) }, 2)), 0, 'first in the queue: nothing queued ahead');
  assert.is(q(d.request('L1', { id: 3, op: 'y', body: body(3) }, 3)), 0, 'no y queued ahead');
  assert.is(q(d.request('L1', { id: 4, op: 'x', body: body(4) }, 4)), 1);
  assert.is(q(d.request('L2', { id: 1, op: 'x', body: body(5) }, 5)), 2, 'queue is per op, not per line');
  assert.is(q(d.request('L2', { id: 2, op: 'y', body: body(6) }, 6)), 1);
});

fcfs('every request gets exactly one res, with its own id, over a whole run', () => {
  const d = makeDispatcher();
  readyServer(d, 'A', 2, ['echo'], 0);
  const all: Effect[] = [];
  const pending: Sent[] = [];
  for (let i = 0; i < 6; i++) {
    const e = d.request('L1', { id: 100 + i, op: 'echo', body: body(i) }, i);
    all.push(...e);
    pending.push(...toServer(e));
  }
  let t = 10;
  while (pending.length > 0) {
    const e = echo(d, pending.shift()!, t++);
    all.push(...e);
    pending.push(...toServer(e));
  }
  all.push(...d.tick(5000));
  const ids = results(all, 'L1').map((r) => r.id);
  assert.equal(ids, [100, 101, 102, 103, 104, 105]);
  assert.equal(acks(all, 'L1').map((a) => a.id), [100, 101, 102, 103, 104, 105]);
  assert.ok(results(all).every((r) => r.ok), 'all answered by the server');
});

fcfs.run();
