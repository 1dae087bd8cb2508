// AES-CMAC (RFC 4493; NIST SP 800-38B) for 128-, 192- and 256-bit AES keys.
// Node 20 has no built-in CMAC (shared/FACTS.md, "Crypto in Node 20"), so it
// is built here over OpenSSL's AES-ECB (the subkeys) and AES-CBC (the MAC).
// The key may be raw bytes or a secret KeyObject (which keeps the bytes out of
// the JavaScript heap).
import { createCipheriv, type KeyObject } from 'node:crypto';

export type AesKey = Uint8Array | KeyObject;

const BLOCK = 16;
/** R_128 of NIST SP 800-38B 5.3 (RFC 4493 2.3: const_Rb = 0x87). */
const RB = 0x87;
const ZERO_BLOCK = Buffer.alloc(BLOCK);

/** The key length in bytes (16, 24 or 32); throws RangeError for anything else. */
export function aesKeyBytes(key: AesKey): 16 | 24 | 32 {
  const n = key instanceof Uint8Array ? key.length : key.type === 'secret' ? key.symmetricKeySize : undefined;
  if (n === 16 || n === 24 || n === 32) return n;
  throw new RangeError(`an AES key has 16, 24 or 32 bytes, this one has ${n ?? 'no symmetric size'}`);
}

function aesEncrypt(mode: 'ecb' | 'cbc', key: AesKey, data: Uint8Array): Buffer {
  const bits = aesKeyBytes(key) * 8;
  const cipher = createCipheriv(`aes-${bits}-${mode}`, key, mode === 'ecb' ? null : ZERO_BLOCK);
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(data), cipher.final()]);
}

/** One left shift of a 16-byte block, then XOR R_b if the bit shifted out was 1 (RFC 4493 2.3, steps 2 and 3). */
function double(block: Buffer): Buffer {
  const out = Buffer.alloc(BLOCK);
  for (let i = 0; i < BLOCK; i++) {
    const next = i + 1 < BLOCK ? (block[i + 1] as number) : 0;
    out[i] = (((block[i] as number) << 1) | (next >>> 7)) & 0xff;
  }
  if (((block[0] as number) & 0x80) !== 0) out[BLOCK - 1] = (out[BLOCK - 1] as number) ^ RB;
  return out;
}

/** RFC 4493 2.3 Generate_Subkey: L = AES(K, 0^128), K1 = dbl(L), K2 = dbl(K1). */
export function cmacSubkeys(key: AesKey): { readonly k1: Buffer; readonly k2: Buffer } {
  const l = aesEncrypt('ecb', key, ZERO_BLOCK);
  const k1 = double(l);
  const k2 = double(k1);
  l.fill(0);
  return { k1, k2 };
}

/**
 * RFC 4493 2.4 Generate_MAC: the full 16-byte tag of `message` under `key`.
 * The last block is XORed with K1 when complete, else padded 10^i and XORed
 * with K2; the tag is the last block of AES-CBC with a zero IV.
 */
export function aesCmac(key: AesKey, message: Uint8Array): Buffer {
  const { k1, k2 } = cmacSubkeys(key);
  const complete = message.length > 0 && message.length % BLOCK === 0;
  const blocks = complete ? message.length / BLOCK : Math.floor(message.length / BLOCK) + 1;
  const padded = Buffer.alloc(blocks * BLOCK);
  padded.set(message);
  if (!complete) padded[message.length] = 0x80;
  const sub = complete ? k1 : k2;
  const last = (blocks - 1) * BLOCK;
  for (let i = 0; i < BLOCK; i++) padded[last + i] = (padded[last + i] as number) ^ (sub[i] as number);
  const out = aesEncrypt('cbc', key, padded);
  const tag = Buffer.from(out.subarray(out.length - BLOCK));
  for (const b of [k1, k2, padded, out]) b.fill(0);
  return tag;
}
