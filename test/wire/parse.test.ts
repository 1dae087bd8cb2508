import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { encodeMessage } from '../../src/wire/messages.js';
import { parseRouterToServer, parseRouterToStation, parseServerMessage, parseStationMessage, type Parsed, type Problem } from '../../src/wire/parse.js';
import { cbor, cmap, hex, obj, raw, toHex, type C } from './helpers.js';

const m = (o: Record<string, C>): Buffer => cbor(obj(o));

function problem<M>(p: Parsed<M>): Problem {
  if (p.ok) {
    assert.unreachable(`expected a problem, got ${JSON.stringify(p.msg)}`);
    throw new Error('unreachable');
  }
  return p.problem;
}
function message<M>(p: Parsed<M>): M {
  if (!p.ok) {
    assert.unreachable(`expected a message, got ${JSON.stringify(p.problem)}`);
    throw new Error('unreachable');
  }
  return p.msg;
}
/** A bad-field problem for `t`, naming `field`, with the given id. */
function badField(p: Problem, t: string, field: string, id: number | null, where = ''): void {
  assert.is(p.kind, 'bad-field', `kind (${where})`);
  if (p.kind !== 'bad-field') return;
  assert.is(p.t, t, `t (${where})`);
  assert.is(p.id, id, `id (${where})`);
  assert.ok(p.why.includes(`'${field}'`), `why names '${field}': ${p.why} (${where})`);
}

// ---------------------------------------------------------------------------
const station = suite('parse: station -> router (2.1)');

station('hello, with and without station', () => {
  assert.equal(message(parseStationMessage(m({ t: 'hello', v: 1, station: 'st-7' }))), { t: 'hello', v: 1, station: 'st-7' });
  assert.equal(message(parseStationMessage(m({ t: 'hello', v: 1 }))), { t: 'hello', v: 1 });
});

station('req with body and ttl', () => {
  const body = cbor(obj({ csn: hex('04112233') }));
  const msg = message(parseStationMessage(m({ t: 'req', id: 12, op: 'transport-key', body: raw(toHex(body)), ttl: 3000 })));
  assert.equal(msg, { t: 'req', id: 12, op: 'transport-key', body, ttl: 3000 });
});

station('req without body or ttl has neither key', () => {
  const msg = message(parseStationMessage(m({ t: 'req', id: 0, op: 'issuer-key' })));
  assert.equal(msg, { t: 'req', id: 0, op: 'issuer-key' });
  assert.not.ok('body' in msg);
  assert.not.ok('ttl' in msg);
});

station('ping', () => {
  assert.equal(message(parseStationMessage(m({ t: 'ping', n: 99 }))), { t: 'ping', n: 99 });
});

station('keys in any order', () => {
  assert.equal(message(parseStationMessage(m({ op: 'echo', id: 5, t: 'req' }))), { t: 'req', id: 5, op: 'echo' });
});

station('unknown keys are ignored, whatever their value', () => {
  const msg = message(
    parseStationMessage(
      m({ t: 'req', id: 1, op: 'echo', future: [1, obj({ deep: hex('00') })], x: raw('f0'), y: raw('f9 7e00'), z: cmap([1, 2]) }),
    ),
  );
  assert.equal(msg, { t: 'req', id: 1, op: 'echo' });
  assert.equal(message(parseStationMessage(m({ t: 'ping', n: 1, extra: 'x' }))), { t: 'ping', n: 1 });
});

station('an unknown t is unknown-type, including router->station types', () => {
  assert.equal(problem(parseStationMessage(m({ t: 'frobnicate', id: 1 }))), { kind: 'unknown-type', t: 'frobnicate' });
  assert.equal(problem(parseStationMessage(m({ t: 'welcome', v: 1, router: 'r', line: 'l' }))), { kind: 'unknown-type', t: 'welcome' });
  assert.equal(problem(parseStationMessage(m({ t: 'REQ', id: 1, op: 'echo' }))), { kind: 'unknown-type', t: 'REQ' });
});

station('missing or ill-typed t is not-a-message', () => {
  assert.is(problem(parseStationMessage(m({ id: 1, op: 'echo' }))).kind, 'not-a-message');
  assert.is(problem(parseStationMessage(m({ t: 1, id: 1 }))).kind, 'not-a-message');
  assert.is(problem(parseStationMessage(m({ t: hex('726571'), id: 1 }))).kind, 'not-a-message');
});

station('not a map with text keys is not-a-message', () => {
  for (const b of [cbor([1, 2]), cbor('req'), cbor(7), cbor(cmap([1, 'req'])), cbor(cmap(['t', 'req'], [2, 3])), hex('f6')]) {
    assert.is(problem(parseStationMessage(b)).kind, 'not-a-message', toHex(b));
  }
});

station('malformed or non-plain CBOR is not-a-message', () => {
  for (const h of ['', 'a1 61 74', 'bf 61 74 63 72 65 71 ff', 'd0 a1 61 74 64 70 69 6e 67', 'a2 61 74 64 70 69 6e 67 61 6e c1 01', 'a1 61 74 64 70 69 6e 67 00']) {
    assert.is(problem(parseStationMessage(hex(h))).kind, 'not-a-message', h);
  }
});

station('req: missing fields are bad-field naming the field, id kept when valid', () => {
  badField(problem(parseStationMessage(m({ t: 'req', op: 'echo' }))), 'req', 'id', null);
  badField(problem(parseStationMessage(m({ t: 'req', id: 17 }))), 'req', 'op', 17);
});

station('req: ill-typed fields are bad-field naming the field, id kept when valid', () => {
  const wrong: C[] = ['7', -1, 1.5, true, null, hex('01'), [1], obj({ a: 1 })];
  for (const w of wrong) {
    const where = toHex(cbor(w));
    badField(problem(parseStationMessage(m({ t: 'req', id: w, op: 'echo' }))), 'req', 'id', null, `id ${where}`);
    badField(problem(parseStationMessage(m({ t: 'req', id: 8, op: typeof w === 'string' ? 5 : w }))), 'req', 'op', 8, `op ${where}`);
    badField(problem(parseStationMessage(m({ t: 'req', id: 8, op: 'echo', ttl: w }))), 'req', 'ttl', 8, `ttl ${where}`);
  }
});

station('ids above 2^32-1 are rejected; 2^32-1 is accepted', () => {
  assert.is(message(parseStationMessage(m({ t: 'req', id: 0xffffffff, op: 'echo' }))).t, 'req');
  for (const big of [0x100000000, 2 ** 53, 0xffffffffffffffffn]) {
    badField(problem(parseStationMessage(m({ t: 'req', id: big, op: 'echo' }))), 'req', 'id', null, String(big));
  }
  badField(problem(parseStationMessage(m({ t: 'req', id: 1, op: 'echo', ttl: 0x100000000 }))), 'req', 'ttl', 1);
  badField(problem(parseStationMessage(m({ t: 'ping', n: 0x100000000 }))), 'ping', 'n', null);
});

station('a non-shortest integer is still an integer (2-, 4- and 8-byte heads)', () => {
  assert.equal(message(parseStationMessage(m({ t: 'req', id: raw('19 0007'), op: 'echo' }))), { t: 'req', id: 7, op: 'echo' });
  assert.equal(message(parseStationMessage(m({ t: 'req', id: raw('1a 00000007'), op: 'echo' }))), { t: 'req', id: 7, op: 'echo' });
  assert.equal(message(parseStationMessage(m({ t: 'req', id: raw('1b 00000000ffffffff'), op: 'echo', ttl: raw('1b 0000000000000064') }))), {
    t: 'req',
    id: 0xffffffff,
    op: 'echo',
    ttl: 100,
  });
});

station('uint fields reject floats, even integral ones (1.0 is not an unsigned integer in CBOR)', () => {
  for (const f of ['f9 3c00', 'fa 3f800000', 'fb 3ff0000000000000', 'f9 0000', 'f9 8000']) {
    badField(problem(parseStationMessage(m({ t: 'req', id: raw(f), op: 'echo' }))), 'req', 'id', null, `id ${f}`);
    badField(problem(parseStationMessage(m({ t: 'ping', n: raw(f) }))), 'ping', 'n', null, `n ${f}`);
  }
});

station('hello and ping: missing or ill-typed fields are bad-field', () => {
  badField(problem(parseStationMessage(m({ t: 'hello' }))), 'hello', 'v', null);
  badField(problem(parseStationMessage(m({ t: 'hello', v: 'one' }))), 'hello', 'v', null);
  badField(problem(parseStationMessage(m({ t: 'hello', v: 1, station: 3 }))), 'hello', 'station', null);
  badField(problem(parseStationMessage(m({ t: 'ping' }))), 'ping', 'n', null);
  badField(problem(parseStationMessage(m({ t: 'ping', n: -4 }))), 'ping', 'n', null);
});

station('simple values in a typed field are a problem, never an exception', () => {
  const cases: Array<[string, Buffer]> = [
    ['id: simple(16)', m({ t: 'req', id: raw('f0'), op: 'echo' })],
    ['id: simple(255)', m({ t: 'req', id: raw('f8 ff'), op: 'echo' })],
    ['op: simple(0)', m({ t: 'req', id: 3, op: raw('e0') })],
    ['t: simple(19)', m({ t: raw('f3'), id: 3 })],
    ['n: simple(32)', m({ t: 'ping', n: raw('f8 20') })],
  ];
  for (const [name, body] of cases) {
    let parsed: Parsed<unknown> | undefined;
    try {
      parsed = parseStationMessage(body);
    } catch (e) {
      assert.unreachable(`${name}: parseStationMessage threw ${String(e)}`);
    }
    assert.ok(parsed && !parsed.ok, name);
  }
  // Where the id was valid it is kept, so the station still gets its bad-request.
  badField(problem(parseStationMessage(m({ t: 'req', id: 3, op: raw('e0') }))), 'req', 'op', 3, 'op simple');
});

station('deep nesting that fits a 4096-byte body, in a typed field, is a problem, never an exception', () => {
  const body = m({ t: 'req', id: 3, op: raw('81'.repeat(4000) + '80') });
  assert.ok(body.length <= 4096);
  let parsed: Parsed<unknown> | undefined;
  try {
    parsed = parseStationMessage(body);
  } catch (e) {
    assert.unreachable(`parseStationMessage threw ${String(e)}`);
  }
  assert.ok(parsed && !parsed.ok);
  if (parsed && !parsed.ok) badField(parsed.problem, 'req', 'op', 3);
});

station.run();

// ---------------------------------------------------------------------------
const bodies = suite('parse: bodies stay raw, byte for byte');

const oddBodies = [
  'a2 01 41 ff 20 fb 3ff8000000000000', // {1: h'ff', -1: 1.5}
  'f9 3c00', // 1.0 as a half float
  'fa 47c35000', // 100000.0 as a single float
  '1a 00000005', // 5, not in shortest form
  'a2 61 62 01 61 61 02', // {"b": 1, "a": 2}: not in canonical order
  '5800', // h'' with a 1-byte length
  '82 f0 f8 ff', // simple values
  'a1 62 c3bc 63 e282ac', // {"ü": "€"}
  'f6',
];

bodies('station req body -> server req -> parsed by the server: same bytes', () => {
  for (const h of oddBodies) {
    const b = hex(h);
    const req = message(parseStationMessage(m({ t: 'req', id: 4, op: 'echo', body: raw(h) })));
    assert.ok(req.t === 'req' && req.body, h);
    if (req.t !== 'req' || !req.body) continue;
    assert.is(toHex(req.body), toHex(b), `parsed body ${h}`);
    const wire = encodeMessage({ t: 'req', id: 99, op: req.op, body: req.body, station: 'pm/l1', ttl: 1000 });
    const atServer = message(parseRouterToServer(wire));
    assert.ok(atServer.t === 'req' && atServer.body, h);
    if (atServer.t === 'req' && atServer.body) assert.is(toHex(atServer.body), toHex(b), `at the server ${h}`);
  }
});

bodies('server res body -> station res -> parsed by the station: same bytes', () => {
  for (const h of oddBodies) {
    const res = message(parseServerMessage(m({ t: 'res', id: 99, ok: true, body: raw(h) })));
    assert.ok(res.t === 'res' && res.ok, h);
    if (res.t !== 'res' || !res.ok) continue;
    assert.is(toHex(res.body), toHex(hex(h)), `from the server ${h}`);
    const wire = encodeMessage({ t: 'res', id: 4, ok: true, body: res.body });
    const atStation = message(parseRouterToStation(wire));
    assert.ok(atStation.t === 'res' && atStation.ok, h);
    if (atStation.t === 'res' && atStation.ok) assert.is(toHex(atStation.body), toHex(hex(h)), `at the station ${h}`);
  }
});

bodies('a body with a tag inside is not plain CBOR', () => {
  assert.is(problem(parseStationMessage(m({ t: 'req', id: 1, op: 'echo', body: raw('c1 1a 514b67b0') }))).kind, 'not-a-message');
});

bodies.run();

// ---------------------------------------------------------------------------
const server = suite('parse: server -> router (2.2)');

server('ready', () => {
  assert.equal(message(parseServerMessage(m({ t: 'ready', slots: 3, ops: ['echo', 'certificate'] }))), { t: 'ready', slots: 3, ops: ['echo', 'certificate'] });
  assert.equal(message(parseServerMessage(m({ t: 'ready', slots: 0, ops: [] }))), { t: 'ready', slots: 0, ops: [] });
});

server('res ok and res err', () => {
  assert.equal(message(parseServerMessage(m({ t: 'res', id: 8, ok: true, body: hex('0102') }))), { t: 'res', id: 8, ok: true, body: hex('42 0102') });
  assert.equal(message(parseServerMessage(m({ t: 'res', id: 8, ok: false, err: obj({ code: 'key-unavailable', msg: 'hsm', extra: 1 }) }))), {
    t: 'res',
    id: 8,
    ok: false,
    err: { code: 'key-unavailable', msg: 'hsm' },
  });
});

server('ping and pong', () => {
  assert.equal(message(parseServerMessage(m({ t: 'ping', n: 1 }))), { t: 'ping', n: 1 });
  assert.equal(message(parseServerMessage(m({ t: 'pong', n: 2 }))), { t: 'pong', n: 2 });
});

server('unknown t and unknown keys', () => {
  assert.equal(problem(parseServerMessage(m({ t: 'req', id: 1, op: 'echo' }))), { kind: 'unknown-type', t: 'req' });
  assert.equal(message(parseServerMessage(m({ t: 'pong', n: 2, load: 0.5 }))), { t: 'pong', n: 2 });
});

server('bad fields', () => {
  badField(problem(parseServerMessage(m({ t: 'ready', ops: [] }))), 'ready', 'slots', null);
  badField(problem(parseServerMessage(m({ t: 'ready', slots: 1 }))), 'ready', 'ops', null);
  badField(problem(parseServerMessage(m({ t: 'ready', slots: 1, ops: ['echo', 2] }))), 'ready', 'ops', null);
  badField(problem(parseServerMessage(m({ t: 'ready', slots: 1, ops: 'echo' }))), 'ready', 'ops', null);
  badField(problem(parseServerMessage(m({ t: 'res', ok: true, body: 1 }))), 'res', 'id', null);
  badField(problem(parseServerMessage(m({ t: 'res', id: 0x1_0000_0000, ok: true, body: 1 }))), 'res', 'id', null);
  badField(problem(parseServerMessage(m({ t: 'res', id: 5, body: 1 }))), 'res', 'ok', 5);
  badField(problem(parseServerMessage(m({ t: 'res', id: 5, ok: 1, body: 1 }))), 'res', 'ok', 5);
  badField(problem(parseServerMessage(m({ t: 'res', id: 5, ok: false }))), 'res', 'err', 5);
  badField(problem(parseServerMessage(m({ t: 'res', id: 5, ok: false, err: 'boom' }))), 'res', 'err', 5);
  badField(problem(parseServerMessage(m({ t: 'res', id: 5, ok: false, err: obj({ code: 'x' }) }))), 'res', 'err', 5);
  const inner = problem(parseServerMessage(m({ t: 'res', id: 5, ok: false, err: obj({ code: 1, msg: 'm' }) })));
  assert.ok(inner.kind === 'bad-field' && inner.id === 5 && /'(err|code)'/.test(inner.why), JSON.stringify(inner));
  badField(problem(parseServerMessage(m({ t: 'ping', n: 'x' }))), 'ping', 'n', null);
});

server('an err map whose inner key is not UTF-8 is a problem, never an exception', () => {
  const body = m({ t: 'res', id: 5, ok: false, err: raw('a2 62 fffe 01 64 636f6465 61 78') });
  let parsed: Parsed<unknown> | undefined;
  try {
    parsed = parseServerMessage(body);
  } catch (e) {
    assert.unreachable(`parseServerMessage threw ${String(e)}`);
  }
  assert.ok(parsed && !parsed.ok);
});

server('simple values in typed fields are a problem, never an exception', () => {
  const cases: Array<[string, Buffer]> = [
    ['slots: simple(16)', m({ t: 'ready', slots: raw('f0'), ops: [] })],
    ['ops: [simple(16)]', m({ t: 'ready', slots: 1, ops: raw('81 f0') })],
    ['ok: simple(0)', m({ t: 'res', id: 1, ok: raw('e0'), body: 1 })],
  ];
  for (const [name, body] of cases) {
    let parsed: Parsed<unknown> | undefined;
    try {
      parsed = parseServerMessage(body);
    } catch (e) {
      assert.unreachable(`${name}: parseServerMessage threw ${String(e)}`);
    }
    assert.ok(parsed && !parsed.ok, name);
  }
});

server('deep nesting that fits a 4096-byte body, in ops, is a problem, never an exception', () => {
  const body = m({ t: 'ready', slots: 1, ops: raw('81'.repeat(4000) + '80') });
  assert.ok(body.length <= 4096);
  let parsed: Parsed<unknown> | undefined;
  try {
    parsed = parseServerMessage(body);
  } catch (e) {
    assert.unreachable(`parseServerMessage threw ${String(e)}`);
  }
  assert.ok(parsed && !parsed.ok);
});

server.run();

// ---------------------------------------------------------------------------
const toServer = suite('parse: router -> server (2.2)');

toServer('req with and without body', () => {
  assert.equal(message(parseRouterToServer(m({ t: 'req', id: 1, op: 'echo', station: 'pm/l1', ttl: 900, body: 'hi' }))), {
    t: 'req',
    id: 1,
    op: 'echo',
    station: 'pm/l1',
    ttl: 900,
    body: hex('62 6869'),
  });
  assert.equal(message(parseRouterToServer(m({ t: 'req', id: 1, op: 'echo', station: 'pm/l1', ttl: 900 }))), { t: 'req', id: 1, op: 'echo', station: 'pm/l1', ttl: 900 });
});

toServer('ping, pong, unknown t', () => {
  assert.equal(message(parseRouterToServer(m({ t: 'ping', n: 5 }))), { t: 'ping', n: 5 });
  assert.equal(message(parseRouterToServer(m({ t: 'pong', n: 5 }))), { t: 'pong', n: 5 });
  assert.equal(problem(parseRouterToServer(m({ t: 'ready', slots: 1, ops: [] }))), { kind: 'unknown-type', t: 'ready' });
});

toServer('station and ttl are required on a server req', () => {
  badField(problem(parseRouterToServer(m({ t: 'req', id: 2, op: 'echo', ttl: 1 }))), 'req', 'station', 2);
  badField(problem(parseRouterToServer(m({ t: 'req', id: 2, op: 'echo', station: 'a/b' }))), 'req', 'ttl', 2);
  badField(problem(parseRouterToServer(m({ t: 'req', id: 2, op: 'echo', station: 7, ttl: 1 }))), 'req', 'station', 2);
  badField(problem(parseRouterToServer(m({ t: 'req', id: -2, op: 'echo', station: 'a/b', ttl: 1 }))), 'req', 'id', null);
});

toServer.run();

// ---------------------------------------------------------------------------
const toStation = suite('parse: router -> station (2.1)');

toStation('welcome, ack, res, pong', () => {
  assert.equal(message(parseRouterToStation(m({ t: 'welcome', v: 1, router: 'pm', line: 'ttyS1' }))), { t: 'welcome', v: 1, router: 'pm', line: 'ttyS1' });
  assert.equal(message(parseRouterToStation(m({ t: 'ack', id: 1, q: 4 }))), { t: 'ack', id: 1, q: 4 });
  assert.equal(message(parseRouterToStation(m({ t: 'res', id: 1, ok: true, body: [1] }))), { t: 'res', id: 1, ok: true, body: hex('81 01') });
  assert.equal(message(parseRouterToStation(m({ t: 'res', id: null, ok: false, err: obj({ code: 'bad-request', msg: 'id' }) }))), {
    t: 'res',
    id: null,
    ok: false,
    err: { code: 'bad-request', msg: 'id' },
  });
  assert.equal(message(parseRouterToStation(m({ t: 'pong', n: 9 }))), { t: 'pong', n: 9 });
});

toStation('bad fields and unknown t', () => {
  badField(problem(parseRouterToStation(m({ t: 'ack', id: 1 }))), 'ack', 'q', 1);
  badField(problem(parseRouterToStation(m({ t: 'ack', id: 'x', q: 1 }))), 'ack', 'id', null);
  badField(problem(parseRouterToStation(m({ t: 'welcome', v: 1, router: 'pm' }))), 'welcome', 'line', null);
  badField(problem(parseRouterToStation(m({ t: 'pong' }))), 'pong', 'n', null);
  assert.equal(problem(parseRouterToStation(m({ t: 'ping', n: 1 }))), { kind: 'unknown-type', t: 'ping' });
});

toStation('welcome without v, or with v of the wrong type, is bad-field v', () => {
  badField(problem(parseRouterToStation(m({ t: 'welcome', router: 'pm', line: 'l' }))), 'welcome', 'v', null, 'missing v');
  badField(problem(parseRouterToStation(m({ t: 'welcome', v: '1', router: 'pm', line: 'l' }))), 'welcome', 'v', null, 'text v');
});

toStation.run();
