// Walks CBOR bytes without building values, to check that a body is one
// well-formed *plain* item (PROTOCOL.md section 2: definite lengths, no tags)
// and to find where each value of a top-level map sits. The router forwards
// request and answer bodies as these raw slices, so a body reaches the server
// (and the answer the station) exactly as it was sent, byte for byte.

/** CBOR major types (RFC 8949 3.1), by name. */
export const MAJOR_UINT = 0;
export const MAJOR_NINT = 1;
export const MAJOR_BYTES = 2;
export const MAJOR_TEXT = 3;
export const MAJOR_ARRAY = 4;
export const MAJOR_MAP = 5;
export const MAJOR_TAG = 6;
export const MAJOR_SIMPLE = 7;

export class CborScanError extends Error {
  constructor(readonly offset: number, why: string) {
    super(`CBOR at byte ${offset}: ${why}`);
    this.name = 'CborScanError';
  }
}

export interface Head {
  readonly major: number;
  readonly argument: number;
  /** Offset just past the head (and, for strings, where the content starts). */
  readonly next: number;
}

export function readHead(bytes: Uint8Array, at: number): Head {
  const initial = bytes[at];
  if (initial === undefined) throw new CborScanError(at, 'ends inside an item');
  const major = initial >> 5;
  const info = initial & 0x1f;
  if (info < 24) return { major, argument: info, next: at + 1 };
  if (info === 31) throw new CborScanError(at, 'indefinite length (plain CBOR needs definite lengths)');
  if (info > 27) throw new CborScanError(at, `reserved additional information ${info}`);
  const size = 1 << (info - 24);
  if (at + 1 + size > bytes.length) throw new CborScanError(at, 'ends inside a head');
  let argument = 0;
  for (let i = 1; i <= size; i++) argument = argument * 256 + bytes[at + i]!;
  if (major === 7 && info === 24 && argument < 32) throw new CborScanError(at, 'two-byte simple value below 32');
  return { major, argument, next: at + 1 + size };
}

/**
 * Returns the offset just past the CBOR item starting at `at`. Tags are
 * refused unless `allowTags` (frames may carry a sealed COSE object, tag 16).
 */
export function skipItem(bytes: Uint8Array, at: number, allowTags = false): number {
  let pending = 1;
  let offset = at;
  while (pending > 0) {
    const head = readHead(bytes, offset);
    pending--;
    offset = head.next;
    const remaining = bytes.length - offset;
    switch (head.major) {
      case MAJOR_UINT:
      case MAJOR_NINT:
      case MAJOR_SIMPLE:
        break;
      case MAJOR_BYTES:
      case MAJOR_TEXT:
        if (head.argument > remaining) throw new CborScanError(offset, 'string runs past the end');
        offset += head.argument;
        break;
      case MAJOR_ARRAY:
        if (head.argument > remaining) throw new CborScanError(offset, 'array longer than the bytes left');
        pending += head.argument;
        break;
      case MAJOR_MAP:
        if (head.argument * 2 > remaining) throw new CborScanError(offset, 'map longer than the bytes left');
        pending += head.argument * 2;
        break;
      case MAJOR_TAG:
        if (!allowTags) throw new CborScanError(offset, `tag ${head.argument} (plain CBOR has no tags)`);
        pending += 1;
        break;
    }
  }
  return offset;
}

/** Checks that `bytes` is exactly one CBOR item (plain unless `allowTags`). */
export function checkItem(bytes: Uint8Array, allowTags = false): void {
  const end = skipItem(bytes, 0, allowTags);
  if (end !== bytes.length) throw new CborScanError(end, 'bytes after the item');
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Splits a top-level map with text keys into raw value slices (views into
 * `bytes`). Returns null when the item is not such a map; throws on malformed CBOR.
 */
export function mapFields(bytes: Uint8Array): Map<string, Uint8Array> | null {
  const head = readHead(bytes, 0);
  if (head.major !== MAJOR_MAP) {
    checkItem(bytes);
    return null;
  }
  const fields = new Map<string, Uint8Array>();
  let offset = head.next;
  let textKeys = true;
  for (let i = 0; i < head.argument; i++) {
    const keyHead = readHead(bytes, offset);
    const keyEnd = skipItem(bytes, offset);
    const valueEnd = skipItem(bytes, keyEnd);
    if (keyHead.major === MAJOR_TEXT) {
      let key: string;
      try {
        key = utf8.decode(bytes.subarray(keyHead.next, keyEnd));
      } catch {
        throw new CborScanError(keyHead.next, 'text key is not UTF-8');
      }
      fields.set(key, bytes.subarray(keyEnd, valueEnd));
    } else {
      textKeys = false;
    }
    offset = valueEnd;
  }
  if (offset !== bytes.length) throw new CborScanError(offset, 'bytes after the item');
  return textKeys ? fields : null;
}
