// The OSCORE security context of RFC 8613 section 3.2, as PROTOCOL.md 3 uses
// it: HKDF-SHA-256 (the RFC's default KDF) and AEAD AES-CCM-16-64-128 (COSE
// algorithm 10, the RFC's mandatory and default algorithm).
//
//   Sender Key    = HKDF(salt = Master Salt, IKM = Master Secret, info(Sender ID, "Key", 16), 16)
//   Recipient Key = HKDF(..., info(Recipient ID, "Key", 16), 16)
//   Common IV     = HKDF(..., info(h'', "IV", 13), 13)
//
// An empty Master Salt is the RFC's default (3.2); HKDF then uses HashLen zero
// bytes (RFC 5869 2.2), which gives the same HMAC key as the empty string.
import { hkdfSync } from 'node:crypto';
import { encodeCbor } from '../wire/cbor.js';

/** COSE algorithm 10, AES-CCM-16-64-128 (RFC 9053 section 4.2). */
export const AEAD_ALG = 10;
export const KEY_LENGTH = 16;
export const NONCE_LENGTH = 13;
export const TAG_LENGTH = 8;
/** RFC 8613 3.3: an ID is at most nonce length - 6 bytes (7 for algorithm 10). */
export const MAX_ID_LENGTH = NONCE_LENGTH - 6;

export interface ContextInputs {
  readonly masterSecret: Uint8Array;
  /** Absent or empty: the RFC's default, the empty byte string. */
  readonly masterSalt?: Uint8Array;
  readonly senderId: Uint8Array;
  readonly recipientId: Uint8Array;
  /** Absent: no ID Context (nil in `info`). PROTOCOL.md 3 always sets R1 || R2. */
  readonly idContext?: Uint8Array;
}

export interface SecurityContext {
  readonly senderId: Buffer;
  readonly recipientId: Buffer;
  readonly idContext: Buffer | undefined;
  readonly senderKey: Buffer;
  readonly recipientKey: Buffer;
  readonly commonIv: Buffer;
}

/**
 * The HKDF `info` of RFC 8613 3.2.1: the CBOR array
 * `[id: bstr, id_context: bstr / nil, alg_aead: 10, type: "Key" / "IV", L: uint]`.
 */
export function kdfInfo(id: Uint8Array, idContext: Uint8Array | undefined, type: 'Key' | 'IV', length: number): Buffer {
  return encodeCbor([Buffer.from(id), idContext === undefined ? null : Buffer.from(idContext), AEAD_ALG, type, length]);
}

function hkdf(inputs: ContextInputs, info: Buffer, length: number): Buffer {
  return Buffer.from(hkdfSync('sha256', inputs.masterSecret, inputs.masterSalt ?? new Uint8Array(0), info, length));
}

/** Derives the keys and Common IV of RFC 8613 3.2. Throws a RangeError on an ID longer than 7 bytes or on equal IDs. */
export function deriveContext(inputs: ContextInputs): SecurityContext {
  for (const [name, id] of [['Sender ID', inputs.senderId], ['Recipient ID', inputs.recipientId]] as const) {
    if (id.length > MAX_ID_LENGTH) throw new RangeError(`${name} is ${id.length} bytes; at most ${MAX_ID_LENGTH} (RFC 8613 3.3)`);
  }
  // RFC 8613 3.3: Sender IDs are unique per (Master Secret, Master Salt, ID
  // Context). With equal IDs both directions share one key and one nonce
  // sequence (a two-time pad), and a side would accept its own reflected messages.
  if (Buffer.from(inputs.senderId).equals(Buffer.from(inputs.recipientId))) {
    throw new RangeError('Sender ID and Recipient ID must differ (RFC 8613 3.3)');
  }
  const { idContext } = inputs;
  return {
    senderId: Buffer.from(inputs.senderId),
    recipientId: Buffer.from(inputs.recipientId),
    idContext: idContext === undefined ? undefined : Buffer.from(idContext),
    senderKey: hkdf(inputs, kdfInfo(inputs.senderId, idContext, 'Key', KEY_LENGTH), KEY_LENGTH),
    recipientKey: hkdf(inputs, kdfInfo(inputs.recipientId, idContext, 'Key', KEY_LENGTH), KEY_LENGTH),
    commonIv: hkdf(inputs, kdfInfo(new Uint8Array(0), idContext, 'IV', NONCE_LENGTH), NONCE_LENGTH),
  };
}

/** Length of each handshake random, `r` in `open` / `opened` (PROTOCOL.md 3). */
export const HANDSHAKE_RANDOM_LENGTH = 8;

/**
 * PROTOCOL.md 3: ID Context = R1 || R2 (R1 from the router's `open`, R2 from
 * the server's `opened`), as in RFC 8613 Appendix B.2, so that no two
 * connections share a context (and so never a key/nonce pair).
 */
export function linkIdContext(r1: Uint8Array, r2: Uint8Array): Buffer {
  if (r1.length !== HANDSHAKE_RANDOM_LENGTH || r2.length !== HANDSHAKE_RANDOM_LENGTH) {
    throw new RangeError(`handshake randoms must be ${HANDSHAKE_RANDOM_LENGTH} bytes each`);
  }
  return Buffer.concat([r1, r2]);
}
