// The key derivations of the reference data server (PROTOCOL.md 5, the
// bullets under "Definitions"). Master keys are used through their CMAC only
// (a CmacKey, or raw bytes for tests and tools); the card keys and session
// keys they yield are ordinary bytes, derived further in software.
import type { AesKey } from './aes-cmac.js';
import { asCmacKey, kdf, kdf3Via, kdfVia, type CmacKey } from './kdf.js';
import { masterKey, type KeyStore } from './key-store.js';

/** PROTOCOL.md 5: "0x70 is this protocol's own constant" for the transport key. */
export const TRANSPORT_KEY_CONSTANT = 0x70;
/** KDF3 purposes (PROTOCOL.md 5; GlobalPlatformPro SCP03_KDF_CONSTANTS ENC and MAC). */
export const PURPOSE_ENC = 0x01;
export const PURPOSE_MAC = 0x02;
/** Derivation constants of GP Amendment D 4.1.5 (Table 4-1). */
export const DERIVE_CARD_CRYPTOGRAM = 0x00;
export const DERIVE_HOST_CRYPTOGRAM = 0x01;
export const DERIVE_S_ENC = 0x04;
export const DERIVE_S_MAC = 0x06;
export const DERIVE_S_RMAC = 0x07;

/** PROTOCOL.md 5 table: csn is 4 to 16 bytes; the challenges are 8 bytes each. */
export const CSN_MIN_BYTES = 4;
export const CSN_MAX_BYTES = 16;
export const CHALLENGE_BYTES = 8;

function checkCsn(csn: Uint8Array): void {
  if (csn.length < CSN_MIN_BYTES || csn.length > CSN_MAX_BYTES) {
    throw new RangeError(`csn must be ${CSN_MIN_BYTES} to ${CSN_MAX_BYTES} bytes, it has ${csn.length}`);
  }
}

function checkChallenge(name: string, c: Uint8Array): void {
  if (c.length !== CHALLENGE_BYTES) throw new RangeError(`${name} must be ${CHALLENGE_BYTES} bytes, it has ${c.length}`);
}

/** The card's transport (unlock) key: KDF(transportMasterKey, 0x70, csn, 128), always 16 bytes. */
export function transportKey(transportMasterKey: CmacKey | AesKey, csn: Uint8Array): Promise<Buffer> {
  checkCsn(csn);
  return kdfVia(asCmacKey(transportMasterKey), TRANSPORT_KEY_CONSTANT, csn, 128);
}

export interface CardStaticKeys {
  readonly kEnc: Buffer;
  readonly kMac: Buffer;
}

/** The card's static keys: K-ENC = KDF3(masterEnc, 01, csn), K-MAC = KDF3(masterMac, 02, csn), each as long as its master. */
export async function cardStaticKeys(masterEnc: CmacKey | AesKey, masterMac: CmacKey | AesKey, csn: Uint8Array): Promise<CardStaticKeys> {
  checkCsn(csn);
  const kEnc = await kdf3Via(asCmacKey(masterEnc), PURPOSE_ENC, csn);
  const kMac = await kdf3Via(asCmacKey(masterMac), PURPOSE_MAC, csn);
  return { kEnc, kMac };
}

export interface SessionKeys {
  readonly sEnc: Buffer;
  readonly sMac: Buffer;
  readonly sRmac: Buffer;
  readonly cardCryptogram: Buffer;
  readonly hostCryptogram: Buffer;
}

/**
 * SCP03 session keys and authentication cryptograms (GP Amendment D 6.2.1,
 * 6.2.2.2, 6.2.2.3) with ctx = hostChallenge || cardChallenge and n = the
 * static keys' length in bits: sEnc = KDF(K-ENC, 04, ctx, n), sMac =
 * KDF(K-MAC, 06, ctx, n), sRmac = KDF(K-MAC, 07, ctx, n), cardCryptogram =
 * KDF(sMac, 00, ctx, 64), hostCryptogram = KDF(sMac, 01, ctx, 64).
 */
export function sessionKeys(kEnc: AesKey, kMac: AesKey, hostChallenge: Uint8Array, cardChallenge: Uint8Array): SessionKeys {
  checkChallenge('hostChallenge', hostChallenge);
  checkChallenge('cardChallenge', cardChallenge);
  const ctx = Buffer.concat([hostChallenge, cardChallenge]);
  const encBits = staticKeyBits(kEnc);
  const macBits = staticKeyBits(kMac);
  if (encBits !== macBits) throw new RangeError(`K-ENC (${encBits} bits) and K-MAC (${macBits} bits) must have the same length`);
  const sMac = kdf(kMac, DERIVE_S_MAC, ctx, macBits);
  return {
    sEnc: kdf(kEnc, DERIVE_S_ENC, ctx, encBits),
    sMac,
    sRmac: kdf(kMac, DERIVE_S_RMAC, ctx, macBits),
    cardCryptogram: kdf(sMac, DERIVE_CARD_CRYPTOGRAM, ctx, 64),
    hostCryptogram: kdf(sMac, DERIVE_HOST_CRYPTOGRAM, ctx, 64),
  };
}

function staticKeyBits(key: AesKey): number {
  return (key instanceof Uint8Array ? key.length : (key.symmetricKeySize ?? 0)) * 8;
}

/**
 * The `session-keys` op in one call: the card's static keys from the store's
 * master keys, then the session keys; the static keys are wiped afterwards.
 */
export async function sessionKeysForCard(store: KeyStore, csn: Uint8Array, hostChallenge: Uint8Array, cardChallenge: Uint8Array): Promise<SessionKeys> {
  checkChallenge('hostChallenge', hostChallenge);
  checkChallenge('cardChallenge', cardChallenge);
  const { kEnc, kMac } = await cardStaticKeys(masterKey(store, 'enc'), masterKey(store, 'mac'), csn);
  try {
    return sessionKeys(kEnc, kMac, hostChallenge, cardChallenge);
  } finally {
    kEnc.fill(0);
    kMac.fill(0);
  }
}

/** The `transport-key` op in one call, with the store's transport master key. */
export function transportKeyForCard(store: KeyStore, csn: Uint8Array): Promise<Buffer> {
  return transportKey(masterKey(store, 'transport'), csn);
}
