// One journal record on disk, and a segment's bytes read back. A record is
//
//   length (u32 BE) | CRC-32 of payload (u32 BE) | payload (CBOR array)
//
// request: [0, seq, keepUntilMs, line, id, op, bodyHash]
// hello:   [1, seq, keepUntilMs, line]   (the line's requests of lower seq are forgotten, 2.1 rule 2)
//
// `seq` numbers records across runs (a new run goes on from the highest seq
// read back), so a hello cancels exactly the requests that came before it
// wherever compaction has moved either; no clock decides it.
//
// A segment is only ever appended to, so after a crash only its last record
// can be torn; the reader stops at the first record whose length runs past
// the end, whose CRC does not match or whose payload is not a record, and
// reports how many bytes it ignored: a torn record is ignored, never misread.
import { crc32 } from 'node:zlib';
import { decodeCbor, encodeCbor } from '../wire/cbor.js';
import { BODY_HASH_BYTES, type JournalFingerprint } from '../dispatch/journal-fingerprint.js';

export type JournalRecord =
  | { readonly kind: 'request'; readonly seq: number; readonly keepUntil: number; readonly fp: JournalFingerprint }
  | { readonly kind: 'hello'; readonly seq: number; readonly keepUntil: number; readonly line: string };

const HEADER_BYTES = 8;
/** A record is well under this (line and op names are bounded by the config and maxBody). */
export const MAX_RECORD_PAYLOAD = 64 * 1024;

export function encodeRecord(r: JournalRecord): Buffer {
  const payload = encodeCbor(r.kind === 'request' ? [0, r.seq, r.keepUntil, r.fp.line, r.fp.id, r.fp.op, r.fp.bodyHash] : [1, r.seq, r.keepUntil, r.line]);
  const out = Buffer.allocUnsafe(HEADER_BYTES + payload.length);
  out.writeUInt32BE(payload.length, 0);
  out.writeUInt32BE(crc32(payload), 4);
  payload.copy(out, HEADER_BYTES);
  return out;
}

export interface DecodedSegment {
  readonly records: JournalRecord[];
  /** Bytes from the start that hold whole, valid records. */
  readonly validBytes: number;
  /** Bytes after them that were ignored (a torn or damaged tail). */
  readonly ignoredBytes: number;
}

export function decodeSegment(bytes: Buffer): DecodedSegment {
  const records: JournalRecord[] = [];
  let at = 0;
  while (bytes.length - at >= HEADER_BYTES) {
    const length = bytes.readUInt32BE(at);
    if (length === 0 || length > MAX_RECORD_PAYLOAD || at + HEADER_BYTES + length > bytes.length) break;
    const payload = bytes.subarray(at + HEADER_BYTES, at + HEADER_BYTES + length);
    if (crc32(payload) !== bytes.readUInt32BE(at + 4)) break;
    const record = parsePayload(payload);
    if (!record) break;
    records.push(record);
    at += HEADER_BYTES + length;
  }
  return { records, validBytes: at, ignoredBytes: bytes.length - at };
}

function parsePayload(payload: Buffer): JournalRecord | undefined {
  let v: unknown;
  try {
    v = decodeCbor(payload);
  } catch {
    return undefined;
  }
  if (!Array.isArray(v)) return undefined;
  const [kind, seq, keepUntil, line] = v as unknown[];
  if (!isWhole(seq) || !isWhole(keepUntil) || typeof line !== 'string') return undefined;
  if (kind === 1 && v.length === 4) return { kind: 'hello', seq, keepUntil, line };
  if (kind !== 0 || v.length !== 7) return undefined;
  const [, , , , id, op, bodyHash] = v as unknown[];
  if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id > 0xffff_ffff || typeof op !== 'string') return undefined;
  if (!(bodyHash instanceof Uint8Array) || bodyHash.length !== BODY_HASH_BYTES) return undefined;
  return { kind: 'request', seq, keepUntil, fp: { line, id, op, bodyHash: Buffer.from(bodyHash) } };
}

function isWhole(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}
