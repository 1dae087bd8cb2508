// Reads the typed fields of a message map (PROTOCOL.md section 2) straight
// from their raw CBOR, by major type: an unsigned integer is major type 0 in
// any head length, never a float; text is major type 3 and valid UTF-8. Each
// reader returns undefined for a missing key and throws a FieldError naming
// the key for a present key of the wrong type. Nothing here can throw
// anything else, whatever the bytes.
import { CborScanError, decodeText, MAJOR_ARRAY, MAJOR_BYTES, MAJOR_TEXT, MAJOR_UINT, mapOffsets, readHead, skipItem, type MapOffsets } from './cbor-scan.js';

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

/** The text of a major-type-3 item at `at` (a complete item), or undefined. */
function textAt(bytes: Uint8Array, at: number): string | undefined {
  const head = readHead(bytes, at);
  if (head.major !== MAJOR_TEXT) return undefined;
  try {
    return decodeText(bytes, head.next, head.next + head.argument);
  } catch {
    return undefined;
  }
}

/**
 * A message map: text keys to raw CBOR values, kept as offsets into the
 * message's bytes (a view per value was a share of the router's allocations
 * under load; a value is sliced only when asked for raw).
 */
export class Fields {
  private constructor(
    private readonly body: Uint8Array,
    private readonly map: MapOffsets,
  ) {}

  /** Null when `body` is well-formed plain CBOR but not a map with text keys. Throws CborScanError otherwise. */
  static of(body: Uint8Array): Fields | null {
    const map = mapOffsets(body);
    return map ? new Fields(body, map) : null;
  }

  /** Where the value of `key` starts; -1 when absent. A repeated key: its last value, as a decoder keeps it. */
  private at(key: string): number {
    const keys = this.map.keys;
    for (let i = keys.length - 1; i >= 0; i--) if (keys[i] === key) return this.map.starts[i]!;
    return -1;
  }

  has(key: string): boolean {
    return this.at(key) >= 0;
  }

  /** The value's CBOR bytes, as sent. */
  rawValue(key: string): Uint8Array | undefined {
    const at = this.at(key);
    return at < 0 ? undefined : this.body.subarray(at, skipItem(this.body, at));
  }

  text(key: string): string | undefined {
    const at = this.at(key);
    if (at < 0) return undefined;
    const t = textAt(this.body, at);
    if (t === undefined) throw new FieldError(key, 'must be a text string');
    return t;
  }

  uint(key: string, max = UINT32_MAX): number | undefined {
    const at = this.at(key);
    if (at < 0) return undefined;
    const head = readHead(this.body, at);
    if (head.major !== MAJOR_UINT || head.argument > max) throw new FieldError(key, `must be an unsigned integer up to ${max}`);
    return head.argument;
  }

  /** A byte string's content, `min` to `max` bytes long. */
  bytes(key: string, min = 0, max = Infinity): Buffer | undefined {
    const at = this.at(key);
    if (at < 0) return undefined;
    const head = readHead(this.body, at);
    if (head.major !== MAJOR_BYTES) throw new FieldError(key, 'must be a byte string');
    if (head.argument < min || head.argument > max) throw new FieldError(key, `must be ${min === max ? min : `${min} to ${max}`} bytes long`);
    return Buffer.from(this.body.subarray(head.next, head.next + head.argument));
  }

  bool(key: string): boolean | undefined {
    const at = this.at(key);
    if (at < 0) return undefined;
    const b = this.body[at];
    if (b === CBOR_TRUE || b === CBOR_FALSE) return b === CBOR_TRUE;
    throw new FieldError(key, 'must be true or false');
  }

  textArray(key: string): string[] | undefined {
    const bytes = this.body;
    const start = this.at(key);
    if (start < 0) return undefined;
    const head = readHead(bytes, start);
    const fail = (): never => {
      throw new FieldError(key, 'must be an array of text strings');
    };
    if (head.major !== MAJOR_ARRAY) fail();
    const out: string[] = [];
    let at = head.next;
    for (let i = 0; i < head.argument; i++) {
      out.push(textAt(bytes, at) ?? fail());
      at = skipItem(bytes, at);
    }
    return out;
  }

  /** `err` of a failed `res`: {code: tstr, msg: tstr}. */
  error(key: string): { code: string; msg: string } | undefined {
    const bytes = this.rawValue(key);
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
