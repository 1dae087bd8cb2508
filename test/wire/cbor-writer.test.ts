// The message writer against cbor-x (an independent encoder): for random
// messages of every type, and for values at every head-size boundary, the
// bytes are identical to cbor-x encoding each key and value and joining them,
// which is how messages were encoded before the writer existed. The frame
// encoder, which stuffs body and CRC in one pass, is checked the same way
// against COBS over the joined bytes.
import { crc32 } from 'node:zlib';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { seededRandom, type Random } from '../../src/util/random.js';
import { encodeCbor } from '../../src/wire/cbor.js';
import { CborWriter } from '../../src/wire/cbor-writer.js';
import { cobsEncode } from '../../src/wire/cobs.js';
import { encodeFrame } from '../../src/wire/frame.js';
import { encodeMessage, encodeMessageTransient, type AnyMessage } from '../../src/wire/messages.js';
import { toHex } from './helpers.js';

/** Messages as they were encoded before: cbor-x per key and per value, bodies spliced raw. */
function reference(message: AnyMessage): Buffer {
  const entries = Object.entries(message).filter(([, v]) => v !== undefined);
  const parts: Uint8Array[] = [entries.length < 24 ? Uint8Array.of(0xa0 | entries.length) : Uint8Array.of(0xb8, entries.length)];
  for (const [key, value] of entries) parts.push(encodeCbor(key), key === 'body' ? (value as Uint8Array) : encodeCbor(value));
  return Buffer.concat(parts);
}

const BOUNDARY_INTS = [0, 1, 23, 24, 255, 256, 65_535, 65_536, 0xffff_ffff];
const TEXTS = ['', 'a', 'echo', 'x'.repeat(23), 'x'.repeat(24), 'y'.repeat(255), 'y'.repeat(256), 'z'.repeat(70_000), 'clé', 'карта', '证书', '🔑 key', 'a\u0000b', '\u{10ffff}'];

function pick<T>(r: Random, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)]!;
}
function int(r: Random): number {
  return r() < 0.5 ? pick(r, BOUNDARY_INTS) : Math.floor(r() * 2 ** (1 + Math.floor(r() * 32)));
}
function text(r: Random): string {
  if (r() < 0.4) return pick(r, TEXTS);
  const n = Math.floor(r() * 40);
  let s = '';
  for (let i = 0; i < n; i++) s += String.fromCodePoint(r() < 0.8 ? 32 + Math.floor(r() * 95) : 0x80 + Math.floor(r() * 0x2000));
  return s;
}
function bytes(r: Random): Uint8Array {
  const n = r() < 0.2 ? pick(r, [0, 23, 24, 255, 256, 300]) : Math.floor(r() * 64);
  return Uint8Array.from({ length: n }, () => Math.floor(r() * 256));
}
/** A raw body: one plain CBOR item, as a station sends it. */
function body(r: Random): Uint8Array {
  return encodeCbor(pick(r, [null, int(r), text(r), Buffer.from(bytes(r)), { pan: text(r), n: int(r) }, [int(r), text(r)]]));
}

function message(r: Random): AnyMessage {
  const id = int(r);
  switch (Math.floor(r() * 12)) {
    case 0: return { t: 'hello', v: 1, station: r() < 0.5 ? text(r) : undefined } as AnyMessage;
    case 1: return { t: 'req', id, op: text(r), body: r() < 0.8 ? body(r) : undefined, ttl: r() < 0.5 ? int(r) : undefined } as AnyMessage;
    case 2: return { t: 'ping', n: int(r) };
    case 3: return { t: 'welcome', v: 1, router: text(r), line: text(r) };
    case 4: return { t: 'ack', id, q: int(r) };
    case 5: return { t: 'res', id: r() < 0.1 ? null : id, ok: true, body: body(r) };
    case 6: return { t: 'res', id, ok: false, err: { code: text(r), msg: text(r) } };
    case 7: return { t: 'req', id, op: text(r), body: body(r), station: text(r), ttl: int(r) };
    case 8: return { t: 'ready', slots: int(r), ops: Array.from({ length: Math.floor(r() * 30) }, () => text(r)) };
    case 9: return { t: 'pong', n: int(r) };
    case 10: return { t: 'open', v: 1, kid: bytes(r), r: bytes(r) };
    default: return { t: 'opened', v: 1, kid: bytes(r), r: bytes(r) };
  }
}

test('random messages of every type: the same bytes as cbor-x key by key', () => {
  const r = seededRandom(20261130);
  for (let i = 0; i < 5000; i++) {
    const m = message(r);
    const expected = toHex(reference(m));
    assert.is(toHex(encodeMessage(m)), expected, JSON.stringify(m).slice(0, 200));
    assert.is(toHex(encodeMessageTransient(m)), expected);
  }
});

test('values the writer hands to cbor-x (floats, big and negative integers, nested undefined) come out as cbor-x writes them', () => {
  const odd: unknown[] = [1.5, -0.25, 2 ** 32, 2 ** 53 - 1, -1, -24, -25, -(2 ** 31), -(2 ** 31) - 1, Number.NaN, { a: undefined, b: [1, undefined] }, [[], {}], new Map([['k', 1]])];
  for (const v of odd) {
    const w = new CborWriter(1);
    w.value(v);
    assert.is(toHex(w.view()), toHex(encodeCbor(v)), String(v));
  }
});

test('the writer grows past its first buffer and a reset starts over', () => {
  const w = new CborWriter(2);
  const long = 'é'.repeat(5000);
  w.value({ long, list: [1, 2, 3] });
  assert.is(toHex(w.view()), toHex(encodeCbor({ long, list: [1, 2, 3] })));
  w.reset().value(7);
  assert.is(toHex(w.view()), '07');
});

test('a frame stuffs body and CRC in one pass: the same bytes as COBS over body || crc32', () => {
  const r = seededRandom(7);
  // Lengths around COBS's 254-byte blocks, with and without zeros, and CRCs that end in zero bytes.
  const sizes = [0, 1, 249, 250, 251, 253, 254, 255, 507, 508, 509, 1000, 4096];
  for (let i = 0; i < 3000; i++) {
    const n = i < sizes.length ? sizes[i]! : Math.floor(r() * 600);
    const zeros = r();
    const body = Uint8Array.from({ length: n }, () => (r() < zeros ? 0 : 1 + Math.floor(r() * 255)));
    const withCrc = Buffer.alloc(n + 4);
    withCrc.set(body);
    withCrc.writeUInt32BE(crc32(body), n);
    const expected = Buffer.concat([cobsEncode(withCrc), Buffer.of(0)]);
    assert.is(toHex(encodeFrame(body)), toHex(expected), `body of ${n} bytes`);
  }
});

test.run();
