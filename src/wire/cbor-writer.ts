// Writes the messages of PROTOCOL.md section 2 as plain CBOR straight into
// one growing buffer. cbor-x stays the codec for everything else; this
// writer exists because a message used to cost one cbor-x call per key and
// per value plus a concat (8% of the router's CPU under full load, README
// "The router's cost per request"). It produces exactly cbor-x's bytes for
// the same values (shortest heads, UTF-8 text, untagged byte strings; a lone
// surrogate, which no decoded text holds, becomes U+FFFD where cbor-x would
// write invalid UTF-8), and
// hands any value it does not know to cbor-x, so the two cannot drift:
// test/wire/cbor-writer.test.ts compares them on random messages.
import { encodeCbor } from './cbor.js';
import { MAJOR_ARRAY, MAJOR_BYTES, MAJOR_MAP, MAJOR_NINT, MAJOR_TEXT, MAJOR_UINT } from './cbor-scan.js';

const FALSE = 0xf4;
const TRUE = 0xf5;
const NULL = 0xf6;

export class CborWriter {
  private buf: Buffer;
  private at = 0;

  constructor(initialSize = 4096) {
    this.buf = Buffer.allocUnsafeSlow(initialSize);
  }

  /** Starts over; what was written before is overwritten by the next writes. */
  reset(): this {
    this.at = 0;
    return this;
  }

  get length(): number {
    return this.at;
  }

  /** A view of what was written since the last reset: valid until the next write. */
  view(): Buffer {
    return this.buf.subarray(0, this.at);
  }

  head(major: number, n: number): void {
    this.room(9);
    const b = this.buf;
    const m = major << 5;
    if (n < 24) b[this.at++] = m | n;
    else if (n < 0x100) {
      b[this.at++] = m | 24;
      b[this.at++] = n;
    } else if (n < 0x10000) {
      b[this.at++] = m | 25;
      b.writeUInt16BE(n, this.at);
      this.at += 2;
    } else {
      b[this.at++] = m | 26;
      b.writeUInt32BE(n, this.at);
      this.at += 4;
    }
  }

  text(s: string): void {
    // ASCII, the usual case (keys, ops, codes), needs no second pass.
    const ascii = s.length < 0x80 && isAscii(s);
    const n = ascii ? s.length : Buffer.byteLength(s, 'utf8');
    this.head(MAJOR_TEXT, n);
    this.room(n);
    if (ascii) for (let i = 0; i < n; i++) this.buf[this.at + i] = s.charCodeAt(i);
    else this.buf.write(s, this.at, 'utf8');
    this.at += n;
  }

  bytes(b: Uint8Array): void {
    this.head(MAJOR_BYTES, b.length);
    this.raw(b);
  }

  /** Bytes that already are one CBOR item (a body the router moves unread). */
  raw(b: Uint8Array): void {
    this.room(b.length);
    this.buf.set(b, this.at);
    this.at += b.length;
  }

  value(v: unknown): void {
    switch (typeof v) {
      case 'string':
        return this.text(v);
      case 'boolean':
        return this.byte(v ? TRUE : FALSE);
      case 'number':
        if (Number.isInteger(v) && v >= 0 && v <= 0xffffffff) return this.head(MAJOR_UINT, v);
        if (Number.isInteger(v) && v < 0 && v >= -0x80000000) return this.head(MAJOR_NINT, -1 - v);
        break;
      case 'object':
        if (v === null) return this.byte(NULL);
        if (v instanceof Uint8Array) return this.bytes(v);
        if (Array.isArray(v)) {
          this.head(MAJOR_ARRAY, v.length);
          for (const item of v) this.value(item);
          return;
        }
        if (Object.getPrototypeOf(v) === Object.prototype) return this.map(v as Record<string, unknown>);
        break;
    }
    // Floats, big or unsafe integers, undefined inside a value, other objects: cbor-x decides.
    this.raw(encodeCbor(v));
  }

  /** A plain object as a map, keys in insertion order (as cbor-x writes it: undefined values included). */
  private map(o: Record<string, unknown>): void {
    const keys = Object.keys(o);
    this.head(MAJOR_MAP, keys.length);
    for (const k of keys) {
      this.text(k);
      this.value(o[k]);
    }
  }

  private byte(b: number): void {
    this.room(1);
    this.buf[this.at++] = b;
  }

  private room(n: number): void {
    if (this.at + n <= this.buf.length) return;
    const bigger = Buffer.allocUnsafeSlow(Math.max(this.buf.length * 2, this.at + n));
    this.buf.copy(bigger, 0, 0, this.at);
    this.buf = bigger;
  }
}

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}
