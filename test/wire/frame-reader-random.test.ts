// Seeded random streams through FrameReader: garbage between frames, truncated
// and oversized frames, bad CRCs, bit flips. Each failure message names its seed.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { crc32 } from 'node:zlib';
import { cobsEncode, cobsMaxEncodedLength } from '../../src/wire/cobs.js';
import { FrameReader, type FrameEvent } from '../../src/wire/frame-reader.js';
import type { DiscardReason } from '../../src/wire/frame.js';
import { seededRandom, type Random } from '../../src/util/random.js';
import { cbor, obj, pick, randInt, randomBytes, randomChunks, randomValue, toHex } from './helpers.js';

function rawOf(body: Uint8Array, crc = crc32(body)): Buffer {
  const raw = Buffer.alloc(body.length + 4);
  raw.set(body, 0);
  raw.writeUInt32BE(crc >>> 0, body.length);
  return raw;
}
const frameOf = (body: Uint8Array): Buffer => Buffer.concat([cobsEncode(rawOf(body)), Buffer.of(0)]);

/** A random plain CBOR body of at most maxBody bytes: mostly message-like maps, sometimes any item. */
function randomBody(rand: Random, maxBody: number): Buffer {
  for (;;) {
    const b =
      rand() < 0.7
        ? cbor(obj({ t: pick(rand, ['req', 'ping', 'hello', 'res']), id: randInt(rand, 0, 0xffffffff), body: randomValue(rand) }))
        : cbor(randomValue(rand));
    if (b.length <= maxBody) return b;
  }
}

const ALL_REASONS: readonly DiscardReason[] = ['too-long', 'cobs', 'short', 'crc', 'cbor'];
const describe = (e: FrameEvent): string => (e.kind === 'frame' ? `frame ${toHex(e.body).slice(0, 40)}` : `discard ${e.reason}`);
type Internals = { buffer: Buffer; length: number };

/** Feeds `stream` in random chunks; checks memory after every push; returns all events. */
function feed(rand: Random, reader: FrameReader, stream: Buffer, maxBody: number, where: string): FrameEvent[] {
  const inner = reader as unknown as Internals;
  const buffer = inner.buffer;
  const limit = cobsMaxEncodedLength(maxBody + 4);
  const events: FrameEvent[] = [];
  for (const chunk of randomChunks(rand, stream)) {
    let got: FrameEvent[] = [];
    try {
      got = reader.push(chunk);
    } catch (e) {
      assert.unreachable(`push threw ${String(e)} (${where})`);
    }
    events.push(...got);
    assert.ok(inner.buffer === buffer && buffer.length === limit, `buffer stays one allocation of ${limit} bytes (${where})`);
    assert.ok(inner.length >= 0 && inner.length <= limit, `held bytes ${inner.length} <= ${limit} (${where})`);
  }
  return events;
}

const strict = suite('frame-reader random: every piece ended by 0x00 gives exactly its own event');

type Expect = { readonly frame: Buffer } | { readonly discard: readonly DiscardReason[] } | 'nothing';

for (let seed = 1; seed <= 30; seed++) {
  strict(`seed ${seed}`, () => {
    const rand = seededRandom(seed);
    const maxBody = pick(rand, [16, 40, 100, 253, 254, 300, 700]);
    const pieces: Buffer[] = [];
    const expected: Expect[] = [];
    const add = (bytes: Buffer, e: Expect): void => {
      pieces.push(bytes);
      expected.push(e);
    };
    for (let i = 0; i < 120; i++) {
      const kind = pick(rand, ['good', 'good', 'good', 'garbage', 'truncated', 'oversized', 'badcrc', 'crcalone', 'empty', 'badcbor']);
      const body = randomBody(rand, maxBody);
      switch (kind) {
        case 'good':
          add(frameOf(body), { frame: body });
          break;
        case 'garbage':
          add(Buffer.concat([randomBytes(rand, randInt(rand, 1, maxBody * 2 + 40), 0), Buffer.of(0)]), { discard: ALL_REASONS });
          break;
        case 'truncated': {
          const f = frameOf(body);
          add(Buffer.concat([f.subarray(0, randInt(rand, 1, f.length - 2)), Buffer.of(0)]), { discard: ['cobs', 'short', 'crc'] });
          break;
        }
        case 'oversized': {
          const big = cbor(randomBytes(rand, randInt(rand, maxBody + 1, maxBody * 3 + 50), 0.05));
          add(frameOf(big), { discard: ['too-long'] });
          break;
        }
        case 'badcrc': {
          const raw = rawOf(body);
          const bit = randInt(rand, 0, raw.length * 8 - 1);
          raw[bit >> 3]! ^= 1 << (bit & 7);
          add(Buffer.concat([cobsEncode(raw), Buffer.of(0)]), { discard: ['crc'] });
          break;
        }
        case 'crcalone':
          add(frameOf(new Uint8Array(0)), { discard: ['short'] });
          break;
        case 'empty':
          add(Buffer.of(0), 'nothing');
          break;
        case 'badcbor': {
          if (body.length >= maxBody) {
            add(frameOf(body), { frame: body });
            break;
          }
          // One item followed by one more byte is not one CBOR item; the CRC covers it all.
          add(frameOf(Buffer.concat([body, Buffer.of(randInt(rand, 0, 255))])), { discard: ['cbor'] });
          break;
        }
      }
    }
    const reader = new FrameReader(maxBody);
    const events = feed(rand, reader, Buffer.concat(pieces), maxBody, `seed ${seed}`);
    const wanted = expected.filter((e): e is Exclude<Expect, 'nothing'> => e !== 'nothing');
    assert.is(events.length, wanted.length, `one event per non-empty piece (seed ${seed})`);
    wanted.forEach((want, i) => {
      const got = events[i]!;
      if ('frame' in want) {
        assert.ok(got.kind === 'frame' && toHex(got.body) === toHex(want.frame), `event ${i}: want the frame, got ${describe(got)} (seed ${seed})`);
      } else {
        assert.ok(got.kind === 'discard' && want.discard.includes(got.reason), `event ${i}: want discard ${want.discard.join('|')}, got ${describe(got)} (seed ${seed})`);
      }
    });
  });
}

strict.run();

const loose = suite('frame-reader random: garbage with zeros, bit flips; every good frame after a 0x00 is recovered in order');

for (let seed = 101; seed <= 130; seed++) {
  loose(`seed ${seed}`, () => {
    const rand = seededRandom(seed);
    const maxBody = pick(rand, [16, 64, 254, 500, 1000]);
    const parts: Buffer[] = [];
    let lastByte = 0; // the stream "starts after a 0x00"
    const good: string[] = [];
    const push = (b: Buffer): void => {
      if (b.length === 0) return;
      parts.push(b);
      lastByte = b[b.length - 1]!;
    };
    for (let i = 0; i < 150; i++) {
      const kind = pick(rand, ['good', 'good', 'garbage', 'garbage0', 'truncated', 'oversized', 'flip', 'badcrc']);
      const body = randomBody(rand, maxBody);
      switch (kind) {
        case 'good':
          // Recovered only when it follows a 0x00; otherwise it is glued to what came before.
          if (lastByte === 0) good.push(toHex(body));
          push(frameOf(body));
          break;
        case 'garbage':
          push(randomBytes(rand, randInt(rand, 0, maxBody * 3), 0)); // no 0x00: glues onto the next frame
          break;
        case 'garbage0':
          push(randomBytes(rand, randInt(rand, 1, maxBody * 2), 0.05));
          break;
        case 'truncated': {
          const f = frameOf(body);
          push(f.subarray(0, randInt(rand, 1, f.length - 2))); // no delimiter
          break;
        }
        case 'oversized':
          push(frameOf(cbor(randomBytes(rand, randInt(rand, maxBody + 1, maxBody * 5), 0.02))));
          break;
        case 'flip': {
          const f = frameOf(body);
          const at = randInt(rand, 0, f.length - 2);
          f[at] = f[at]! ^ (1 << randInt(rand, 0, 7)); // may even create a 0x00 inside
          push(f);
          break;
        }
        case 'badcrc': {
          const raw = rawOf(body);
          raw[randInt(rand, 0, raw.length - 1)]! ^= 0x80;
          push(Buffer.concat([cobsEncode(raw), Buffer.of(0)]));
          break;
        }
      }
    }
    const reader = new FrameReader(maxBody);
    const events = feed(rand, reader, Buffer.concat(parts), maxBody, `seed ${seed}`);
    const got = events.filter((e) => e.kind === 'frame').map((e) => (e.kind === 'frame' ? toHex(e.body) : ''));
    assert.equal(got, good, `the good frames, in order (seed ${seed})`);
    for (const e of events) if (e.kind === 'discard') assert.ok(ALL_REASONS.includes(e.reason), `known reason ${e.reason} (seed ${seed})`);
  });
}

loose.run();

const mega = suite('frame-reader random: megabytes of garbage');

mega('4 MB of random non-zero bytes in random chunks hold no more than one frame, then frames are read again', () => {
  const seed = 4242;
  const rand = seededRandom(seed);
  const maxBody = 4096;
  const reader = new FrameReader(maxBody);
  const garbage = randomBytes(rand, 4 * 1024 * 1024, 0);
  const events = feed(rand, reader, garbage, maxBody, `seed ${seed}`);
  assert.equal(events, [], `no event before a 0x00 (seed ${seed})`);
  const body = cbor(obj({ t: 'ping', n: 1 }));
  const after = reader.push(Buffer.concat([Buffer.of(0), frameOf(body)]));
  assert.equal(after.map(describe), ['discard too-long', describe({ kind: 'frame', body })], `seed ${seed}`);
});

mega('4 MB of garbage with zeros: only discards, buffer bounded, and a good frame after it is read', () => {
  const seed = 4343;
  const rand = seededRandom(seed);
  const maxBody = 512;
  const reader = new FrameReader(maxBody);
  const garbage = randomBytes(rand, 4 * 1024 * 1024, 0.002);
  const events = feed(rand, reader, garbage, maxBody, `seed ${seed}`);
  assert.ok(events.every((e) => e.kind === 'discard'), `seed ${seed}`);
  assert.ok(events.length > 1000, `many discards counted (seed ${seed})`);
  const body = cbor(obj({ t: 'ping', n: 2 }));
  const after = reader.push(Buffer.concat([Buffer.of(0), frameOf(body)]));
  assert.is(describe(after[after.length - 1]!), describe({ kind: 'frame', body }), `seed ${seed}`);
});

mega.run();
