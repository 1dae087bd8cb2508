// The AEAD nonce of RFC 8613 section 5.2:
//
//   1. the Partial IV, left-padded with zeros to 5 bytes;
//   2. ID_PIV (the Sender ID of whoever produced the Partial IV), left-padded
//      with zeros to nonce length - 6 bytes (7 for AES-CCM-16-64-128);
//   3. size of ID_PIV (1 byte) || padded ID_PIV || padded Partial IV;
//   4. XOR with the Common IV.
//
// On a PROTOCOL.md 3 link every message carries its own Partial IV, so ID_PIV
// is always the sender's own ID.
import { MAX_ID_LENGTH, NONCE_LENGTH } from './context.js';
import { MAX_PIV_BYTES } from './piv.js';

/** Throws a RangeError on an ID over 7 bytes, a Partial IV over 5, or a Common IV that is not 13 bytes. */
export function aeadNonce(idPiv: Uint8Array, piv: Uint8Array, commonIv: Uint8Array): Buffer {
  if (idPiv.length > MAX_ID_LENGTH) throw new RangeError(`ID_PIV is ${idPiv.length} bytes; at most ${MAX_ID_LENGTH}`);
  if (piv.length > MAX_PIV_BYTES) throw new RangeError(`Partial IV is ${piv.length} bytes; at most ${MAX_PIV_BYTES}`);
  if (commonIv.length !== NONCE_LENGTH) throw new RangeError(`Common IV must be ${NONCE_LENGTH} bytes`);
  const nonce = Buffer.alloc(NONCE_LENGTH); // zeros: the padding of steps 1 and 2
  nonce[0] = idPiv.length;
  nonce.set(idPiv, 1 + MAX_ID_LENGTH - idPiv.length);
  nonce.set(piv, NONCE_LENGTH - piv.length);
  for (let i = 0; i < NONCE_LENGTH; i++) nonce[i] = nonce[i]! ^ commonIv[i]!;
  return nonce;
}
