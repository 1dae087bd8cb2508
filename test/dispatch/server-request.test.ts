// What goes to the server (2.2: router-chosen id, op, body unchanged,
// station = router/line, ttl remaining) and how its answer comes back
// (2.1 rule 3: to the right line, with the station's id; err unchanged).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { encodeCbor } from '../../src/wire/cbor.js';
import { body, bytes, err, makeDispatcher, ok, onlySent, readyServer, results, toServer } from './helpers.js';

const wire = suite('server request and answer');

wire('the server req carries op, the body bytes unchanged, station router/line and the remaining ttl', () => {
  const d = makeDispatcher({ lines: { 'line-7': 8 } });
  // Bytes that a decode/re-encode would change: a map with keys out of canonical order.
  const raw = encodeCbor({ zz: 1, a: Buffer.from([0, 1, 2, 255]), list: [1, 'two', null] });
  d.request('line-7', { id: 42, op: 'echo', body: raw, ttl: 1000 }, 100);
  const { server, msg } = onlySent(readyServer(d, 'A', 1, ['echo'], 400));
  assert.is(server, 'A');
  assert.equal(Object.keys(msg).sort(), ['body', 'id', 'op', 'station', 't', 'ttl']);
  assert.is(msg.t, 'req');
  assert.is(msg.op, 'echo');
  assert.equal(bytes(msg.body), bytes(raw));
  assert.is(msg.station, 'r1/line-7');
  assert.is(msg.ttl, 700, 'received at 100 with ttl 1000, sent at 400');
  assert.ok(Number.isInteger(msg.id) && msg.id >= 0 && msg.id < 2 ** 32, 'id is a uint');
});

wire('without a station ttl, the op ttl from the configuration is used', () => {
  const d = makeDispatcher({ ops: { slow: { ttlMs: 2500, retry: false } } });
  readyServer(d, 'A', 1, ['slow'], 0);
  assert.is(onlySent(d.request('L1', { id: 1, op: 'slow', body: body(1) }, 10)).msg.ttl, 2500);
});

wire('a req without body goes to the server without body', () => {
  const d = makeDispatcher();
  readyServer(d, 'A', 1, ['echo'], 0);
  const { msg } = onlySent(d.request('L1', { id: 1, op: 'echo' }, 0));
  assert.not.ok('body' in msg);
});

wire('the router chooses the server id: equal station ids on two lines get different ids', () => {
  const d = makeDispatcher({ lines: { L1: 8, L2: 8 } });
  readyServer(d, 'A', 2, ['echo'], 0);
  const one = onlySent(d.request('L1', { id: 7, op: 'echo', body: body('one') }, 0));
  const two = onlySent(d.request('L2', { id: 7, op: 'echo', body: body('two') }, 0));
  assert.is.not(one.msg.id, two.msg.id);
  assert.is(one.msg.station, 'r1/L1');
  assert.is(two.msg.station, 'r1/L2');
});

wire('each answer goes only to the line of its request, with the station id', () => {
  const d = makeDispatcher({ lines: { L1: 8, L2: 8 } });
  readyServer(d, 'A', 2, ['echo'], 0);
  const one = onlySent(d.request('L1', { id: 7, op: 'echo', body: body('one') }, 0));
  const two = onlySent(d.request('L2', { id: 7, op: 'echo', body: body('two') }, 0));
  const answerBody = encodeCbor({ key: Buffer.alloc(16, 0xab) });
  // Answer in the other order than asked.
  const second = d.serverAnswer('A', two.msg.id, ok(answerBody), 5);
  assert.equal(results(second, 'L1'), []);
  const r2 = results(second, 'L2');
  assert.is(r2.length, 1);
  assert.is(r2[0]!.id, 7);
  assert.ok(r2[0]!.ok);
  assert.equal(bytes(r2[0]!.ok ? r2[0]!.body : undefined), bytes(answerBody), 'answer body unchanged');
  const first = d.serverAnswer('A', one.msg.id, ok(body('for one')), 6);
  assert.equal(results(first, 'L2'), []);
  assert.equal(results(first, 'L1'), [{ t: 'res', id: 7, ok: true, body: body('for one') }]);
});

wire("a server's err passes through unchanged", () => {
  const d = makeDispatcher();
  readyServer(d, 'A', 1, ['echo'], 0);
  const sent = onlySent(d.request('L1', { id: 9, op: 'echo', body: body(1) }, 0));
  const e = d.serverAnswer('A', sent.msg.id, err('key-unavailable', 'HSM slot 3 is locked'), 5);
  assert.equal(results(e, 'L1'), [{ t: 'res', id: 9, ok: false, err: { code: 'key-unavailable', msg: 'HSM slot 3 is locked' } }]);
  assert.equal(toServer(e), []);
});

wire('even an err code the router itself uses passes through as the server sent it', () => {
  const d = makeDispatcher();
  readyServer(d, 'A', 1, ['echo'], 0);
  const sent = onlySent(d.request('L1', { id: 9, op: 'echo', body: body(1) }, 0));
  const e = d.serverAnswer('A', sent.msg.id, err('bad-request', 'csn must be 4 to 16 bytes'), 5);
  assert.equal(results(e, 'L1'), [{ t: 'res', id: 9, ok: false, err: { code: 'bad-request', msg: 'csn must be 4 to 16 bytes' } }]);
});

wire.run();
