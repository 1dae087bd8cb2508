// Sealing and opening one message of a protected link (PROTOCOL.md 3):
// OSCORE's nonce (RFC 8613 5.2) and AAD (5.4) around a COSE_Encrypt0 object
// (RFC 9052 5.2, see cose.ts). The receiver's checks, in order:
//
//   not-cose   the body is not `16([h'', {4: kid, 6: piv}, ciphertext])`, or
//              its piv is empty, over 5 bytes (RFC 8613 6.1) or not in
//              shortest form (PROTOCOL.md 3)
//   wrong-kid  kid is not this side's Recipient ID
//   replay     piv is not greater than the last accepted one: links are
//              ordered, so a replayed or reordered message is an attack
//              (stricter than RFC 8613 7.4's sliding window, on purpose)
//   decrypt    the AES-CCM tag does not verify (wrong key, tampering)
//
// Every input byte string gives one of these or the plaintext: nothing throws.
import { additionalData } from './aad.js';
import { ccmDecrypt, ccmEncrypt } from './aead.js';
import type { SecurityContext } from './context.js';
import { encodeEncrypt0, parseEncrypt0 } from './cose.js';
import { aeadNonce } from './nonce.js';
import { decodePiv, encodePiv } from './piv.js';

export type OpenFailure = 'not-cose' | 'wrong-kid' | 'replay' | 'decrypt';

export type OpenResult =
  | { readonly ok: true; readonly plaintext: Buffer; readonly piv: number }
  | { readonly ok: false; readonly reason: OpenFailure };

/** `lastAcceptedPiv` before any message was accepted on a context: every piv (from 0) is greater. */
export const NO_PIV_YET = -1;

/**
 * The frame body carrying `plaintext` sealed with the Sender Key under
 * sequence number `piv`. The caller guarantees a piv is never used twice on a
 * context (SecureSession does). Throws a RangeError for a piv outside
 * 0..2^40-1 or a plaintext over 65535 bytes.
 */
export function sealMessage(ctx: SecurityContext, plaintext: Uint8Array, piv: number): Buffer {
  const pivBytes = encodePiv(piv);
  const nonce = aeadNonce(ctx.senderId, pivBytes, ctx.commonIv);
  const aad = additionalData(ctx.senderId, pivBytes);
  return encodeEncrypt0(ctx.senderId, pivBytes, ccmEncrypt(ctx.senderKey, nonce, aad, plaintext));
}

/** Opens a frame body from the peer; never throws. */
export function openMessage(ctx: SecurityContext, body: Uint8Array, lastAcceptedPiv: number): OpenResult {
  const cose = parseEncrypt0(body);
  if (!cose) return { ok: false, reason: 'not-cose' };
  const piv = decodePiv(cose.piv);
  if (piv === undefined) return { ok: false, reason: 'not-cose' };
  if (!cose.kid.equals(ctx.recipientId)) return { ok: false, reason: 'wrong-kid' };
  if (piv <= lastAcceptedPiv) return { ok: false, reason: 'replay' };
  // The nonce and AAD use the peer's kid and piv: its Sender ID is our Recipient ID.
  const nonce = aeadNonce(cose.kid, cose.piv, ctx.commonIv);
  const aad = additionalData(cose.kid, cose.piv);
  const plaintext = ccmDecrypt(ctx.recipientKey, nonce, aad, cose.ciphertext);
  if (!plaintext) return { ok: false, reason: 'decrypt' };
  return { ok: true, plaintext, piv };
}
