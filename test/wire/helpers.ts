// Helpers for the wire tests: hex, a tiny independent CBOR encoder (so the
// expected bytes never come from the code under test), and seeded randomness.
import type { Random } from '../../src/util/random.js';

import { hex, toHex } from '../support/hex.js';
export { hex, toHex };

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength)) === 0;
}

// ---------------------------------------------------------------------------
// A minimal CBOR encoder written from RFC 8949 section 3, for building inputs.

/** A pre-encoded item, spliced in as is. */
export class Raw {
  constructor(readonly bytes: Uint8Array) {}
}
/** A map with arbitrary keys, in the order given. */
export class CMap {
  constructor(readonly entries: ReadonlyArray<readonly [C, C]>) {}
}
export type C = number | bigint | string | Uint8Array | boolean | null | readonly C[] | CMap | Raw;

export const raw = (h: string): Raw => new Raw(hex(h));
export const cmap = (...entries: Array<readonly [C, C]>): CMap => new CMap(entries);
/** A map with text keys from a plain object (insertion order kept). */
export const obj = (o: Record<string, C>): CMap => new CMap(Object.entries(o));

function head(major: number, n: number | bigint): number[] {
  const v = BigInt(n);
  const m = major << 5;
  if (v < 24n) return [m | Number(v)];
  if (v < 0x100n) return [m | 24, Number(v)];
  if (v < 0x10000n) return [m | 25, Number(v >> 8n), Number(v & 0xffn)];
  if (v < 0x100000000n) return [m | 26, ...[24n, 16n, 8n, 0n].map((s) => Number((v >> s) & 0xffn))];
  return [m | 27, ...[56n, 48n, 40n, 32n, 24n, 16n, 8n, 0n].map((s) => Number((v >> s) & 0xffn))];
}

export function cbor(value: C): Buffer {
  const out: number[] = [];
  const put = (v: C): void => {
    if (v instanceof Raw) out.push(...v.bytes);
    else if (v instanceof CMap) {
      out.push(...head(5, v.entries.length));
      for (const [k, x] of v.entries) {
        put(k);
        put(x);
      }
    } else if (v instanceof Uint8Array) {
      out.push(...head(2, v.length), ...v);
    } else if (Array.isArray(v)) {
      out.push(...head(4, v.length));
      for (const x of v as readonly C[]) put(x);
    } else if (typeof v === 'string') {
      const b = Buffer.from(v, 'utf8');
      out.push(...head(3, b.length), ...b);
    } else if (typeof v === 'bigint') {
      out.push(...(v >= 0n ? head(0, v) : head(1, -1n - v)));
    } else if (typeof v === 'number') {
      if (Number.isInteger(v)) out.push(...(v >= 0 ? head(0, v) : head(1, -1 - v)));
      else {
        const b = Buffer.alloc(9);
        b[0] = 0xfb;
        b.writeDoubleBE(v, 1);
        out.push(...b);
      }
    } else if (v === true) out.push(0xf5);
    else if (v === false) out.push(0xf4);
    else if (v === null) out.push(0xf6);
    else throw new Error('unsupported value in test encoder');
  };
  put(value);
  return Buffer.from(out);
}

// ---------------------------------------------------------------------------
// Randomness, always from a seed so a failure can be replayed.

export function randInt(rand: Random, lo: number, hi: number): number {
  return lo + Math.floor(rand() * (hi - lo + 1));
}

export function pick<T>(rand: Random, items: readonly T[]): T {
  const item = items[Math.floor(rand() * items.length)];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}

/** Random bytes; each byte is 0x00 with probability `zeroChance`, else uniform 1..255. */
export function randomBytes(rand: Random, n: number, zeroChance = 1 / 256): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = rand() < zeroChance ? 0 : randInt(rand, 1, 255);
  return b;
}

/** Random printable word of [a-z0-9] starting with a letter. */
export function randomWord(rand: Random, min = 1, max = 8): string {
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  const chars = letters + '0123456789_-';
  let s = pick(rand, [...letters]);
  const n = randInt(rand, min, max) - 1;
  for (let i = 0; i < n; i++) s += pick(rand, [...chars]);
  return s;
}

/** Splits bytes into chunks of random sizes (sometimes single bytes, sometimes large). */
export function randomChunks(rand: Random, bytes: Uint8Array): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  let at = 0;
  while (at < bytes.length) {
    const r = rand();
    const size = r < 0.2 ? 1 : r < 0.7 ? randInt(rand, 2, 64) : randInt(rand, 65, 3000);
    chunks.push(bytes.subarray(at, Math.min(bytes.length, at + size)));
    at += size;
  }
  return chunks;
}

/** A random CBOR value; sizes are kept small so bodies fit maxBody most of the time. */
export function randomValue(rand: Random, depth = 0): C {
  const r = rand();
  if (depth < 3 && r < 0.15) return Array.from({ length: randInt(rand, 0, 4) }, () => randomValue(rand, depth + 1));
  if (depth < 3 && r < 0.3) {
    const o: Record<string, C> = {};
    for (let i = randInt(rand, 0, 4); i > 0; i--) o[randomWord(rand)] = randomValue(rand, depth + 1);
    return obj(o);
  }
  return pick<() => C>(rand, [
    () => randInt(rand, 0, 30),
    () => randInt(rand, 0, 0xffffffff),
    () => -randInt(rand, 1, 100000),
    () => randomBytes(rand, randInt(rand, 0, 40), 0.2),
    () => randomWord(rand, 0, 20),
    () => rand() < 0.5,
    () => null,
    () => rand() * 1000 - 500,
  ])();
}
