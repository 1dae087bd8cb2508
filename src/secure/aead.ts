// AES-CCM-16-64-128 (COSE algorithm 10): AES-128 in CCM mode with a 13-byte
// nonce and an 8-byte tag, appended to the ciphertext as COSE does (RFC 9053
// section 4.2). Node's quirks (shared/FACTS.md, "Crypto in Node 20"): CCM
// needs the plaintext length with the AAD, and when decrypting the tag must
// be set before `update`; a bad tag makes `final` throw.
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { TAG_LENGTH } from './context.js';

/** A 13-byte CCM nonce leaves 2 bytes for the length (RFC 3610 2.1: L = 15 - 13). */
export const MAX_CCM_PLAINTEXT = 0xffff;

/** ciphertext || tag. Throws on a bad key or nonce size, or a plaintext over 65535 bytes. */
export function ccmEncrypt(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Buffer {
  if (plaintext.length > MAX_CCM_PLAINTEXT) throw new RangeError(`plaintext of ${plaintext.length} bytes; AES-CCM-16-64-128 takes at most ${MAX_CCM_PLAINTEXT}`);
  const cipher = createCipheriv('aes-128-ccm', key, nonce, { authTagLength: TAG_LENGTH });
  cipher.setAAD(aad, { plaintextLength: plaintext.length });
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([body, cipher.getAuthTag()]);
}

/** The plaintext, or undefined when the tag does not verify (or anything else is wrong). Never throws. */
export function ccmDecrypt(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, sealed: Uint8Array): Buffer | undefined {
  if (sealed.length < TAG_LENGTH || sealed.length - TAG_LENGTH > MAX_CCM_PLAINTEXT) return undefined;
  const split = sealed.length - TAG_LENGTH;
  try {
    const decipher = createDecipheriv('aes-128-ccm', key, nonce, { authTagLength: TAG_LENGTH });
    decipher.setAuthTag(sealed.subarray(split));
    decipher.setAAD(aad, { plaintextLength: split });
    const plaintext = decipher.update(sealed.subarray(0, split));
    decipher.final(); // throws when the tag does not verify
    return plaintext;
  } catch {
    return undefined;
  }
}
