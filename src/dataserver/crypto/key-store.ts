// What the reference data server's cryptographic ops (PROTOCOL.md 5) need from
// wherever its keys live, without ever asking for the bytes of a key a token
// would keep: the three master keys are used only through AES-CMAC, the issuer
// key only through signing. A file-backed store (file-key-store.ts) and a
// PKCS#11 one (SoftHSM2 offers CKM_AES_CMAC and CKM_ECDSA, shared/FACTS.md)
// can both implement it.
import type { CmacKey } from './kdf.js';

/** transport: the transport master key; enc, mac: the masters of the cards' K-ENC and K-MAC. */
export type MasterKeyName = 'transport' | 'enc' | 'mac';
/** Master keys are AES-128 or AES-256 (PROTOCOL.md 5: "128 or 256, the master keys' length"). */
export type MasterKeyBits = 128 | 256;

export interface IssuerPublicKey {
  /** DER SubjectPublicKeyInfo of the P-256 key that signs certificates (the `issuer-key` answer). */
  readonly spki: Buffer;
  /** Its id, `issuerKeyId(spki)` (certificate.ts). */
  readonly keyId: string;
}

export interface KeyStore {
  /** The length of a master key in bits. */
  keyLength(name: MasterKeyName): MasterKeyBits;
  /** The full 16-byte AES-CMAC (RFC 4493) of `data` under a master key. */
  cmac(name: MasterKeyName, data: Buffer): Promise<Buffer>;
  /** ECDSA P-256 with SHA-256 over `msg` with the issuer key: the raw r || s, 64 bytes. */
  signIssuer(msg: Buffer): Promise<Buffer>;
  issuerPublicKey(): Promise<IssuerPublicKey>;
  /** Releases the keys (or the token session); later calls fail with KeyUnavailableError. */
  close(): Promise<void>;
}

/** The store cannot serve a key now (closed, token removed...): the ops answer `key-unavailable`. */
export class KeyUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyUnavailableError';
  }
}

/** One master key of a store, as a key used only through its CMAC (kdf.ts). */
export function masterKey(store: KeyStore, name: MasterKeyName): CmacKey {
  const bits = store.keyLength(name);
  return { bytes: bits === 128 ? 16 : 32, cmac: (data) => store.cmac(name, data) };
}
