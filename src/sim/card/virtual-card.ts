// A virtual smart card, as a chip maker delivers it to the personalization
// site: it holds only what a real chip would (its serial number, its own
// transport key, its static SCP03 keys K-ENC and K-MAC, already diversified,
// and the issuer's public key to check certificates) and it answers the
// station's commands as a small state machine (card-result.ts). Pure: no I/O,
// no timers; the card challenge comes from the injected `random`.
import { timingSafeEqual, type KeyObject } from 'node:crypto';
import { aesKeyBytes, type AesKey } from '../../dataserver/crypto/aes-cmac.js';
import { certificateMessage, verifyCertificate } from '../../dataserver/crypto/certificate.js';
import { sessionKeys, type SessionKeys } from '../../dataserver/crypto/derivations.js';
import { kdf, kdf3 } from '../../dataserver/crypto/kdf.js';
import type { CardRejection, CardResult, CardState, RandomBytes, Refused } from './card-result.js';
import { keyCheckValue } from './key-check.js';

// PROTOCOL.md 5, written out here on purpose: the chip maker derives the card's
// keys from the protocol text, not from the data server's code.
const CSN_MIN = 4;
const CSN_MAX = 16;
const CHALLENGE = 8;
const TRANSPORT_KEY_BITS = 128;
const TRANSPORT_CONSTANT = 0x70;
const KDF3_ENC = 0x01;
const KDF3_MAC = 0x02;

/** A file or directory the card created. */
export interface CreatedFile {
  readonly path: string;
  readonly size: number;
  readonly acl: Buffer;
}

/** What the chip maker puts into a card. The card keeps copies of the bytes. */
export interface CardContents {
  /** The card serial number, 4 to 16 bytes. */
  readonly csn: Uint8Array;
  /** The card's transport (unlock) key, 16 bytes. */
  readonly transportKey: Uint8Array;
  /** The card's static SCP03 keys, 16 or 32 bytes, both the same length. */
  readonly kEnc: Uint8Array;
  readonly kMac: Uint8Array;
  /** The P-256 public key whose signatures the card takes as certificates. */
  readonly issuerPublicKey: KeyObject;
  /** The chip's random number generator (the card challenge). */
  readonly random: RandomBytes;
}

/** The chip maker's master keys, from which it diversifies each card's keys (PROTOCOL.md 5). */
export interface CardMasters {
  readonly csn: Uint8Array;
  readonly transportMasterKey: AesKey;
  readonly masterEnc: AesKey;
  readonly masterMac: AesKey;
  readonly issuerPublicKey: KeyObject;
  readonly random: RandomBytes;
}

/** Session keys of the card's open secure channel, as key check values (key-check.ts). */
export interface SessionKeyCheck {
  readonly sEnc: Buffer;
  readonly sMac: Buffer;
  readonly sRmac: Buffer;
}

const isBytes = (v: unknown): v is Uint8Array => v instanceof Uint8Array;

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

function checkCsn(csn: Uint8Array): void {
  if (!isBytes(csn) || csn.length < CSN_MIN || csn.length > CSN_MAX) throw new RangeError(`a csn has ${CSN_MIN} to ${CSN_MAX} bytes`);
}

/** A path of non-empty components separated by '/', e.g. 3F00/7F10/EF01; its parent is all but the last component. */
function parentOf(path: string): string | undefined {
  const cut = path.lastIndexOf('/');
  return cut < 0 ? undefined : path.slice(0, cut);
}

function isPath(path: unknown): path is string {
  return typeof path === 'string' && path.length > 0 && path.split('/').every((c) => c.length > 0);
}

export class VirtualCard {
  readonly #csn: Buffer;
  readonly #transportKey: Buffer;
  readonly #kEnc: Buffer;
  readonly #kMac: Buffer;
  readonly #issuer: KeyObject;
  readonly #random: RandomBytes;
  readonly #files: CreatedFile[] = [];
  #state: CardState = 'locked';
  #rejection: CardRejection | undefined;
  #session: SessionKeys | undefined;

  /** Cards come from `manufactureCard`; throws (TypeError, RangeError) on contents no chip maker would ship. */
  constructor(contents: CardContents) {
    checkCsn(contents.csn);
    if (!isBytes(contents.transportKey) || contents.transportKey.length !== TRANSPORT_KEY_BITS / 8) throw new RangeError('the transport key has 16 bytes');
    if (!isBytes(contents.kEnc) || !isBytes(contents.kMac)) throw new TypeError('K-ENC and K-MAC are bytes');
    const n = contents.kEnc.length;
    if ((n !== 16 && n !== 32) || contents.kMac.length !== n) throw new RangeError('K-ENC and K-MAC have 16 or 32 bytes, both the same');
    const issuer = contents.issuerPublicKey;
    if (issuer.type !== 'public' || issuer.asymmetricKeyType !== 'ec' || issuer.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
      throw new TypeError('the issuer key is a P-256 public key');
    }
    if (typeof contents.random !== 'function') throw new TypeError('random is a function');
    this.#csn = Buffer.from(contents.csn);
    this.#transportKey = Buffer.from(contents.transportKey);
    this.#kEnc = Buffer.from(contents.kEnc);
    this.#kMac = Buffer.from(contents.kMac);
    this.#issuer = issuer;
    this.#random = contents.random;
  }

  get csn(): Buffer {
    return Buffer.from(this.#csn);
  }

  get state(): CardState {
    return this.#state;
  }

  /** Why the card became `rejected` (its first refusal); undefined while it is not. */
  get rejection(): CardRejection | undefined {
    return this.#rejection;
  }

  /** The files and directories created, in order (copies). */
  get files(): readonly CreatedFile[] {
    return this.#files.map((f) => ({ path: f.path, size: f.size, acl: Buffer.from(f.acl) }));
  }

  /** Unlocks the chip with its transport key (compared in constant time). */
  unlock(key: Uint8Array): CardResult {
    if (this.#state !== 'locked') return this.#refuse('out-of-order');
    if (!isBytes(key)) return this.#refuse('bad-command');
    if (!sameBytes(key, this.#transportKey)) return this.#refuse('wrong-transport-key');
    this.#state = 'unlocked';
    return { ok: true };
  }

  /**
   * SCP03 INITIALIZE UPDATE: draws the 8-byte card challenge, derives the
   * session keys from the card's own K-ENC and K-MAC (GP Amendment D 6.2.1,
   * PROTOCOL.md 5) and returns the card challenge and card cryptogram.
   * Throws only when the injected `random` does not give 8 bytes (a wiring bug).
   */
  initializeUpdate(hostChallenge: Uint8Array): CardResult<{ cardChallenge: Buffer; cardCryptogram: Buffer }> {
    if (this.#state !== 'unlocked') return this.#refuse('out-of-order');
    if (!isBytes(hostChallenge) || hostChallenge.length !== CHALLENGE) return this.#refuse('bad-command');
    const drawn = this.#random(CHALLENGE);
    if (!isBytes(drawn) || drawn.length !== CHALLENGE) throw new RangeError(`the card's random gave ${isBytes(drawn) ? drawn.length : 'no'} bytes, not ${CHALLENGE}`);
    const cardChallenge = Buffer.from(drawn);
    this.#session = sessionKeys(this.#kEnc, this.#kMac, hostChallenge, cardChallenge);
    this.#state = 'challenged';
    return { ok: true, cardChallenge: Buffer.from(cardChallenge), cardCryptogram: Buffer.from(this.#session.cardCryptogram) };
  }

  /** SCP03 EXTERNAL AUTHENTICATE: accepted only with the host cryptogram the card computed. */
  externalAuthenticate(hostCryptogram: Uint8Array): CardResult {
    const session = this.#session;
    if (this.#state !== 'challenged' || session === undefined) return this.#refuse('out-of-order');
    if (!isBytes(hostCryptogram)) return this.#refuse('bad-command');
    if (!sameBytes(hostCryptogram, session.hostCryptogram)) return this.#refuse('host-cryptogram');
    this.#state = 'authenticated';
    return { ok: true };
  }

  /**
   * Simulator only: the key check values of the card's session keys, so the
   * station can tell that the S-ENC and S-RMAC it received are the card's too.
   * (The cryptograms depend on S-MAC only; a real station would find a wrong
   * S-ENC or S-RMAC at its first encrypted command or MACed response.)
   */
  sessionKeyCheck(): CardResult<SessionKeyCheck> {
    const session = this.#session;
    if (this.#state !== 'authenticated' || session === undefined) return this.#refuse('out-of-order');
    return { ok: true, sEnc: keyCheckValue(session.sEnc), sMac: keyCheckValue(session.sMac), sRmac: keyCheckValue(session.sRmac) };
  }

  /**
   * Creates a file or directory, only with a valid certificate: `cert` (r || s)
   * must verify over certificateMessage(csn, path, size, acl) with the issuer
   * key. A path's parent (all but its last component) must exist already,
   * and a path is created once.
   */
  createFile(path: string, size: number, acl: Uint8Array, cert: Uint8Array): CardResult {
    if (this.#state !== 'authenticated') return this.#refuse('out-of-order');
    if (!isPath(path) || !Number.isSafeInteger(size) || size < 0 || !isBytes(acl) || !isBytes(cert)) return this.#refuse('bad-command');
    let msg: Buffer;
    try {
      msg = certificateMessage(this.#csn, path, size, acl);
    } catch {
      return this.#refuse('bad-command'); // e.g. a path that is not well-formed Unicode
    }
    let valid: boolean;
    try {
      valid = verifyCertificate(this.#issuer, msg, cert);
    } catch {
      valid = false;
    }
    if (!valid) return this.#refuse('bad-certificate');
    const parent = parentOf(path);
    const exists = (p: string): boolean => this.#files.some((f) => f.path === p);
    if (exists(path) || (parent !== undefined && !exists(parent))) return this.#refuse('bad-command');
    this.#files.push({ path, size, acl: Buffer.from(acl) });
    return { ok: true };
  }

  /** Ends personalization: the secure channel closes and the card is `personalized` for good. */
  complete(): CardResult {
    if (this.#state !== 'authenticated') return this.#refuse('out-of-order');
    this.#state = 'personalized';
    this.#closeSession();
    return { ok: true };
  }

  /** A refusal rejects the card for good, keeping the first reason; a personalized card only refuses. */
  #refuse(reason: CardRejection): Refused {
    if (this.#state !== 'rejected' && this.#state !== 'personalized') {
      this.#state = 'rejected';
      this.#rejection = reason;
      this.#closeSession();
    }
    return { ok: false, reason };
  }

  #closeSession(): void {
    const s = this.#session;
    if (s === undefined) return;
    for (const b of [s.sEnc, s.sMac, s.sRmac, s.cardCryptogram, s.hostCryptogram]) b.fill(0);
    this.#session = undefined;
  }

  /** Names the card, never a key. */
  toString(): string {
    return `VirtualCard(${this.#csn.toString('hex')}, ${this.#state})`;
  }
}

/** The chip maker: a card with the given (already diversified) keys. */
export function manufactureCard(contents: CardContents): VirtualCard {
  return new VirtualCard(contents);
}

/**
 * The chip maker from its master keys, as PROTOCOL.md 5 defines the card's
 * keys: transport key = KDF(transportMasterKey, 0x70, csn, 128), K-ENC =
 * KDF3(masterEnc, 01, csn), K-MAC = KDF3(masterMac, 02, csn).
 */
export function manufactureCardFromMasters(masters: CardMasters): VirtualCard {
  checkCsn(masters.csn);
  if (aesKeyBytes(masters.masterEnc) !== aesKeyBytes(masters.masterMac)) throw new RangeError('masterEnc and masterMac have the same length');
  const transportKey = kdf(masters.transportMasterKey, TRANSPORT_CONSTANT, masters.csn, TRANSPORT_KEY_BITS);
  const kEnc = kdf3(masters.masterEnc, KDF3_ENC, masters.csn);
  const kMac = kdf3(masters.masterMac, KDF3_MAC, masters.csn);
  try {
    return manufactureCard({ csn: masters.csn, transportKey, kEnc, kMac, issuerPublicKey: masters.issuerPublicKey, random: masters.random });
  } finally {
    for (const b of [transportKey, kEnc, kMac]) b.fill(0);
  }
}
