// Key check values as GlobalPlatform defines them for AES keys (the KCV of
// the PUT KEY command): the first 3 bytes of AES-ECB(key, 16 bytes of 0x01).
// They tell whether two parties hold the same key without showing it.
import { createCipheriv } from 'node:crypto';
import { aesKeyBytes, type AesKey } from '../../dataserver/crypto/aes-cmac.js';

export const KEY_CHECK_BYTES = 3;
const ONES = Buffer.alloc(16, 0x01);

/** The 3-byte key check value of an AES-128/192/256 key. */
export function keyCheckValue(key: AesKey): Buffer {
  const cipher = createCipheriv(`aes-${aesKeyBytes(key) * 8}-ecb`, key, null);
  cipher.setAutoPadding(false);
  const block = Buffer.concat([cipher.update(ONES), cipher.final()]);
  const kcv = Buffer.from(block.subarray(0, KEY_CHECK_BYTES));
  block.fill(0);
  return kcv;
}
