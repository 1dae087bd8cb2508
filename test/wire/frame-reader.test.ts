import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { crc32 } from 'node:zlib';
import { cobsEncode, cobsMaxEncodedLength } from '../../src/wire/cobs.js';
import { encodeFrame } from '../../src/wire/frame.js';
import { FrameReader, type FrameEvent } from '../../src/wire/frame-reader.js';
import { cbor, hex, obj, toHex } from './helpers.js';

const MAX = 256;
const body = (n: number): Buffer => cbor(obj({ t: 'ping', n }));
/** A frame built here from its parts: COBS(body || crc32 BE) || 00. */
function frameOf(b: Uint8Array, crc = crc32(b)): Buffer {
  const raw = Buffer.alloc(b.length + 4);
  raw.set(b, 0);
  raw.writeUInt32BE(crc >>> 0, b.length);
  return Buffer.concat([cobsEncode(raw), hex('00')]);
}
const frames = (events: FrameEvent[]): string[] => events.map((e) => (e.kind === 'frame' ? toHex(e.body) : `discard:${e.reason}`));

const reader = suite('frame-reader: awkward chunks');

reader('two frames in one chunk', () => {
  const r = new FrameReader(MAX);
  const ev = r.push(Buffer.concat([frameOf(body(1)), frameOf(body(2))]));
  assert.equal(frames(ev), [toHex(body(1)), toHex(body(2))]);
});

reader('one frame split byte by byte', () => {
  const r = new FrameReader(MAX);
  const f = frameOf(body(42));
  const ev: FrameEvent[] = [];
  for (let i = 0; i < f.length; i++) {
    const got = r.push(f.subarray(i, i + 1));
    if (i < f.length - 1) assert.is(got.length, 0, `nothing before the delimiter (byte ${i})`);
    ev.push(...got);
  }
  assert.equal(frames(ev), [toHex(body(42))]);
});

reader('a frame split across chunks at every position, with a second frame after it', () => {
  const f = Buffer.concat([frameOf(body(5)), frameOf(body(6))]);
  for (let cut = 0; cut <= f.length; cut++) {
    const r = new FrameReader(MAX);
    const ev = [...r.push(f.subarray(0, cut)), ...r.push(f.subarray(cut))];
    assert.equal(frames(ev), [toHex(body(5)), toHex(body(6))], `cut at ${cut}`);
  }
});

reader('leading junk ended by 0x00 is one discard; the frame after it is read', () => {
  const r = new FrameReader(MAX);
  const ev = r.push(Buffer.concat([hex('37 12 99 fe 01'), hex('00'), frameOf(body(7))]));
  assert.is(ev.length, 2);
  assert.is(ev[0]!.kind, 'discard');
  assert.equal(frames(ev.slice(1)), [toHex(body(7))]);
});

reader('junk with no 0x00 before a frame spoils only that frame; the next one is read', () => {
  const r = new FrameReader(MAX);
  const ev = r.push(Buffer.concat([hex('41 42 43'), frameOf(body(1)), frameOf(body(2))]));
  assert.is(ev.length, 2);
  assert.is(ev[0]!.kind, 'discard');
  assert.equal(frames(ev.slice(1)), [toHex(body(2))]);
});

reader('a CRC alone is short', () => {
  const r = new FrameReader(MAX);
  const lone = frameOf(new Uint8Array(0)); // COBS(crc32('')) 00
  assert.equal(frames(r.push(Buffer.concat([lone, frameOf(body(3))]))), ['discard:short', toHex(body(3))]);
});

reader('a bad CRC is discarded as crc and the next frame is read', () => {
  const r = new FrameReader(MAX);
  const bad = frameOf(body(1), crc32(body(1)) ^ 0x00010000);
  assert.equal(frames(r.push(Buffer.concat([bad, frameOf(body(2))]))), ['discard:crc', toHex(body(2))]);
});

reader('empty frames (00 00) are ignored', () => {
  const r = new FrameReader(MAX);
  assert.equal(r.push(hex('00 00 00 00')), []);
  const ev = r.push(Buffer.concat([hex('00 00'), frameOf(body(1)), hex('00 00 00'), frameOf(body(2)), hex('00')]));
  assert.equal(frames(ev), [toHex(body(1)), toHex(body(2))]);
});

reader('a lone 0x00 ends a partial frame (as a station sends after opening its port)', () => {
  const r = new FrameReader(MAX);
  const f = frameOf(body(9));
  assert.equal(r.push(f.subarray(0, 4)), []);
  const ev = r.push(Buffer.concat([hex('00'), f]));
  assert.is(ev.length, 2);
  assert.is(ev[0]!.kind, 'discard');
  assert.equal(frames(ev.slice(1)), [toHex(body(9))]);
});

reader('a frame one byte over maxBody is too-long and the next good frame is still read', () => {
  const r = new FrameReader(MAX);
  const over = cbor(Buffer.alloc(MAX - 1, 0x41)); // 58 ff + 255 bytes = MAX + 1
  assert.is(over.length, MAX + 1);
  assert.equal(frames(r.push(Buffer.concat([frameOf(over), frameOf(body(4))]))), ['discard:too-long', toHex(body(4))]);
});

reader('a frame far over maxBody is too-long, fed in small chunks, and the next frame is read', () => {
  const r = new FrameReader(MAX);
  const huge = frameOf(cbor(Buffer.alloc(MAX * 10, 0x41)));
  const stream = Buffer.concat([huge, frameOf(body(8))]);
  const ev: FrameEvent[] = [];
  for (let i = 0; i < stream.length; i += 7) {
    ev.push(...r.push(stream.subarray(i, i + 7)));
    assert.ok(r.heldBytes <= r.capacity);
  }
  assert.equal(frames(ev), ['discard:too-long', toHex(body(8))]);
});

reader('a body of exactly maxBody with the worst COBS overhead (no zero anywhere) is read', () => {
  const maxBody = 600;
  // A byte string 59 02 55 <597 bytes> is 600 bytes of CBOR with no zero; pick a fill whose CRC has no zero byte either.
  let found: Buffer | undefined;
  for (let fill = 1; fill < 256 && !found; fill++) {
    const b = cbor(Buffer.alloc(maxBody - 3, fill));
    const c = Buffer.alloc(4);
    c.writeUInt32BE(crc32(b));
    if (!c.includes(0) && !b.includes(0)) found = b;
  }
  assert.ok(found);
  assert.is(found.length, maxBody);
  const f = frameOf(found);
  const n = maxBody + 4;
  assert.is(f.length - 1, n + 1 + Math.floor(n / 254), 'the encoded frame is as long as COBS can make it');
  assert.ok(f.length - 1 <= cobsMaxEncodedLength(n));
  const r = new FrameReader(maxBody);
  assert.equal(frames(r.push(f)), [toHex(found)]);
});

reader('bodies handed out are copies: later input does not change them', () => {
  const r = new FrameReader(MAX);
  const [first] = r.push(frameOf(body(1)));
  r.push(Buffer.concat([frameOf(cbor(obj({ t: 'ping', n: 0xffff }))), frameOf(body(2))]));
  assert.ok(first && first.kind === 'frame');
  if (first.kind === 'frame') assert.is(toHex(first.body), toHex(body(1)));
});

reader('reset() forgets a partial frame', () => {
  const r = new FrameReader(MAX);
  const a = frameOf(body(1));
  r.push(a.subarray(0, a.length - 3));
  r.reset();
  assert.equal(frames(r.push(frameOf(body(2)))), [toHex(body(2))]);
  // Without the reset the same bytes spoil the frame.
  const r2 = new FrameReader(MAX);
  r2.push(a.subarray(0, a.length - 3));
  assert.not.equal(frames(r2.push(frameOf(body(2)))), [toHex(body(2))]);
});

reader('reset() also ends skipping an over-long frame', () => {
  const r = new FrameReader(16);
  r.push(Buffer.alloc(500, 0x41));
  r.reset();
  assert.equal(frames(r.push(frameOf(body(3)))), [toHex(body(3))]);
});

reader('frames of encodeFrame are read back', () => {
  const r = new FrameReader(MAX);
  const bodies = [body(1), cbor([1, 2, 3]), cbor('text'), hex('f6')];
  assert.equal(frames(r.push(Buffer.concat(bodies.map((b) => encodeFrame(b))))), bodies.map((b) => toHex(b)));
});

reader('maxBody must be a positive integer', () => {
  for (const bad of [0, -1, 1.5, Number.NaN]) assert.throws(() => new FrameReader(bad), RangeError, `maxBody ${bad}`);
});

reader.run();

const memory = suite('frame-reader: bounded memory');

memory('the buffer is sized for one maximal encoded frame', () => {
  for (const maxBody of [1, 16, 253, 254, 4096]) {
    const r = new FrameReader(maxBody);
    assert.is(r.capacity, cobsMaxEncodedLength(maxBody + 4), `maxBody ${maxBody}`);
  }
});

memory('8 MB of garbage without 0x00 grows nothing and yields one too-long at the next 0x00', () => {
  const r = new FrameReader(4096);
  const limit = cobsMaxEncodedLength(4096 + 4);
  const chunk = Buffer.alloc(64 * 1024);
  for (let i = 0; i < chunk.length; i++) chunk[i] = 1 + ((i * 131) % 255);
  for (let i = 0; i < 128; i++) {
    assert.equal(r.push(chunk), []);
    assert.is(r.capacity, limit, 'the one buffer, never grown');
    assert.ok(r.heldBytes <= limit);
  }
  assert.is(r.capacity, limit);
  const ev = r.push(Buffer.concat([hex('00'), frameOf(body(1))]));
  assert.equal(frames(ev), ['discard:too-long', toHex(body(1))]);
});

memory.run();
