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

// The head scanHead read last. skipItem reads one head per item of every
// frame, and an object per head was the largest share of the router's
// allocations under load (README, "The router's cost per request"): the hot
// walks read these two numbers instead, and readHead builds a Head for the rest.
let scannedMajor = 0;
let scannedArgument = 0;

/** Reads the head at `at` into scannedMajor and scannedArgument; returns the offset just past it. */
function scanHead(bytes: Uint8Array, at: number): number {
  const initial = bytes[at];
  if (initial === undefined) throw new CborScanError(at, 'ends inside an item');
  const major = initial >> 5;
  const info = initial & 0x1f;
  scannedMajor = major;
  if (info < 24) {
    scannedArgument = info;
    return at + 1;
  }
  if (info === 31) throw new CborScanError(at, 'indefinite length (plain CBOR needs definite lengths)');
  if (info > 27) throw new CborScanError(at, `reserved additional information ${info}`);
  const size = 1 << (info - 24);
  if (at + 1 + size > bytes.length) throw new CborScanError(at, 'ends inside a head');
  let argument = 0;
  for (let i = 1; i <= size; i++) argument = argument * 256 + bytes[at + i]!;
  if (major === 7 && info === 24 && argument < 32) throw new CborScanError(at, 'two-byte simple value below 32');
  scannedArgument = argument;
  return at + 1 + size;
}

export function readHead(bytes: Uint8Array, at: number): Head {
  const next = scanHead(bytes, at);
  return { major: scannedMajor, argument: scannedArgument, next };
}

/**
 * Returns the offset just past the CBOR item starting at `at`. Tags are
 * refused unless `allowTags` (frames may carry a sealed COSE object, tag 16).
 */
export function skipItem(bytes: Uint8Array, at: number, allowTags = false): number {
  let pending = 1;
  let offset = at;
  while (pending > 0) {
    offset = scanHead(bytes, offset);
    const argument = scannedArgument;
    pending--;
    const remaining = bytes.length - offset;
    switch (scannedMajor) {
      case MAJOR_UINT:
      case MAJOR_NINT:
      case MAJOR_SIMPLE:
        break;
      case MAJOR_BYTES:
      case MAJOR_TEXT:
        if (argument > remaining) throw new CborScanError(offset, 'string runs past the end');
        offset += argument;
        break;
      case MAJOR_ARRAY:
        if (argument > remaining) throw new CborScanError(offset, 'array longer than the bytes left');
        pending += argument;
        break;
      case MAJOR_MAP:
        if (argument * 2 > remaining) throw new CborScanError(offset, 'map longer than the bytes left');
        pending += argument * 2;
        break;
      case MAJOR_TAG:
        if (!allowTags) throw new CborScanError(offset, `tag ${argument} (plain CBOR has no tags)`);
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

// ignoreBOM: a text that starts with U+FEFF keeps it (an op or a server's err.msg moves byte for byte).
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Short ASCII texts seen before (keys, types, ops, codes, server and line
 * names repeat on every message), by a hash of their bytes: a hit costs a
 * hash and a compare, not a new string. Building them byte by byte was one
 * string per byte; a TextDecoder call per key cost a view and a call into
 * C++. One text per place, the newest kept: bounded, and texts a station
 * makes up cannot keep the usual ones out for good.
 */
export class TextMemory {
  private readonly texts: (string | undefined)[];
  private readonly mask: number;

  constructor(places = 512) {
    this.texts = new Array<string | undefined>(places).fill(undefined);
    this.mask = places - 1;
    if ((places & this.mask) !== 0) throw new RangeError(`places must be a power of two, got ${places}`);
  }

  /** The text of bytes [start, end): ASCII read directly, anything else through a strict UTF-8 decoder (throws on bad UTF-8). */
  decode(bytes: Uint8Array, start: number, end: number): string {
    if (end - start > SHORT_TEXT) return utf8.decode(bytes.subarray(start, end));
    let hash = 0x811c9dc5;
    for (let i = start; i < end; i++) {
      const b = bytes[i]!;
      if (b > 0x7f) return utf8.decode(bytes.subarray(start, end));
      hash = Math.imul(hash ^ b, 0x01000193);
    }
    const place = (hash ^ (end - start)) & this.mask;
    const seen = this.texts[place];
    // Two texts may share a place: only the one whose bytes these are is returned.
    if (seen !== undefined && sameText(seen, bytes, start, end)) return seen;
    const text = String.fromCharCode.apply(null, bytes.subarray(start, end) as unknown as number[]);
    this.texts[place] = text;
    return text;
  }
}

const SHORT_TEXT = 24;
const memory = new TextMemory();

/** The text of bytes [start, end), through the process's TextMemory. */
export function decodeText(bytes: Uint8Array, start: number, end: number): string {
  return memory.decode(bytes, start, end);
}

function sameText(s: string, bytes: Uint8Array, start: number, end: number): boolean {
  if (s.length !== end - start) return false;
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) !== bytes[start + i]) return false;
  return true;
}

/** A top-level map with text keys, as each key and where its value starts (the last of a repeated key counts). */
export interface MapOffsets {
  readonly keys: string[];
  readonly starts: number[];
}

/**
 * Where each value of a top-level map with text keys starts in `bytes`.
 * Returns null when the item is not such a map; throws on malformed CBOR.
 */
export function mapOffsets(bytes: Uint8Array): MapOffsets | null {
  let offset = scanHead(bytes, 0);
  const major: number = scannedMajor;
  if (major !== MAJOR_MAP) {
    checkItem(bytes);
    return null;
  }
  const n = scannedArgument;
  // Sized once: n is at most the bytes left (a map head claiming more throws below before it is filled).
  if (n > bytes.length) throw new CborScanError(0, 'map longer than the bytes left');
  const keys = new Array<string>(n);
  const starts = new Array<number>(n);
  let textKeys = true;
  for (let i = 0; i < n; i++) {
    const keyAt = offset;
    const keyContent = scanHead(bytes, keyAt);
    const keyMajor = scannedMajor;
    const keyEnd = skipItem(bytes, keyAt);
    const valueEnd = skipItem(bytes, keyEnd);
    if (keyMajor === MAJOR_TEXT) {
      let key: string;
      try {
        key = decodeText(bytes, keyContent, keyEnd);
      } catch {
        throw new CborScanError(keyContent, 'text key is not UTF-8');
      }
      keys[i] = key;
      starts[i] = keyEnd;
    } else {
      textKeys = false;
    }
    offset = valueEnd;
  }
  if (offset !== bytes.length) throw new CborScanError(offset, 'bytes after the item');
  return textKeys ? { keys, starts } : null;
}

/**
 * Splits a top-level map with text keys into raw value slices (views into
 * `bytes`). Returns null when the item is not such a map; throws on malformed CBOR.
 */
export function mapFields(bytes: Uint8Array): Map<string, Uint8Array> | null {
  const map = mapOffsets(bytes);
  if (!map) return null;
  const fields = new Map<string, Uint8Array>();
  map.keys.forEach((key, i) => fields.set(key, bytes.subarray(map.starts[i], skipItem(bytes, map.starts[i]!))));
  return fields;
}
