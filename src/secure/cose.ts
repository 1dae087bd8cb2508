// The sealed frame body of PROTOCOL.md 3, a COSE_Encrypt0 object (RFC 9052
// section 5.2) in exactly one shape:
//
//   16([ h'', { 4: kid, 6: piv }, ciphertext ])
//
// tag 16 = COSE_Encrypt0; the protected header is the empty byte string; the
// unprotected header map has the integer labels 4 (kid) and 6 (Partial IV),
// both byte strings (RFC 9052 3.1). Built by hand rather than with cbor-x: a
// JS Map there needs `useTag259ForMaps: false` to stay plain (FACTS.md), and
// six fixed bytes are easier to audit than an encoder option.
import { encodeCbor } from '../wire/cbor.js';
import { checkItem, MAJOR_ARRAY, MAJOR_BYTES, MAJOR_MAP, MAJOR_TAG, MAJOR_UINT, readHead } from '../wire/cbor-scan.js';
import { TAG_LENGTH } from './context.js';

export const COSE_ENCRYPT0_TAG = 16;
export const HEADER_KID = 4;
export const HEADER_PARTIAL_IV = 6;
/**
 * Most bytes sealing adds to a plaintext: tag 16, array, h'', map head, the
 * kid label and bstr (1 + 1 + 7), the piv label and bstr (1 + 1 + 5), the
 * ciphertext's bstr head (3 below 64 KiB) and the 8-byte CCM tag = 31.
 */
export const SEALING_OVERHEAD = 31;


export interface Encrypt0 {
  readonly kid: Buffer;
  readonly piv: Buffer;
  /** The AEAD output, ciphertext || tag. */
  readonly ciphertext: Buffer;
}

const bstr = (bytes: Uint8Array): Buffer => encodeCbor(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));

export function encodeEncrypt0(kid: Uint8Array, piv: Uint8Array, ciphertext: Uint8Array): Buffer {
  return Buffer.concat([
    Uint8Array.of(0xc0 | COSE_ENCRYPT0_TAG, 0x83, 0x40, 0xa2, HEADER_KID),
    bstr(kid),
    Uint8Array.of(HEADER_PARTIAL_IV),
    bstr(piv),
    bstr(ciphertext),
  ]);
}

/**
 * The parts of a body in the shape above, or undefined for anything else:
 * not one well-formed CBOR item, another tag, another array length, a
 * non-empty protected header, a header map with other labels (or a label
 * twice) or non-bstr values, or a ciphertext shorter than the tag. Heads
 * need not be in their shortest form (plain CBOR allows that). Never throws.
 */
export function parseEncrypt0(body: Uint8Array): Encrypt0 | undefined {
  try {
    return parse(Buffer.from(body.buffer, body.byteOffset, body.byteLength));
  } catch {
    return undefined; // CborScanError from a malformed item
  }
}

function parse(body: Buffer): Encrypt0 | undefined {
  checkItem(body, true); // exactly one well-formed item, no trailing bytes
  const tag = readHead(body, 0);
  if (tag.major !== MAJOR_TAG || tag.argument !== COSE_ENCRYPT0_TAG) return undefined;
  const array = readHead(body, tag.next);
  if (array.major !== MAJOR_ARRAY || array.argument !== 3) return undefined;
  const prot = readHead(body, array.next);
  if (prot.major !== MAJOR_BYTES || prot.argument !== 0) return undefined;
  const map = readHead(body, prot.next);
  if (map.major !== MAJOR_MAP || map.argument !== 2) return undefined;
  const headers = new Map<number, Buffer>();
  let at = map.next;
  for (let i = 0; i < 2; i++) {
    const label = readHead(body, at);
    if (label.major !== MAJOR_UINT || headers.has(label.argument)) return undefined;
    const value = byteString(body, label.next);
    if (!value) return undefined;
    headers.set(label.argument, value.bytes);
    at = value.end;
  }
  const kid = headers.get(HEADER_KID);
  const piv = headers.get(HEADER_PARTIAL_IV);
  if (!kid || !piv) return undefined;
  const ciphertext = byteString(body, at);
  if (!ciphertext || ciphertext.bytes.length < TAG_LENGTH) return undefined;
  return { kid, piv, ciphertext: ciphertext.bytes };
}

function byteString(body: Buffer, at: number): { bytes: Buffer; end: number } | undefined {
  const head = readHead(body, at);
  if (head.major !== MAJOR_BYTES) return undefined;
  const end = head.next + head.argument; // in bounds: checkItem saw the whole item
  return { bytes: body.subarray(head.next, end), end };
}
