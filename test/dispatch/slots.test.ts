// PROTOCOL.md 2.2 rule 1: never more than `slots` outstanding on a server;
// a freed slot takes the oldest queued request; the least busy server wins;
// `ready` with slots 0 drains.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { body, echo, makeDispatcher, onlySent, readyServer, results, sentLabels, toServer, type Sent } from './helpers.js';

const slots = suite('slots');

function busy(d: ReturnType<typeof makeDispatcher>, server: string): number | undefined {
  return d.snapshot().servers.find((s) => s.name === server)?.busy;
}

slots('never more than slots requests outstanding on a server', () => {
  const d = makeDispatcher();
  readyServer(d, 'A', 2, ['echo'], 0);
  const sent: Sent[] = [];
  for (let i = 0; i < 5; i++) sent.push(...toServer(d.request('L1', { id: i, op: 'echo', body: body(i) }, i)));
  assert.equal(sent.map((s) => s.server), ['A', 'A']);
  assert.is(busy(d, 'A'), 2);
  assert.is(d.snapshot().queued.get('echo'), 3);
});

slots('a freed slot takes the oldest queued request, and only one', () => {
  const d = makeDispatcher();
  readyServer(d, 'A', 2, ['echo'], 0);
  const sent: Sent[] = [];
  for (let i = 0; i < 5; i++) sent.push(...toServer(d.request('L1', { id: i, op: 'echo', body: body(i) }, i)));
  const freed = echo(d, sent[1]!, 20);
  assert.equal(sentLabels(freed), [2]);
  assert.equal(results(freed).map((r) => r.id), [1]);
  assert.is(busy(d, 'A'), 2);
  assert.equal(sentLabels(echo(d, sent[0]!, 21)), [3]);
});

slots('a ready with fewer slots than outstanding sends nothing until outstanding drops below it', () => {
  const d = makeDispatcher();
  readyServer(d, 'A', 3, ['echo'], 0);
  const sent: Sent[] = [];
  for (let i = 0; i < 4; i++) sent.push(...toServer(d.request('L1', { id: i, op: 'echo', body: body(i) }, i)));
  assert.is(sent.length, 3);
  assert.equal(toServer(d.serverReady('A', 1, ['echo'], 10)), []);
  assert.equal(toServer(echo(d, sent[0]!, 11)), [], '2 outstanding, 1 slot');
  assert.equal(toServer(echo(d, sent[1]!, 12)), [], '1 outstanding, 1 slot');
  assert.equal(sentLabels(echo(d, sent[2]!, 13)), [3], '0 outstanding: the queued one goes');
});

slots('a ready with more slots sends queued requests at once', () => {
  const d = makeDispatcher();
  readyServer(d, 'A', 1, ['echo'], 0);
  for (let i = 0; i < 4; i++) d.request('L1', { id: i, op: 'echo', body: body(i) }, i);
  assert.equal(sentLabels(d.serverReady('A', 3, ['echo'], 10)), [1, 2]);
  assert.is(busy(d, 'A'), 3);
});

slots('ready with slots 0 drains: nothing new is sent, held requests still finish', () => {
  const d = makeDispatcher();
  readyServer(d, 'A', 2, ['echo'], 0);
  const held = onlySent(d.request('L1', { id: 1, op: 'echo', body: body(1) }, 0));
  assert.equal(toServer(d.serverReady('A', 0, ['echo'], 5)), []);
  assert.equal(toServer(d.request('L1', { id: 2, op: 'echo', body: body(2) }, 6)), [], 'draining server takes no new work');
  const answered = echo(d, held, 7);
  assert.equal(results(answered, 'L1').map((r) => r.id), [1]);
  assert.equal(toServer(answered), [], 'a freed slot of a draining server is not reused');
  assert.equal(sentLabels(d.serverReady('A', 1, ['echo'], 8)), [2], 'undrained: the queued request goes');
});

slots('the least busy server is chosen', () => {
  const d = makeDispatcher();
  readyServer(d, 'A', 4, ['echo'], 0);
  d.request('L1', { id: 1, op: 'echo', body: body(1) }, 1);
  d.request('L1', { id: 2, op: 'echo', body: body(2) }, 2);
  assert.is(busy(d, 'A'), 2);
  assert.equal(toServer(readyServer(d, 'B', 4, ['echo'], 3)), [], 'nothing queued');
  assert.equal(toServer(d.request('L1', { id: 3, op: 'echo', body: body(3) }, 4)).map((s) => s.server), ['B']);
  assert.equal(toServer(d.request('L1', { id: 4, op: 'echo', body: body(4) }, 5)).map((s) => s.server), ['B']);
  // Both at 2 of 4 now; a third request on B makes A the less busy one.
  const fifth = toServer(d.request('L1', { id: 5, op: 'echo', body: body(5) }, 6));
  const sixth = toServer(d.request('L1', { id: 6, op: 'echo', body: body(6) }, 7));
  assert.equal([fifth[0]?.server, sixth[0]?.server].sort(), ['A', 'B']);
});

slots('a server answer for an id it does not hold frees nothing and reaches no station', () => {
  const d = makeDispatcher();
  readyServer(d, 'A', 1, ['echo'], 0);
  const held = onlySent(d.request('L1', { id: 1, op: 'echo', body: body(1) }, 0));
  d.request('L1', { id: 2, op: 'echo', body: body(2) }, 1);
  const stray = d.serverAnswer('A', held.msg.id + 1000, { ok: true, body: body('x') }, 2);
  assert.equal(results(stray), []);
  assert.equal(toServer(stray), []);
  assert.equal(results(d.serverAnswer('B', held.msg.id, { ok: true, body: body('x') }, 3)), [], 'another server cannot answer for A');
  assert.is(busy(d, 'A'), 1);
});

slots.run();
