import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { crc32 } from 'node:zlib';
import { cobsDecode, cobsEncode } from '../../src/wire/cobs.js';
import { decodeFrame, encodeFrame, DEFAULT_MAX_BODY } from '../../src/wire/frame.js';
import { cbor, hex, obj, toHex } from './helpers.js';

/** body || crc32(body) big-endian, built here without the code under test. */
function withCrc(body: Uint8Array, crc = crc32(body)): Buffer {
  const out = Buffer.alloc(body.length + 4);
  out.set(body, 0);
  out.writeUInt32BE(crc >>> 0, body.length);
  return out;
}

const enc = suite('frame: encodeFrame');

enc('ends with one 0x00 and holds no other zero', () => {
  const body = cbor(obj({ t: 'req', id: 0, op: 'echo', body: new Uint8Array(40) }));
  const frame = encodeFrame(body);
  assert.is(frame[frame.length - 1], 0);
  assert.is(frame.indexOf(0), frame.length - 1);
});

enc('the last 4 bytes before COBS are the CRC-32 of the body, big-endian (check value 123456789 -> CBF43926)', () => {
  const body = Buffer.from('123456789', 'ascii');
  const frame = encodeFrame(body);
  const raw = cobsDecode(frame.subarray(0, frame.length - 1));
  assert.ok(raw);
  assert.is(toHex(raw), toHex(body) + 'cbf43926');
});

enc('the CRC is zlib.crc32 for other bodies too', () => {
  for (const body of [hex('f6'), cbor(obj({ t: 'ping', n: 7 })), Buffer.alloc(300, 0), Buffer.alloc(600, 0xff)]) {
    const frame = encodeFrame(body);
    const raw = cobsDecode(frame.subarray(0, frame.length - 1));
    assert.ok(raw);
    assert.is(toHex(raw), toHex(withCrc(body)));
  }
});

enc('is exactly COBS(body || crc) || 00', () => {
  const body = cbor(obj({ t: 'pong', n: 0 }));
  assert.is(toHex(encodeFrame(body)), toHex(cobsEncode(withCrc(body))) + '00');
});

enc.run();

const dec = suite('frame: decodeFrame');
const stuffed = (raw: Uint8Array): Buffer => cobsEncode(raw);

dec('a good frame gives its body', () => {
  const body = cbor(obj({ t: 'ping', n: 3 }));
  const r = decodeFrame(stuffed(withCrc(body)), DEFAULT_MAX_BODY);
  assert.ok(r.ok);
  if (r.ok) assert.is(toHex(r.body), toHex(body));
});

dec('every single flipped bit in body or CRC is discarded as crc', () => {
  const body = cbor(obj({ t: 'req', id: 9, op: 'echo', body: hex('0102') }));
  const good = withCrc(body);
  for (let bit = 0; bit < good.length * 8; bit++) {
    const bad = Buffer.from(good);
    bad[bit >> 3]! ^= 1 << (bit & 7);
    const r = decodeFrame(stuffed(bad), DEFAULT_MAX_BODY);
    assert.equal(r, { ok: false, reason: 'crc' }, `bit ${bit}`);
  }
});

dec('a little-endian CRC is discarded as crc', () => {
  const body = cbor(obj({ t: 'ping', n: 1 }));
  const le = Buffer.alloc(body.length + 4);
  body.copy(le);
  le.writeUInt32LE(crc32(body), body.length);
  assert.equal(decodeFrame(stuffed(le), DEFAULT_MAX_BODY), { ok: false, reason: 'crc' });
});

dec('4 bytes or fewer (a CRC alone, nothing before it) are short', () => {
  assert.equal(decodeFrame(stuffed(withCrc(new Uint8Array(0))), DEFAULT_MAX_BODY), { ok: false, reason: 'short' });
  for (let n = 1; n <= 3; n++) {
    assert.equal(decodeFrame(stuffed(Buffer.alloc(n, 5)), DEFAULT_MAX_BODY), { ok: false, reason: 'short' }, `n=${n}`);
  }
});

dec('invalid COBS is cobs', () => {
  assert.equal(decodeFrame(hex('09 11 22'), DEFAULT_MAX_BODY), { ok: false, reason: 'cobs' });
});

dec('a good CRC over a body that is not one CBOR item is cbor', () => {
  for (const body of [hex('01 02'), hex('82 01'), hex('9f 01 ff'), hex('1c'), hex('62 61')]) {
    assert.equal(decodeFrame(stuffed(withCrc(body)), DEFAULT_MAX_BODY), { ok: false, reason: 'cbor' }, toHex(body));
  }
});

dec('a sealed message (tag 16) is a well-formed frame', () => {
  const sealed = Buffer.concat([hex('d0 83 40 a2 04 41 01 06 41 00 43 aa bb cc')]);
  const r = decodeFrame(stuffed(withCrc(sealed)), DEFAULT_MAX_BODY);
  assert.ok(r.ok);
});

dec('a body of exactly maxBody is kept, one byte more is too-long', () => {
  const maxBody = 100;
  const exact = cbor(Buffer.alloc(maxBody - 2, 0x61)); // 58 62 + 98 bytes = 100
  assert.is(exact.length, maxBody);
  assert.ok(decodeFrame(stuffed(withCrc(exact)), maxBody).ok);
  const over = cbor(Buffer.alloc(maxBody - 1, 0x61));
  assert.is(over.length, maxBody + 1);
  assert.equal(decodeFrame(stuffed(withCrc(over)), maxBody), { ok: false, reason: 'too-long' });
});

dec.run();
