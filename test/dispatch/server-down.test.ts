// PROTOCOL.md 2.2 rule 3: when a server goes down, its requests of retry ops
// go to another server (never back to it), the others get `server-lost`.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { body, bytes, echo, errorCodes, label, makeDispatcher, notes, ok, onlySent, readyServer, results, sentLabels, toServer } from './helpers.js';

const OPS = { idem: { ttlMs: 1000, retry: true }, once: { ttlMs: 1000, retry: false } };
const down = suite('server down');

down('a retry request held by a dead server goes to another server, with the same body and station and the remaining ttl', () => {
  const d = makeDispatcher({ ops: OPS });
  readyServer(d, 'A', 1, ['idem'], 0);
  readyServer(d, 'B', 1, ['idem'], 0);
  const onA = onlySent(d.request('L1', { id: 1, op: 'idem', body: body(1) }, 0));
  const onB = onlySent(d.request('L1', { id: 2, op: 'idem', body: body(2) }, 0));
  assert.equal([onA.server, onB.server].sort(), ['A', 'B']);
  const dead = onA.server;
  const other = onB.server;
  assert.equal(toServer(d.serverDown(dead, 100)), [], 'the other server is full');
  const resent = onlySent(echo(d, onB, 300));
  assert.is(resent.server, other);
  assert.is(resent.msg.op, 'idem');
  assert.equal(bytes(resent.msg.body), bytes(onA.msg.body));
  assert.is(resent.msg.station, 'r1/L1');
  assert.is(resent.msg.ttl, 700);
  const answer = d.serverAnswer(other, resent.msg.id, ok(body('done')), 400);
  assert.equal(results(answer), [{ t: 'res', id: 1, ok: true, body: body('done') }]);
});

down('a retry request goes to a free server at once when its server goes down', () => {
  const d = makeDispatcher({ ops: OPS });
  readyServer(d, 'A', 1, ['idem'], 0);
  onlySent(d.request('L1', { id: 1, op: 'idem', body: body(1) }, 0));
  readyServer(d, 'B', 1, ['idem'], 10);
  const e = d.serverDown('A', 20);
  assert.equal(toServer(e).map((s) => [s.server, label(s.msg.body)]), [['B', 1]]);
  assert.equal(results(e), []);
  assert.is(notes(e, 'requeued').length, 1);
});

down('a request of an op without retry gets server-lost, exactly once, and is sent nowhere else', () => {
  const d = makeDispatcher({ ops: OPS });
  readyServer(d, 'A', 1, ['once'], 0);
  readyServer(d, 'B', 1, ['once'], 0);
  const sent = onlySent(d.request('L1', { id: 4, op: 'once', body: body(4) }, 0));
  const e = d.serverDown(sent.server, 50);
  assert.equal(toServer(e), []);
  const res = results(e, 'L1');
  assert.is(res.length, 1);
  assert.is(res[0]!.id, 4);
  assert.equal(errorCodes(e), ['server-lost']);
  assert.equal(d.tick(5000), [], 'no timeout after server-lost');
});

down('each held request is settled by its own op policy', () => {
  const d = makeDispatcher({ ops: OPS });
  readyServer(d, 'A', 2, ['idem', 'once'], 0);
  d.request('L1', { id: 1, op: 'idem', body: body(1) }, 0);
  d.request('L1', { id: 2, op: 'once', body: body(2) }, 0);
  readyServer(d, 'B', 2, ['idem', 'once'], 5);
  const e = d.serverDown('A', 10);
  assert.equal(results(e).map((r) => [r.id, r.ok ? 'ok' : r.err.code]), [[2, 'server-lost']]);
  assert.equal(sentLabels(e), [1], 'the idempotent one goes to B at once');
});

down('a retried request is never sent back to the server that died, even when it reconnects by the same name', () => {
  const d = makeDispatcher({ ops: OPS });
  readyServer(d, 'A', 1, ['idem'], 0);
  readyServer(d, 'B', 1, ['idem'], 0);
  const r1 = onlySent(d.request('L1', { id: 1, op: 'idem', body: body(1) }, 0));
  const r2 = onlySent(d.request('L1', { id: 2, op: 'idem', body: body(2) }, 0));
  const dead = r1.server;
  const other = r2.server;
  d.serverDown(dead, 10);
  assert.equal(toServer(readyServer(d, dead, 1, ['idem'], 20)), [], 'not back to the dead server');
  const freed = echo(d, r2, 30);
  assert.equal(toServer(freed).map((s) => [s.server, label(s.msg.body)]), [[other, 1]]);
});

down('a retry op with no other server for it is answered server-lost at once, not left to time out', () => {
  const d = makeDispatcher({ ops: OPS });
  readyServer(d, 'A', 1, ['idem'], 0);
  onlySent(d.request('L1', { id: 1, op: 'idem', body: body(1) }, 0));
  const e = d.serverDown('A', 10);
  assert.equal(results(e).map((r) => [r.id, r.ok ? 'ok' : r.err.code]), [[1, 'server-lost']]);
  assert.equal(toServer(readyServer(d, 'A', 1, ['idem'], 20)), [], 'answered: never sent again');
  assert.equal(errorCodes(d.tick(1000)), []);
});

down('a retried request keeps its place ahead of later requests of its op', () => {
  const d = makeDispatcher({ ops: OPS });
  readyServer(d, 'A', 1, ['idem'], 0);
  readyServer(d, 'B', 1, ['idem'], 0);
  const first = onlySent(d.request('L1', { id: 1, op: 'idem', body: body(1) }, 0));
  const second = onlySent(d.request('L1', { id: 2, op: 'idem', body: body(2) }, 1));
  d.request('L1', { id: 3, op: 'idem', body: body(3) }, 2);
  d.request('L1', { id: 4, op: 'idem', body: body(4) }, 3);
  d.serverDown(first.server, 10);
  const next = onlySent(echo(d, second, 20));
  assert.is(label(next.msg.body), 1, 'request 1 arrived before 3 and 4');
  assert.is(label(onlySent(echo(d, next, 30)).msg.body), 3);
});

down('an answer from a server after it went down reaches no station', () => {
  const d = makeDispatcher({ ops: OPS });
  readyServer(d, 'A', 1, ['once'], 0);
  const sent = onlySent(d.request('L1', { id: 1, op: 'once', body: body(1) }, 0));
  d.serverDown('A', 10);
  assert.equal(results(d.serverAnswer('A', sent.msg.id, ok(body('late')), 20)), []);
  readyServer(d, 'A', 1, ['once'], 30);
  assert.equal(results(d.serverAnswer('A', sent.msg.id, ok(body('later')), 40)), [], 'nor after it reconnected');
});

down('serverDown of a server the dispatcher does not know changes nothing', () => {
  const d = makeDispatcher({ ops: OPS });
  readyServer(d, 'A', 1, ['once'], 0);
  onlySent(d.request('L1', { id: 1, op: 'once', body: body(1) }, 0));
  assert.equal(d.serverDown('Z', 10), []);
  assert.is(d.snapshot().servers[0]?.busy, 1);
});

down('a retry request whose ttl ran out when its server went down is not sent to another server', () => {
  const d = makeDispatcher({ ops: OPS });
  readyServer(d, 'A', 1, ['idem'], 0);
  onlySent(d.request('L1', { id: 1, op: 'idem', body: body(1), ttl: 100 }, 0));
  readyServer(d, 'B', 1, ['idem'], 10);
  // The link reports the death at the deadline, just before the ttl timer runs.
  const e = [...d.serverDown('A', 100), ...d.tick(100)];
  assert.equal(toServer(e), [], 'request 1 ran out at 100');
  assert.equal(errorCodes(e), ['timeout']);
});

down('a retry request the station forgot (hello) is not sent again after its ttl ran out', () => {
  const d = makeDispatcher({ ops: OPS });
  readyServer(d, 'A', 1, ['idem'], 0);
  onlySent(d.request('L1', { id: 1, op: 'idem', body: body(1), ttl: 100 }, 0));
  d.hello('L1');
  d.serverDown('A', 20);
  d.tick(100);
  const late = readyServer(d, 'B', 1, ['idem'], 5000);
  assert.equal(toServer(late), [], 'ttl ran out at 100; the station has forgotten it anyway');
  assert.is(d.snapshot().queued.get('idem') ?? 0, 0, 'nothing left queued');
});

down.run();
