// The dispatcher announces its decisions about servers as effects: a reset
// for a server that holds a request past its ttl, a re-handshake once a
// drained link is idle, a changed offer for peers. Peers are a requester
// kind of their own: no acks, answers as `to-peer`.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Effect } from '../../src/dispatch/types.js';
import { body, echo, errorCodes, makeDispatcher, onlySent, readyServer, toServer } from './helpers.js';

const test = suite('server decisions');
const kinds = (effects: readonly Effect[], kind: Effect['kind']) => effects.filter((e) => e.kind === kind);

test('a re-handshake drain of an idle server ends at once', () => {
  const d = makeDispatcher();
  readyServer(d, 'A', 2, ['echo'], 0);
  assert.equal(kinds(d.drainServer('A', 10, { rehandshakeBy: 20_000 }), 'rehandshake-now'), [{ kind: 'rehandshake-now', server: 'A' }]);
});

test('a re-handshake drain waits for the last answer, and sends nothing new meanwhile', () => {
  const d = makeDispatcher({ lines: { L1: 8, L2: 8 } });
  readyServer(d, 'A', 2, ['echo'], 0);
  const sent = onlySent(d.request('L1', { id: 1, op: 'echo', body: body(1) }, 0));
  assert.equal(kinds(d.drainServer('A', 10, { rehandshakeBy: 20_000 }), 'rehandshake-now'), []);
  assert.equal(toServer(d.request('L2', { id: 1, op: 'echo', body: body(2) }, 20)), [], 'a draining server gets no new work');
  assert.equal(kinds(echo(d, sent, 30), 'rehandshake-now'), [{ kind: 'rehandshake-now', server: 'A' }]);
});

test('a re-handshake drain gives up waiting at its limit, through tick', () => {
  const d = makeDispatcher({ ops: { echo: { ttlMs: 60_000, retry: false } } });
  readyServer(d, 'A', 1, ['echo'], 0);
  onlySent(d.request('L1', { id: 1, op: 'echo', body: body(1) }, 0));
  d.drainServer('A', 10, { rehandshakeBy: 5_000 });
  assert.is(d.nextDeadline(), 5_000, 'the edge is woken at the limit');
  assert.equal(kinds(d.tick(4_999), 'rehandshake-now'), []);
  assert.equal(kinds(d.tick(5_000), 'rehandshake-now'), [{ kind: 'rehandshake-now', server: 'A' }]);
  assert.equal(kinds(d.tick(6_000), 'rehandshake-now'), [], 'once');
});

test("an operator's drain outlives a reconnect; undrain sends the queued work", () => {
  const d = makeDispatcher();
  readyServer(d, 'A', 1, ['echo'], 0);
  d.drainServer('A', 1, { operator: true });
  d.serverDown('A', 2);
  readyServer(d, 'A', 1, ['echo'], 3);
  assert.equal(toServer(d.request('L1', { id: 1, op: 'echo', body: body(1) }, 4)), [], 'still drained after reconnecting');
  assert.is(d.snapshot().servers[0]!.draining, true);
  assert.is(toServer(d.undrainServer('A', 5)).length, 1, 'the waiting request goes out on undrain');
});

test('why a server is drained is known while it lasts: a re-handshake drain ends with its link, an operator\'s does not', () => {
  const d = makeDispatcher({ ops: { echo: { ttlMs: 60_000, retry: false } } });
  readyServer(d, 'A', 1, ['echo'], 0);
  onlySent(d.request('L1', { id: 1, op: 'echo', body: body(1) }, 0));
  d.drainServer('A', 1, { rehandshakeBy: 5_000 });
  assert.is(d.drainCause('A'), 'rehandshake');
  d.serverDown('A', 2);
  assert.is(d.drainCause('A'), undefined, 'the link went down mid-drain: nothing is left draining');
  d.drainServer('A', 3, { operator: true });
  assert.is(d.drainCause('A'), 'operator', 'even while it is not connected');
  d.undrainServer('A', 4);
  assert.is(d.drainCause('A'), undefined);
});

test('peers are told when what this router can lend changes, and only then', () => {
  const d = makeDispatcher();
  d.serverConnected('A', 0);
  assert.equal(kinds(d.serverReady('A', 2, ['echo'], 0), 'offer-changed'), [{ kind: 'offer-changed', offer: { ops: ['echo'], anyAvailable: true } }]);
  assert.equal(kinds(d.serverReady('A', 2, ['echo'], 1), 'offer-changed'), [], 'the same offer again is not news');
  assert.equal(kinds(d.drainServer('A', 2, { operator: true }), 'offer-changed'), [{ kind: 'offer-changed', offer: { ops: [], anyAvailable: false } }]);
  assert.equal(kinds(d.undrainServer('A', 3), 'offer-changed'), [{ kind: 'offer-changed', offer: { ops: ['echo'], anyAvailable: true } }]);
  assert.equal(kinds(d.serverDown('A', 4), 'offer-changed'), [{ kind: 'offer-changed', offer: { ops: [], anyAvailable: false } }]);
});

test('a peer gets no ack, and its answer as to-peer; never to-station', () => {
  const d = makeDispatcher();
  d.addLine('peer:b', { maxOutstanding: 4, kind: 'peer' });
  d.lineUp('peer:b');
  readyServer(d, 'A', 1, ['echo'], 0);
  const accepted = d.request('peer:b', { id: 7, op: 'echo', body: body(1), station: 'b/l1' }, 0);
  assert.equal(kinds(accepted, 'to-station'), []);
  assert.equal(kinds(accepted, 'to-peer'), []);
  const answered = echo(d, onlySent(accepted), 5);
  assert.equal(kinds(answered, 'to-station'), []);
  const toPeer = kinds(answered, 'to-peer');
  assert.is(toPeer.length, 1);
  assert.equal(toPeer[0], { kind: 'to-peer', peer: 'peer:b', msg: { t: 'res', id: 7, ok: true, body: body(1) } });
  // refusals too: an unknown op is answered, without the ack a station would get first
  const refused = d.request('peer:b', { id: 8, op: 'nope' }, 6);
  assert.equal(kinds(refused, 'to-station'), []);
  assert.equal(kinds(refused, 'to-peer').map((e) => e.kind === 'to-peer' && e.msg.ok === false && e.msg.err.code), ['unknown-op']);
});

test("a server's overloaded is not the station's answer: the request waits again, in its place, and runs elsewhere", () => {
  const d = makeDispatcher({ ops: { echo: { ttlMs: 5000, retry: false } } });
  readyServer(d, 'A', 1, ['echo'], 0);
  const sent = onlySent(d.request('L1', { id: 1, op: 'echo', body: body(1) }, 0));
  // A announced fewer slots meanwhile (drained), then refused what it held beyond them.
  d.serverReady('A', 0, ['echo'], 1);
  const refused = d.serverAnswer('A', sent.msg.id, { ok: false, err: { code: 'overloaded', msg: 'beyond the announced slots' } }, 2);
  assert.equal(kinds(refused, 'to-station'), [], 'the station is not told overloaded');
  assert.equal(toServer(refused), [], 'A has no slot now');
  const again = readyServer(d, 'B', 1, ['echo'], 3);
  assert.equal(toServer(again).map((x) => x.server), ['B'], 'sent to the server that has room');
  assert.is(kinds(echo(d, onlySent(again), 4), 'to-station').length, 1, 'one answer, from B');
});

test('a server that keeps answering overloaded is not asked for that request again', () => {
  const d = makeDispatcher({ ops: { echo: { ttlMs: 5000, retry: false } } });
  readyServer(d, 'A', 1, ['echo'], 0);
  let sent = onlySent(d.request('L1', { id: 1, op: 'echo', body: body(1) }, 0));
  for (let i = 0; i < 2; i++) sent = onlySent(d.serverAnswer('A', sent.msg.id, { ok: false, err: { code: 'overloaded', msg: 'no' } }, 1 + i));
  assert.equal(toServer(d.serverAnswer('A', sent.msg.id, { ok: false, err: { code: 'overloaded', msg: 'no' } }, 3)), [], 'third refusal: A is excluded');
  assert.equal(errorCodes(d.tick(5000)), ['timeout'], 'it waits for another server until its ttl');
});

test.run();
