import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { checkItem } from '../../src/wire/cbor-scan.js';
import { encodeMessage, NULL_BODY, type AnyMessage } from '../../src/wire/messages.js';
import { parseRouterToServer, parseRouterToStation, parseServerMessage, parseStationMessage } from '../../src/wire/parse.js';
import { cbor, hex, obj, toHex } from './helpers.js';

const enc = suite('messages: encodeMessage is plain CBOR');

enc('the sample request with 4 keys starts a4 61 74 63 72 65 71', () => {
  const body = cbor(obj({ csn: hex('04a1b2c3d4e5f6'), note: 'hello' }));
  const bytes = encodeMessage({ t: 'req', id: 1, op: 'echo', body });
  assert.is(toHex(bytes.subarray(0, 7)), 'a4617463726571');
  // The rest, built here by hand: "id" 1, "op" "echo", "body" <raw>.
  assert.is(toHex(bytes), 'a4617463726571' + '626964' + '01' + '626f70' + '646563686f' + '64626f6479' + toHex(body));
});

enc('exact bytes of small messages (hand-encoded from RFC 8949)', () => {
  assert.is(toHex(encodeMessage({ t: 'pong', n: 5 })), 'a2' + '6174' + '64706f6e67' + '616e' + '05');
  assert.is(toHex(encodeMessage({ t: 'ack', id: 0xffffffff, q: 0 })), 'a3' + '6174' + '6361636b' + '626964' + '1affffffff' + '6171' + '00');
  assert.is(
    toHex(encodeMessage({ t: 'res', id: 300, ok: false, err: { code: 'x', msg: 'y' } })),
    'a4' + '6174' + '63726573' + '626964' + '19012c' + '626f6b' + 'f4' + '63657272' + 'a2' + '64636f6465' + '6178' + '636d7367' + '6179',
  );
  assert.is(toHex(encodeMessage({ t: 'res', id: null, ok: true, body: NULL_BODY })), 'a4' + '6174' + '63726573' + '626964' + 'f6' + '626f6b' + 'f5' + '64626f6479' + 'f6');
  assert.is(
    toHex(encodeMessage({ t: 'ready', slots: 2, ops: ['echo', 'a'] })),
    'a3' + '6174' + '657265616479' + '65736c6f7473' + '02' + '636f7073' + '82' + '646563686f' + '6161',
  );
  assert.is(toHex(encodeMessage({ t: 'welcome', v: 1, router: 'r', line: 'l' })), 'a4' + '6174' + '6777656c636f6d65' + '6176' + '01' + '66726f75746572' + '6172' + '646c696e65' + '616c');
});

enc('keys whose value is undefined are left out of the map', () => {
  const m = { t: 'req', id: 1, op: 'echo', body: undefined, ttl: undefined } as unknown as AnyMessage;
  assert.is(toHex(encodeMessage(m)), 'a3' + '6174' + '63726571' + '626964' + '01' + '626f70' + '646563686f');
});

enc('bodies are spliced in raw, whatever they hold (integer keys, floats, non-shortest integers)', () => {
  for (const body of [hex('a2 01 41 ff 20 fb 3ff8000000000000'), hex('f9 3c00'), hex('1a 00000005'), hex('a1 61 61 f9 7e00'), hex('80')]) {
    const bytes = encodeMessage({ t: 'res', id: 7, ok: true, body });
    assert.ok(toHex(bytes).endsWith('64626f6479' + toHex(body)), toHex(body));
  }
});

enc('no tags, definite lengths: every message passes the plain-CBOR scan', () => {
  const msgs: AnyMessage[] = [
    { t: 'req', id: 1, op: 'echo', body: hex('43 010203'), ttl: 500 },
    { t: 'req', id: 2, op: 'echo', body: hex('a0'), station: 'r/l', ttl: 1000 },
    { t: 'ack', id: 1, q: 3 },
    { t: 'res', id: 1, ok: true, body: hex('a1 63 6b6579 50 00112233445566778899aabbccddeeff') },
    { t: 'res', id: 1, ok: false, err: { code: 'timeout', msg: 'no answer' } },
    { t: 'ready', slots: 0, ops: [] },
    { t: 'welcome', v: 1, router: 'pm1', line: 'ttyS0' },
    { t: 'ping', n: 0xffffffff },
    { t: 'hello', v: 1, station: 'st-1' },
  ];
  for (const m of msgs) {
    const b = encodeMessage(m);
    checkItem(b); // throws on tags or indefinite lengths
    assert.is(b[0]! >> 5, 5, `a map (${m.t})`);
    for (const byte of [0x5f, 0x7f, 0x9f, 0xbf]) assert.ok(b[0] !== byte);
  }
});

enc('deterministic: the same message gives the same bytes, every time', () => {
  const m = { t: 'res', id: 9, ok: false, err: { code: 'server-lost', msg: 'gone' } } as const;
  const first = toHex(encodeMessage(m));
  for (let i = 0; i < 5; i++) assert.is(toHex(encodeMessage({ ...m, err: { ...m.err } })), first);
});

enc('keys are written in the order given', () => {
  const a = encodeMessage({ t: 'ack', id: 1, q: 2 });
  const b = encodeMessage({ q: 2, id: 1, t: 'ack' } as AnyMessage);
  assert.ok(toHex(a).startsWith('a36174'));
  assert.ok(toHex(b).startsWith('a36171'));
});

enc('buffers returned earlier are not overwritten by later encodes', () => {
  const first = encodeMessage({ t: 'pong', n: 1 });
  const copy = toHex(first);
  for (let i = 0; i < 200; i++) encodeMessage({ t: 'ack', id: i, q: i });
  assert.is(toHex(first), copy);
});

enc.run();

const round = suite('messages: encode then parse gives the message back');

round('router -> station', () => {
  const msgs = [
    { t: 'welcome', v: 1, router: 'pm', line: 'l1' },
    { t: 'ack', id: 3, q: 0 },
    { t: 'res', id: 3, ok: true, body: hex('a2 01 02 61 61 f9 3c00') },
    { t: 'res', id: 4, ok: false, err: { code: 'unknown-op', msg: 'op nope' } },
    { t: 'res', id: null, ok: false, err: { code: 'bad-request', msg: 'no id' } },
    { t: 'pong', n: 77 },
  ] as const;
  for (const m of msgs) {
    const p = parseRouterToStation(encodeMessage(m));
    assert.ok(p.ok, m.t);
    if (p.ok) assert.equal(p.msg, m);
  }
});

round('station -> router', () => {
  const msgs = [
    { t: 'hello', v: 1, station: 's' },
    { t: 'hello', v: 1 },
    { t: 'req', id: 0, op: 'echo' },
    { t: 'req', id: 0xffffffff, op: 'session-keys', body: hex('a1 63 63736e 44 01020304'), ttl: 2500 },
    { t: 'ping', n: 0 },
  ] as const;
  for (const m of msgs) {
    const p = parseStationMessage(encodeMessage(m));
    assert.ok(p.ok, m.t);
    if (p.ok) assert.equal(p.msg, m);
  }
});

round('router -> server and server -> router', () => {
  const toServer = [
    { t: 'req', id: 5, op: 'echo', station: 'pm/l1', ttl: 1000, body: hex('fb 400921fb54442d18') },
    { t: 'req', id: 6, op: 'issuer-key', station: 'pm/l1', ttl: 1000 },
    { t: 'ping', n: 1 },
    { t: 'pong', n: 2 },
  ] as const;
  for (const m of toServer) {
    const p = parseRouterToServer(encodeMessage(m));
    assert.ok(p.ok, m.t);
    if (p.ok) assert.equal(p.msg, m);
  }
  const fromServer = [
    { t: 'ready', slots: 4, ops: ['echo', 'transport-key'] },
    { t: 'res', id: 5, ok: true, body: hex('a1 63 6b6579 50 000102030405060708090a0b0c0d0e0f') },
    { t: 'res', id: 6, ok: false, err: { code: 'key-unavailable', msg: 'hsm down' } },
    { t: 'ping', n: 3 },
    { t: 'pong', n: 4 },
  ] as const;
  for (const m of fromServer) {
    const p = parseServerMessage(encodeMessage(m));
    assert.ok(p.ok, m.t);
    if (p.ok) assert.equal(p.msg, m);
  }
});

round.run();
