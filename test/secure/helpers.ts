// Helpers for the secure-channel tests. Expected values are typed from RFC
// 8613 or built here by hand, never taken from the code under test.

import { hex, toHex } from '../support/hex.js';
export { hex, toHex };

/** A CBOR byte-string head for a length below 256 (RFC 8949 3.1), written out by hand. */
export function bstrHead(length: number): string {
  if (length < 24) return (0x40 + length).toString(16).padStart(2, '0');
  if (length < 256) return `58${length.toString(16).padStart(2, '0')}`;
  throw new Error('test helper only covers short byte strings');
}

/** `16([h'', {4: kid, 6: piv}, ciphertext])` from hex parts, assembled by hand. */
export function coseBody(kidHex: string, pivHex: string, ciphertextHex: string): Buffer {
  const bs = (h: string): string => bstrHead(h.length / 2) + h;
  return hex(`d0 83 40 a2 04 ${bs(kidHex)} 06 ${bs(pivHex)} ${bs(ciphertextHex)}`);
}
