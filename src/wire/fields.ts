// Reads the typed fields of a message map (PROTOCOL.md section 2) from raw
// value slices. Each reader returns undefined for a missing key and throws a
// FieldError naming the key for a present key of the wrong type.
import { decodeCbor } from './cbor.js';
import { mapFields, CborScanError } from './cbor-scan.js';

export const UINT32_MAX = 0xffff_ffff;

export class FieldError extends Error {
  constructor(readonly field: string, why: string) {
    super(`field '${field}': ${why}`);
    this.name = 'FieldError';
  }
}

/** A message map: text keys to raw CBOR values. */
export class Fields {
  private constructor(private readonly raw: Map<string, Uint8Array>) {}

  /** Null when `body` is well-formed plain CBOR but not a map with text keys. Throws CborScanError otherwise. */
  static of(body: Uint8Array): Fields | null {
    const raw = mapFields(body);
    return raw ? new Fields(raw) : null;
  }

  has(key: string): boolean {
    return this.raw.has(key);
  }

  /** The value's CBOR bytes, as sent. */
  rawValue(key: string): Uint8Array | undefined {
    return this.raw.get(key);
  }

  private value(key: string): unknown {
    const bytes = this.raw.get(key);
    return bytes === undefined ? undefined : decodeCbor(bytes);
  }

  text(key: string): string | undefined {
    const v = this.value(key);
    if (v === undefined) return undefined;
    if (typeof v !== 'string') throw new FieldError(key, 'must be a text string');
    return v;
  }

  uint(key: string, max = UINT32_MAX): number | undefined {
    const v = this.value(key);
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max) {
      throw new FieldError(key, `must be an unsigned integer up to ${max}`);
    }
    return v;
  }

  bool(key: string): boolean | undefined {
    const v = this.value(key);
    if (v === undefined) return undefined;
    if (typeof v !== 'boolean') throw new FieldError(key, 'must be true or false');
    return v;
  }

  textArray(key: string): string[] | undefined {
    const v = this.value(key);
    if (v === undefined) return undefined;
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw new FieldError(key, 'must be an array of text strings');
    return v as string[];
  }

  /** `err` of a failed `res`: {code: tstr, msg: tstr}. */
  error(key: string): { code: string; msg: string } | undefined {
    const bytes = this.raw.get(key);
    if (bytes === undefined) return undefined;
    const inner = Fields.of(bytes);
    const code = inner?.text('code');
    const msg = inner?.text('msg');
    if (code === undefined || msg === undefined) throw new FieldError(key, "must be a map with text 'code' and 'msg'");
    return { code, msg };
  }

  required<T>(key: string, value: T | undefined): T {
    if (value === undefined) throw new FieldError(key, 'is missing');
    return value;
  }
}

export { CborScanError };
