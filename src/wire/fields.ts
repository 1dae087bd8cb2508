// Reads the typed fields of a message map (PROTOCOL.md section 2) straight
// from their raw CBOR, by major type: an unsigned integer is major type 0 in
// any head length, never a float; text is major type 3 and valid UTF-8. Each
// reader returns undefined for a missing key and throws a FieldError naming
// the key for a present key of the wrong type. Nothing here can throw
// anything else, whatever the bytes.
import { CborScanError, MAJOR_ARRAY, MAJOR_BYTES, MAJOR_TEXT, MAJOR_UINT, mapFields, readHead, skipItem } from './cbor-scan.js';

export const UINT32_MAX = 0xffff_ffff;

const CBOR_FALSE = 0xf4;
const CBOR_TRUE = 0xf5;

export class FieldError extends Error {
  constructor(
    readonly field: string,
    why: string,
  ) {
    super(`field '${field}': ${why}`);
    this.name = 'FieldError';
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The text of a major-type-3 item at `at` (a complete item), or undefined. */
function textAt(bytes: Uint8Array, at: number): { text: string; end: number } | undefined {
  const head = readHead(bytes, at);
  if (head.major !== MAJOR_TEXT) return undefined;
  const end = head.next + head.argument;
  try {
    return { text: utf8.decode(bytes.subarray(head.next, end)), end };
  } catch {
    return undefined;
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

  text(key: string): string | undefined {
    const bytes = this.raw.get(key);
    if (bytes === undefined) return undefined;
    const t = textAt(bytes, 0);
    if (!t) throw new FieldError(key, 'must be a text string');
    return t.text;
  }

  uint(key: string, max = UINT32_MAX): number | undefined {
    const bytes = this.raw.get(key);
    if (bytes === undefined) return undefined;
    const head = readHead(bytes, 0);
    if (head.major !== MAJOR_UINT || head.argument > max) throw new FieldError(key, `must be an unsigned integer up to ${max}`);
    return head.argument;
  }

  /** A byte string's content, `min` to `max` bytes long. */
  bytes(key: string, min = 0, max = Infinity): Buffer | undefined {
    const raw = this.raw.get(key);
    if (raw === undefined) return undefined;
    const head = readHead(raw, 0);
    if (head.major !== MAJOR_BYTES) throw new FieldError(key, 'must be a byte string');
    if (head.argument < min || head.argument > max) throw new FieldError(key, `must be ${min === max ? min : `${min} to ${max}`} bytes long`);
    return Buffer.from(raw.subarray(head.next));
  }

  bool(key: string): boolean | undefined {
    const bytes = this.raw.get(key);
    if (bytes === undefined) return undefined;
    if (bytes.length === 1 && (bytes[0] === CBOR_TRUE || bytes[0] === CBOR_FALSE)) return bytes[0] === CBOR_TRUE;
    throw new FieldError(key, 'must be true or false');
  }

  textArray(key: string): string[] | undefined {
    const bytes = this.raw.get(key);
    if (bytes === undefined) return undefined;
    const head = readHead(bytes, 0);
    const fail = (): never => {
      throw new FieldError(key, 'must be an array of text strings');
    };
    if (head.major !== MAJOR_ARRAY) fail();
    const out: string[] = [];
    let at = head.next;
    for (let i = 0; i < head.argument; i++) {
      const t = textAt(bytes, at) ?? fail();
      out.push(t.text);
      at = skipItem(bytes, at);
    }
    return out;
  }

  /** `err` of a failed `res`: {code: tstr, msg: tstr}. */
  error(key: string): { code: string; msg: string } | undefined {
    const bytes = this.raw.get(key);
    if (bytes === undefined) return undefined;
    let code: string | undefined;
    let msg: string | undefined;
    try {
      const inner = Fields.of(bytes);
      code = inner?.text('code');
      msg = inner?.text('msg');
    } catch {
      // falls through to the error below, naming the outer field
    }
    if (code === undefined || msg === undefined) throw new FieldError(key, "must be a map with text 'code' and 'msg'");
    return { code, msg };
  }

  required<T>(key: string, value: T | undefined): T {
    if (value === undefined) throw new FieldError(key, 'is missing');
    return value;
  }
}

export { CborScanError };
