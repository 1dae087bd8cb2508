import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { crc32 } from 'node:zlib';
import { cobsDecode, cobsEncode } from '../../src/wire/cobs.js';
import { FrameReader } from '../../src/wire/frame-reader.js';
import { parseRouterToStation } from '../../src/wire/parse.js';
import { AsciiCodec, NativeCodec, bannerText, stationCodec, type StationEvent } from '../../src/wire/station-codec.js';
import { HELP_TEXT } from '../../src/wire/ascii.js';
import { cbor, hex, obj, raw, toHex, type C } from './helpers.js';

function frameOf(body: Uint8Array, crc = crc32(body)): Buffer {
  const rawBytes = Buffer.alloc(body.length + 4);
  rawBytes.set(body, 0);
  rawBytes.writeUInt32BE(crc >>> 0, body.length);
  return Buffer.concat([cobsEncode(rawBytes), hex('00')]);
}
const fm = (o: Record<string, C>): Buffer => frameOf(cbor(obj(o)));

/** Events with bodies as hex, `why` reduced to whether it names a field, for comparison. */
function simple(events: StationEvent[]): unknown[] {
  return events.map((e) => {
    if (e.kind === 'message') {
      const m = e.msg as unknown as Record<string, unknown>;
      return { kind: 'message', ...m, ...(m.body instanceof Uint8Array ? { body: toHex(m.body) } : {}) };
    }
    if (e.kind === 'bad-request') return { kind: 'bad-request', id: e.id };
    if (e.kind === 'write') return { kind: 'write', text: e.bytes.toString('latin1') };
    return { kind: 'drop', reason: e.reason };
  });
}

// ---------------------------------------------------------------------------
const native = suite('station-codec: NativeCodec');

native('requests, hello and ping become messages', () => {
  const c = new NativeCodec(4096);
  const ev = c.push(
    Buffer.concat([
      fm({ t: 'hello', v: 1, station: 'st-1' }),
      fm({ t: 'req', id: 1, op: 'echo', body: obj({ a: hex('0102') }), ttl: 500 }),
      fm({ t: 'ping', n: 3 }),
    ]),
  );
  assert.equal(simple(ev), [
    { kind: 'message', t: 'hello', v: 1, station: 'st-1' },
    { kind: 'message', t: 'req', id: 1, op: 'echo', body: 'a16161420102', ttl: 500 },
    { kind: 'message', t: 'ping', n: 3 },
  ]);
});

native('frame-level discards become drops with their reason', () => {
  const c = new NativeCodec(64);
  const good = cbor(obj({ t: 'ping', n: 1 }));
  const ev = c.push(
    Buffer.concat([
      frameOf(good, crc32(good) ^ 1), // crc
      frameOf(new Uint8Array(0)), // short
      hex('05 41 00'), // cobs: the code runs past the end
      frameOf(cbor(Buffer.alloc(100, 0x41))), // too-long
      frameOf(hex('01 02')), // cbor: two items
      frameOf(good),
    ]),
  );
  assert.equal(simple(ev), [
    { kind: 'drop', reason: 'crc' },
    { kind: 'drop', reason: 'short' },
    { kind: 'drop', reason: 'cobs' },
    { kind: 'drop', reason: 'too-long' },
    { kind: 'drop', reason: 'cbor' },
    { kind: 'message', t: 'ping', n: 1 },
  ]);
});

native('a malformed req is answered bad-request, with its id when the id was valid', () => {
  const c = new NativeCodec(4096);
  const ev = c.push(
    Buffer.concat([
      fm({ t: 'req', id: 9 }), // no op
      fm({ t: 'req', id: 9, op: 4 }),
      fm({ t: 'req', id: 9, op: 'echo', ttl: 'soon' }),
      fm({ t: 'req', op: 'echo' }), // no id
      fm({ t: 'req', id: 0x100000000, op: 'echo' }),
      fm({ t: 'req', id: 'nine', op: 'echo' }),
    ]),
  );
  assert.equal(simple(ev), [
    { kind: 'bad-request', id: 9 },
    { kind: 'bad-request', id: 9 },
    { kind: 'bad-request', id: 9 },
    { kind: 'bad-request', id: null },
    { kind: 'bad-request', id: null },
    { kind: 'bad-request', id: null },
  ]);
  for (const e of ev) assert.ok(e.kind === 'bad-request' && /'(id|op|ttl)'/.test(e.why), JSON.stringify(e));
});

native('a malformed hello or ping is only dropped as bad-field', () => {
  const c = new NativeCodec(4096);
  const ev = c.push(Buffer.concat([fm({ t: 'hello' }), fm({ t: 'hello', v: 1, station: 5 }), fm({ t: 'ping' }), fm({ t: 'ping', n: -1 })]));
  assert.equal(simple(ev), [
    { kind: 'drop', reason: 'bad-field' },
    { kind: 'drop', reason: 'bad-field' },
    { kind: 'drop', reason: 'bad-field' },
    { kind: 'drop', reason: 'bad-field' },
  ]);
});

native('unknown t is dropped as unknown-type; a body that is not a message map as not-a-message', () => {
  const c = new NativeCodec(4096);
  const ev = c.push(
    Buffer.concat([
      fm({ t: 'subscribe', id: 1 }),
      fm({ t: 'pong', n: 1 }), // router -> station only
      frameOf(cbor([1, 2, 3])),
      frameOf(cbor('req')),
      frameOf(hex('a1 01 02')), // integer key
      frameOf(hex('d0 83 40 a0 40')), // a sealed COSE object has no place on a station line
      fm({ id: 1, op: 'echo' }), // no t
    ]),
  );
  assert.equal(simple(ev), [
    { kind: 'drop', reason: 'unknown-type' },
    { kind: 'drop', reason: 'unknown-type' },
    { kind: 'drop', reason: 'not-a-message' },
    { kind: 'drop', reason: 'not-a-message' },
    { kind: 'drop', reason: 'not-a-message' },
    { kind: 'drop', reason: 'not-a-message' },
    { kind: 'drop', reason: 'not-a-message' },
  ]);
});

native('a request body with integer keys and a float reaches the message byte for byte', () => {
  const c = new NativeCodec(4096);
  const body = 'a2 01 f9 3c00 20 fb 3ff8000000000000';
  const [e] = c.push(fm({ t: 'req', id: 2, op: 'echo', body: raw(body) }));
  assert.ok(e && e.kind === 'message' && e.msg.t === 'req' && e.msg.body);
  if (e && e.kind === 'message' && e.msg.t === 'req') assert.is(toHex(e.msg.body!), toHex(hex(body)));
});

native('bytes split one by one give the same events', () => {
  const stream = Buffer.concat([fm({ t: 'ping', n: 1 }), fm({ t: 'req', id: 2 }), fm({ t: 'zzz' }), fm({ t: 'req', id: 3, op: 'echo' })]);
  const whole = simple(new NativeCodec(4096).push(stream));
  const c = new NativeCodec(4096);
  const bytewise: StationEvent[] = [];
  for (const byte of stream) bytewise.push(...c.push(Uint8Array.of(byte)));
  assert.equal(simple(bytewise), whole);
  assert.is(whole.length, 4);
});

native('encode: frames the router -> station messages, readable by a station', () => {
  const c = new NativeCodec(4096);
  const msgs = [
    { t: 'welcome', v: 1, router: 'pm', line: 'l1' },
    { t: 'ack', id: 5, q: 0 },
    { t: 'res', id: 5, ok: true, body: hex('a1 61 6b 42 0102') },
    { t: 'res', id: null, ok: false, err: { code: 'bad-request', msg: 'id' } },
    { t: 'pong', n: 4 },
  ] as const;
  const reader = new FrameReader(4096);
  for (const m of msgs) {
    const bytes = c.encode(m);
    assert.is(bytes[bytes.length - 1], 0);
    assert.is(bytes.indexOf(0), bytes.length - 1);
    const [f] = reader.push(bytes);
    assert.ok(f && f.kind === 'frame', m.t);
    if (!f || f.kind !== 'frame') continue;
    const p = parseRouterToStation(f.body);
    assert.ok(p.ok, m.t);
    if (p.ok) assert.equal(p.msg, m);
  }
});

native('encode: an ack is exactly COBS(a3 "t" "ack" "id" 5 "q" 0 || crc32 BE) 00', () => {
  const body = hex('a3 6174 6361636b 626964 05 6171 00');
  const bytes = new NativeCodec(4096).encode({ t: 'ack', id: 5, q: 0 });
  const rawBytes = cobsDecode(bytes.subarray(0, bytes.length - 1));
  assert.ok(rawBytes);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  assert.is(toHex(rawBytes), toHex(body) + toHex(crc));
});

native('reset() forgets a partial frame', () => {
  const c = new NativeCodec(4096);
  const a = fm({ t: 'ping', n: 1 });
  c.push(a.subarray(0, 5));
  c.reset();
  assert.equal(simple(c.push(fm({ t: 'ping', n: 2 }))), [{ kind: 'message', t: 'ping', n: 2 }]);
});

native('simple values or deep nesting in a field never throw out of push', () => {
  const cases: Array<[string, Buffer]> = [
    ['req id simple(16)', fm({ t: 'req', id: raw('f0'), op: 'echo' })],
    ['req op simple(0)', fm({ t: 'req', id: 4, op: raw('e0') })],
    ['ping n simple(255)', fm({ t: 'ping', n: raw('f8 ff') })],
    ['t simple(19)', fm({ t: raw('f3') })],
    ['op 4000 nested arrays', fm({ t: 'req', id: 4, op: raw('81'.repeat(4000) + '80') })],
  ];
  for (const [name, bytes] of cases) {
    const c = new NativeCodec(4096);
    let ev: StationEvent[] = [];
    try {
      ev = c.push(Buffer.concat([bytes, fm({ t: 'ping', n: 7 })]));
    } catch (e) {
      assert.unreachable(`${name}: push threw ${String(e)}`);
    }
    assert.is(ev.length, 2, name);
    assert.ok(ev[0]!.kind !== 'message', name);
    assert.equal(simple(ev.slice(1)), [{ kind: 'message', t: 'ping', n: 7 }], name);
  }
});

native.run();

// ---------------------------------------------------------------------------
const asciiCodec = suite('station-codec: AsciiCodec');
const text = (s: string): Buffer => Buffer.from(s, 'latin1');

asciiCodec('REQ and PING lines become messages, with CR LF or a lone LF', () => {
  const c = new AsciiCodec();
  const ev = c.push(text('REQ 1 echo a=0x0102 n=5 s=hi\r\nPING 2\nREQ 3 issuer-key\r\n'));
  assert.equal(simple(ev), [
    { kind: 'message', t: 'req', id: 1, op: 'echo', body: toHex(cbor(obj({ a: hex('0102'), n: 5, s: 'hi' }))) },
    { kind: 'message', t: 'ping', n: 2 },
    { kind: 'message', t: 'req', id: 3, op: 'issuer-key', body: 'a0' },
  ]);
});

asciiCodec('every malformed line is a bad-request, with the id when known', () => {
  const c = new AsciiCodec();
  const ev = c.push(text('REQ 4\r\nREQ x echo\r\nREQ 5 echo a=0x1\r\nPING x\r\nFOO 6\r\nREQ 7 echo a\r\n'));
  assert.equal(simple(ev), [
    { kind: 'bad-request', id: 4 },
    { kind: 'bad-request', id: null },
    { kind: 'bad-request', id: 5 },
    { kind: 'bad-request', id: null },
    { kind: 'bad-request', id: null },
    { kind: 'bad-request', id: 7 },
  ]);
  for (const e of ev) assert.ok(e.kind === 'bad-request' && e.why.length > 0);
});

asciiCodec('empty lines are ignored', () => {
  assert.equal(new AsciiCodec().push(text('\r\n\n  \r\n')), []);
});

asciiCodec('a line over 1024 bytes is a bad-request and the next line is still read', () => {
  const c = new AsciiCodec();
  const long = 'REQ 9 echo a=' + 'x'.repeat(1100);
  const ev = c.push(text(long + '\r\nPING 1\r\n'));
  assert.equal(simple(ev), [{ kind: 'bad-request', id: null }, { kind: 'message', t: 'ping', n: 1 }]);
});

asciiCodec('bytes split one by one give the same events', () => {
  const stream = text('REQ 1 echo a=1\r\nPING 2\r\nREQ\r\n');
  const c = new AsciiCodec();
  const ev: StationEvent[] = [];
  for (const b of stream) ev.push(...c.push(Uint8Array.of(b)));
  assert.equal(simple(ev), simple(new AsciiCodec().push(stream)));
  assert.is(ev.length, 3);
});

asciiCodec('encode: ACK, RES OK, RES ERR, PONG, WELCOME as lines', () => {
  const c = new AsciiCodec();
  assert.is(c.encode({ t: 'ack', id: 1, q: 0 })?.toString('latin1'), 'ACK 1 0\r\n');
  assert.is(c.encode({ t: 'res', id: 1, ok: true, body: cbor(obj({ k: hex('ab'), n: 2 })) })?.toString('latin1'), 'RES 1 OK k=0xab n=2\r\n');
  assert.is(c.encode({ t: 'res', id: 1, ok: false, err: { code: 'unknown-op', msg: 'no such op' } })?.toString('latin1'), 'RES 1 ERR unknown-op no such op\r\n');
  assert.is(c.encode({ t: 'pong', n: 8 })?.toString('latin1'), 'PONG 8\r\n');
  assert.is(c.encode({ t: 'welcome', v: 1, router: 'r', line: 'l' })?.toString('latin1'), 'WELCOME r l\r\n');
});

asciiCodec('encode: every byte written is ASCII, whatever text the answer holds', () => {
  const c = new AsciiCodec();
  for (const s of ['€uro', 'naïve', '日本']) {
    const bytes = c.encode({ t: 'res', id: 1, ok: true, body: cbor(obj({ name: s })) })!;
    assert.ok(bytes.every((b) => b < 0x80), `${s}: ${toHex(bytes)}`);
  }
});

asciiCodec('reset() forgets a partial line', () => {
  const c = new AsciiCodec();
  c.push(text('REQ 1 ec'));
  c.reset();
  assert.equal(simple(c.push(text('PING 1\r\n'))), [{ kind: 'message', t: 'ping', n: 1 }]);
});

asciiCodec('section 6 reading 11: without echo, only HELP and a bare PING are written back by the codec', () => {
  const c = new AsciiCodec();
  assert.equal(simple(c.push(text('PING\rhelp\r\nHELLO st 1\r'))), [
    { kind: 'write', text: 'PONG\r\n' },
    { kind: 'write', text: HELP_TEXT },
    { kind: 'message', t: 'hello', v: 1, station: 'st 1' },
  ]);
});

asciiCodec('with echo, typed characters and erases are written back before the line they make', () => {
  const c = new AsciiCodec({ echo: true });
  assert.equal(simple(c.push(text('REQ 1 ecg'))), [{ kind: 'write', text: 'REQ 1 ecg' }]);
  assert.equal(simple(c.push(text('\x7fho\r'))), [
    { kind: 'write', text: '\b \bho\r\n' },
    { kind: 'message', t: 'req', id: 1, op: 'echo', body: 'a0' },
  ]);
  assert.equal(simple(c.push(text('\n'))), [], 'the LF of CR LF in its own write neither echoes nor makes a line');
});

asciiCodec('a backspace never reaches the op or a value', () => {
  const c = new AsciiCodec();
  const [e] = c.push(text('REQ 2 echx\bo k=ab\x7fc\r'));
  assert.equal(simple([e!]), [{ kind: 'message', t: 'req', id: 2, op: 'echo', body: toHex(cbor(obj({ k: 'ac' }))) }]);
});

asciiCodec('opening: the banner as "# " lines, nothing without one; native opens with a lone 0x00', () => {
  assert.is(new AsciiCodec().opening(), undefined);
  assert.is(new AsciiCodec({ echo: true, banner: 'persomux bench\nType HELP' }).opening()?.toString('latin1'), '# persomux bench\r\n# Type HELP\r\n');
  assert.is(bannerText('one'), '# one\r\n');
  assert.equal([...new NativeCodec(4096).opening()], [0]);
});

asciiCodec.run();

const factory = suite('station-codec: stationCodec');

factory('picks the codec by protocol', () => {
  assert.instance(stationCodec('ascii', 4096), AsciiCodec);
  assert.is(simple(stationCodec('ascii', 4096, { echo: true }).push(text('P'))).length, 1, 'the ascii options are passed on');
  assert.instance(stationCodec('native', 4096), NativeCodec);
  const c = stationCodec('native', 32);
  assert.equal(simple(c.push(frameOf(cbor(Buffer.alloc(40, 1))))), [{ kind: 'drop', reason: 'too-long' }], 'maxBody is passed on');
});

factory.run();
