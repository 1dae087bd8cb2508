// Card certificates (PROTOCOL.md 5, "certificate"): ECDSA P-256 with SHA-256
// over the deterministic CBOR encoding (RFC 8949 4.2.1) of [csn, path, size,
// acl]; the certificate is the raw r || s (32 bytes each), as COSE writes
// ECDSA signatures (RFC 9053 2.1).
import { createHash, sign, verify, type KeyObject } from 'node:crypto';
import type { KeyStore } from './key-store.js';

const P256_FIELD_BYTES = 32;
export const CERTIFICATE_BYTES = 2 * P256_FIELD_BYTES;

// CBOR major types (RFC 8949 3.1).
const MT_UINT = 0;
const MT_BSTR = 2;
const MT_TSTR = 3;
const MT_ARRAY = 4;

/** A head with the shortest argument encoding (RFC 8949 4.2.1: "preferred serialization" of 4.1). */
function head(major: number, arg: bigint): Buffer {
  const mt = major << 5;
  if (arg < 24n) return Buffer.from([mt | Number(arg)]);
  if (arg <= 0xffn) return Buffer.from([mt | 24, Number(arg)]);
  if (arg <= 0xffffn) {
    const b = Buffer.alloc(3);
    b[0] = mt | 25;
    b.writeUInt16BE(Number(arg), 1);
    return b;
  }
  if (arg <= 0xffffffffn) {
    const b = Buffer.alloc(5);
    b[0] = mt | 26;
    b.writeUInt32BE(Number(arg), 1);
    return b;
  }
  const b = Buffer.alloc(9);
  b[0] = mt | 27;
  b.writeBigUInt64BE(arg, 1);
  return b;
}

function byteString(major: number, bytes: Uint8Array): Buffer {
  return Buffer.concat([head(major, BigInt(bytes.length)), bytes]);
}

/**
 * The signed message: the deterministic CBOR of [csn (bstr), path (tstr),
 * size (uint), acl (bstr)], i.e. definite lengths and the shortest head for
 * every length and for `size` (RFC 8949 4.2.1). `size` may be a number (a
 * safe integer) or a bigint below 2^64.
 */
export function certificateMessage(csn: Uint8Array, path: string, size: number | bigint, acl: Uint8Array): Buffer {
  const n = typeof size === 'bigint' ? size : Number.isSafeInteger(size) ? BigInt(size) : -1n;
  if (n < 0n || n > 0xffffffffffffffffn) throw new RangeError('size must be an unsigned integer below 2^64');
  const utf8 = Buffer.from(path, 'utf8');
  // A lone surrogate would be replaced by U+FFFD: the signed text would not be `path`.
  if (utf8.toString('utf8') !== path) throw new RangeError('path must be well-formed Unicode text');
  return Buffer.concat([head(MT_ARRAY, 4n), byteString(MT_BSTR, csn), byteString(MT_TSTR, utf8), head(MT_UINT, n), byteString(MT_BSTR, acl)]);
}

function checkP256(key: KeyObject, type: 'private' | 'public'): void {
  if (key.type !== type || key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new TypeError(`the issuer key must be a P-256 (prime256v1) ${type} key`);
  }
}

/** ECDSA P-256 / SHA-256 over `msg`: the 64-byte r || s (IEEE P1363). Not deterministic: each call gives another valid signature. */
export function signCertificate(privateKey: KeyObject, msg: Uint8Array): Buffer {
  checkP256(privateKey, 'private');
  return sign('sha256', msg, { key: privateKey, dsaEncoding: 'ieee-p1363' });
}

/** Whether `sig` (64-byte r || s) is the issuer's signature over `msg`. */
export function verifyCertificate(publicKey: KeyObject, msg: Uint8Array, sig: Uint8Array): boolean {
  checkP256(publicKey, 'public');
  if (sig.length !== CERTIFICATE_BYTES) return false;
  return verify('sha256', msg, { key: publicKey, dsaEncoding: 'ieee-p1363' }, sig);
}

/**
 * The issuer key's id (the `keyId` of the `certificate` and `issuer-key`
 * answers): the lowercase hex of the first 8 bytes of SHA-256 over the DER
 * SubjectPublicKeyInfo, 16 characters. Stable for a key whatever store holds it.
 */
export function issuerKeyId(spkiDer: Uint8Array): string {
  return createHash('sha256').update(spkiDer).digest().subarray(0, 8).toString('hex');
}

/** The `certificate` op in one call: { cert, keyId } with the store's issuer key. */
export async function issueCertificate(store: KeyStore, csn: Uint8Array, path: string, size: number | bigint, acl: Uint8Array): Promise<{ cert: Buffer; keyId: string }> {
  const msg = certificateMessage(csn, path, size, acl);
  const cert = await store.signIssuer(msg);
  if (cert.length !== CERTIFICATE_BYTES) throw new Error(`a certificate has ${CERTIFICATE_BYTES} bytes, the key store returned ${cert.length}`);
  const { keyId } = await store.issuerPublicKey();
  return { cert, keyId };
}
