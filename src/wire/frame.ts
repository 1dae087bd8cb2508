// One frame = COBS(body || crc32(body)) || 0x00, PROTOCOL.md section 1.
import { crc32 } from 'node:zlib';
import { cobsDecodeInPlace, cobsMaxEncodedLength, CobsStuffer } from './cobs.js';
import { checkItem } from './cbor-scan.js';

export const DEFAULT_MAX_BODY = 4096;
const CRC_BYTES = 4;

/** Why a frame was discarded; each reason has its own counter on a line. */
export type DiscardReason = 'too-long' | 'cobs' | 'short' | 'crc' | 'cbor';

/** The frame of one body: one allocation, the body and its CRC stuffed in one pass. */
export function encodeFrame(body: Uint8Array): Buffer {
  const crc = crc32(body);
  const out = Buffer.allocUnsafe(cobsMaxEncodedLength(body.length + CRC_BYTES) + 1);
  const stuffer = new CobsStuffer(out);
  stuffer.bytes(body);
  stuffer.byte(crc >>> 24);
  stuffer.byte((crc >>> 16) & 0xff);
  stuffer.byte((crc >>> 8) & 0xff);
  stuffer.byte(crc & 0xff);
  const end = stuffer.end();
  out[end] = 0;
  return out.subarray(0, end + 1);
}

export type Unframed =
  | { readonly ok: true; readonly body: Buffer }
  | { readonly ok: false; readonly reason: DiscardReason };

/** Checks one encoded frame (delimiter removed): COBS, length, CRC, one CBOR item. */
export function decodeFrame(encoded: Uint8Array, maxBody: number): Unframed {
  const copy = Buffer.from(encoded);
  return decodeFrameInPlace(copy, copy.length, maxBody);
}

/**
 * decodeFrame over the encoded bytes [0, length) of `bytes`, which it
 * overwrites: the body it returns is a view into `bytes`.
 */
export function decodeFrameInPlace(bytes: Buffer, length: number, maxBody: number): Unframed {
  const n = cobsDecodeInPlace(bytes, length);
  if (n < 0) return { ok: false, reason: 'cobs' };
  if (n <= CRC_BYTES) return { ok: false, reason: 'short' };
  const bodyLength = n - CRC_BYTES;
  if (bodyLength > maxBody) return { ok: false, reason: 'too-long' };
  const body = bytes.subarray(0, bodyLength);
  if (bytes.readUInt32BE(bodyLength) !== crc32(body)) return { ok: false, reason: 'crc' };
  try {
    checkItem(body, true);
  } catch {
    return { ok: false, reason: 'cbor' };
  }
  return { ok: true, body };
}
