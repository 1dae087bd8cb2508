// The two AES-CMAC key derivations of PROTOCOL.md 5 ("Definitions"):
//
// * KDF(key, constant, context, bits): the GlobalPlatform SCP03 KDF (GP Card
//   Specification v2.2 Amendment D 4.1.5; NIST SP 800-108 counter mode, PRF =
//   AES-CMAC). Block i (from 1) is
//   CMAC(key, 00 x 11 || constant || 00 || bits as 2 bytes BE || i as 1 byte || context),
//   the blocks are concatenated and cut to `bits`.
// * KDF3(master, purpose, kdd): the card-key diversification GlobalPlatformPro
//   calls "KDF3" (PlaintextKeys.diversify: scp03_kdf(k, {}, 00 00 00 purpose 00 || kdd, k.length)).
//   Block i is CMAC(master, i as 1 byte || 00 00 00 purpose 00 || kdd), cut to
//   the master key's length.
//
// Each comes twice: over a `CmacKey` (a key used only through its CMAC, so a
// master key can stay inside a PKCS#11 token that computes the CMAC) and over
// key bytes in software (for the derived card and session keys).
import { KeyObject } from 'node:crypto';
import { aesCmac, aesKeyBytes, type AesKey } from './aes-cmac.js';

/** A key used only through its AES-CMAC: its bytes may never leave a token. */
export interface CmacKey {
  /** The key length in bytes. */
  readonly bytes: 16 | 24 | 32;
  /** The full 16-byte AES-CMAC of `data` under this key. */
  cmac(data: Buffer): Promise<Buffer>;
}

/** A CmacKey over key bytes (or a secret KeyObject) in this process. */
export function softwareCmacKey(key: AesKey): CmacKey {
  const bytes = aesKeyBytes(key);
  return { bytes, cmac: (data) => Promise.resolve(aesCmac(key, data)) };
}

/** A CmacKey as it is, key bytes or a secret KeyObject as a software CmacKey. */
export function asCmacKey(key: CmacKey | AesKey): CmacKey {
  return key instanceof Uint8Array || key instanceof KeyObject ? softwareCmacKey(key) : key;
}

const CMAC_BYTES = 16;
/** The counter is one byte (Amendment D 4.1.5), so at most 255 blocks. */
const MAX_BLOCKS = 0xff;

function checkByte(what: string, v: number): void {
  if (!Number.isInteger(v) || v < 0 || v > 0xff) throw new RangeError(`${what} must be one byte (0 to 255), got ${v}`);
}

function blocksFor(bytes: number): number {
  const n = Math.ceil(bytes / CMAC_BYTES);
  if (n > MAX_BLOCKS) throw new RangeError(`a one-byte counter gives at most ${MAX_BLOCKS} blocks, ${bytes} bytes need ${n}`);
  return n;
}

/** The input of KDF block `i`: 00 x 11 || constant || 00 || bits (2 bytes BE) || i || context (Amendment D 4.1.5). */
export function kdfBlockInput(constant: number, context: Uint8Array, bits: number, i: number): Buffer {
  checkByte('the derivation constant', constant);
  checkByte('the counter', i);
  const head = Buffer.alloc(16);
  head[11] = constant; // bytes 0..10: the 11 zero bytes of the label; 11: the constant
  // byte 12: the 00 separation indicator
  head.writeUInt16BE(bits, 13); // L, the output length in bits
  head[15] = i;
  return Buffer.concat([head, context]);
}

/** The input of KDF3 block `i`: i || 00 00 00 purpose 00 || kdd (PROTOCOL.md 5; GlobalPlatformPro SCP03_KDF_CONSTANTS). */
export function kdf3BlockInput(purpose: number, kdd: Uint8Array, i: number): Buffer {
  checkByte('the purpose', purpose);
  checkByte('the counter', i);
  const head = Buffer.from([i, 0x00, 0x00, 0x00, purpose, 0x00]);
  return Buffer.concat([head, kdd]);
}

function kdfInputs(constant: number, context: Uint8Array, bits: number): Buffer[] {
  if (!Number.isInteger(bits) || bits <= 0 || bits % 8 !== 0 || bits > 0xffff) {
    throw new RangeError(`the KDF output length must be a positive multiple of 8 bits below 2^16, got ${bits}`);
  }
  const inputs: Buffer[] = [];
  for (let i = 1; i <= blocksFor(bits / 8); i++) inputs.push(kdfBlockInput(constant, context, bits, i));
  return inputs;
}

function kdf3Inputs(purpose: number, kdd: Uint8Array, keyBytes: number): Buffer[] {
  const inputs: Buffer[] = [];
  for (let i = 1; i <= blocksFor(keyBytes); i++) inputs.push(kdf3BlockInput(purpose, kdd, i));
  return inputs;
}

/** Concatenates the blocks, cuts to `bytes`, and wipes the uncut copy. */
function cut(blocks: Buffer[], bytes: number): Buffer {
  const all = Buffer.concat(blocks);
  const out = Buffer.from(all.subarray(0, bytes));
  all.fill(0);
  for (const b of blocks) b.fill(0);
  return out;
}

async function cmacEach(key: CmacKey, inputs: Buffer[]): Promise<Buffer[]> {
  const out: Buffer[] = [];
  // One after the other: a token session serves one operation at a time.
  for (const input of inputs) {
    const tag = await key.cmac(input);
    if (tag.length !== CMAC_BYTES) throw new Error(`a CMAC has ${CMAC_BYTES} bytes, the key store returned ${tag.length}`);
    out.push(tag);
  }
  return out;
}

/** KDF over key bytes in software (the derived card and session keys). */
export function kdf(key: AesKey, constant: number, context: Uint8Array, bits: number): Buffer {
  return cut(
    kdfInputs(constant, context, bits).map((input) => aesCmac(key, input)),
    bits / 8,
  );
}

/** KDF whose CMACs go through `key.cmac` (a master key in a key store). */
export async function kdfVia(key: CmacKey, constant: number, context: Uint8Array, bits: number): Promise<Buffer> {
  return cut(await cmacEach(key, kdfInputs(constant, context, bits)), bits / 8);
}

/** KDF3 over key bytes in software. */
export function kdf3(master: AesKey, purpose: number, kdd: Uint8Array): Buffer {
  const bytes = aesKeyBytes(master);
  return cut(
    kdf3Inputs(purpose, kdd, bytes).map((input) => aesCmac(master, input)),
    bytes,
  );
}

/** KDF3 whose CMACs go through `master.cmac` (a master key in a key store). */
export async function kdf3Via(master: CmacKey, purpose: number, kdd: Uint8Array): Promise<Buffer> {
  return cut(await cmacEach(master, kdf3Inputs(purpose, kdd, master.bytes)), master.bytes);
}
