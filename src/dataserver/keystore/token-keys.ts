// Finding persomux's keys on a logged-in session and checking that they are
// what the store needs: AES master keys of 16 or 32 bytes and a P-256 issuer
// key pair, secret parts sensitive and not extractable, allowed to sign.
import { createHash, createPublicKey, verify } from 'node:crypto';
import { issuerKeyId } from '../crypto/certificate.js';
import type { IssuerPublicKey, MasterKeyBits, MasterKeyName } from '../crypto/key-store.js';
import { p256Spki } from './ec-spki.js';
import { ck, type PKCS11 } from './pkcs11-module.js';
import { boolValue, findObjects, MASTER_KEY_NAMES, readAttributes, ulongValue, type KeyLabels } from './token-objects.js';
import { step, TokenFailure } from './token-session.js';

export interface TokenKeys {
  readonly master: Readonly<Record<MasterKeyName, Buffer>>;
  readonly bits: Readonly<Record<MasterKeyName, MasterKeyBits>>;
  readonly issuer: Buffer;
  readonly issuerPublic: IssuerPublicKey;
}

function one(lib: PKCS11, session: Buffer, label: string, cls: number, what: string): Buffer {
  const found = step(`looking for the ${what} '${label}'`, () => findObjects(lib, session, label, cls));
  const [handle, ...more] = found;
  if (handle === undefined) throw new TokenFailure(`the token holds no ${what} labelled '${label}'`);
  if (more.length > 0) throw new TokenFailure(`the token holds ${found.length} objects of the ${what} class labelled '${label}'`);
  return handle;
}

/** Checks the attributes every secret key of the store must have. */
function checkSecretAttributes(attrs: Map<number, Buffer>, what: string, label: string): void {
  if (boolValue(attrs.get(ck.CKA_SENSITIVE)) !== true) throw new TokenFailure(`the ${what} '${label}' is not sensitive (CKA_SENSITIVE): refused`);
  if (boolValue(attrs.get(ck.CKA_EXTRACTABLE)) !== false) throw new TokenFailure(`the ${what} '${label}' is extractable (CKA_EXTRACTABLE): refused`);
  if (boolValue(attrs.get(ck.CKA_SIGN)) !== true) throw new TokenFailure(`the ${what} '${label}' may not sign (CKA_SIGN)`);
}

function masterKeyBits(lib: PKCS11, session: Buffer, handle: Buffer, label: string): MasterKeyBits {
  const types = [ck.CKA_KEY_TYPE, ck.CKA_VALUE_LEN, ck.CKA_SENSITIVE, ck.CKA_EXTRACTABLE, ck.CKA_SIGN];
  const attrs = step(`reading the attributes of '${label}'`, () => readAttributes(lib, session, handle, types));
  if (ulongValue(attrs.get(ck.CKA_KEY_TYPE)) !== ck.CKK_AES) throw new TokenFailure(`the secret key '${label}' is not an AES key`);
  checkSecretAttributes(attrs, 'AES key', label);
  const len = ulongValue(attrs.get(ck.CKA_VALUE_LEN));
  if (len !== 16 && len !== 32) throw new TokenFailure(`the AES key '${label}' has ${String(len)} bytes; master keys have 16 or 32`);
  return (len * 8) as MasterKeyBits;
}

function issuerPublic(lib: PKCS11, session: Buffer, priv: Buffer, pub: Buffer, label: string): IssuerPublicKey {
  const privAttrs = step(`reading the attributes of the private key '${label}'`, () =>
    readAttributes(lib, session, priv, [ck.CKA_KEY_TYPE, ck.CKA_SENSITIVE, ck.CKA_EXTRACTABLE, ck.CKA_SIGN]),
  );
  if (ulongValue(privAttrs.get(ck.CKA_KEY_TYPE)) !== ck.CKK_EC) throw new TokenFailure(`the private key '${label}' is not an EC key`);
  checkSecretAttributes(privAttrs, 'private key', label);
  const pubAttrs = step(`reading the public key '${label}'`, () => readAttributes(lib, session, pub, [ck.CKA_EC_PARAMS, ck.CKA_EC_POINT]));
  let spki: Buffer;
  try {
    spki = p256Spki(pubAttrs.get(ck.CKA_EC_PARAMS) ?? Buffer.alloc(0), pubAttrs.get(ck.CKA_EC_POINT) ?? Buffer.alloc(0));
    createPublicKey({ key: spki, format: 'der', type: 'spki' }); // the point is on the curve
  } catch (e) {
    throw new TokenFailure(`the public key '${label}' is not a usable P-256 key (${(e as Error).message})`);
  }
  return { spki, keyId: issuerKeyId(spki) };
}

/** Signs a fixed message with the private key and checks it with the public one: the two halves belong together. */
function checkIssuerPair(lib: PKCS11, session: Buffer, priv: Buffer, pub: IssuerPublicKey, label: string): void {
  const msg = Buffer.from('persomux issuer key pair check');
  const sig = step(`signing with the private key '${label}'`, () => {
    lib.C_SignInit(session, { mechanism: ck.CKM_ECDSA }, priv);
    return lib.C_Sign(session, createHash('sha256').update(msg).digest(), Buffer.alloc(64));
  });
  const key = createPublicKey({ key: pub.spki, format: 'der', type: 'spki' });
  if (sig.length !== 64 || !verify('sha256', msg, { key, dsaEncoding: 'ieee-p1363' }, sig)) {
    throw new TokenFailure(`the private and public keys labelled '${label}' do not belong together`);
  }
}

/** Finds and checks every key; throws TokenFailure naming the first key that is missing or unfit. */
export function loadTokenKeys(lib: PKCS11, session: Buffer, labels: KeyLabels): TokenKeys {
  const master = {} as Record<MasterKeyName, Buffer>;
  const bits = {} as Record<MasterKeyName, MasterKeyBits>;
  for (const name of MASTER_KEY_NAMES) {
    master[name] = one(lib, session, labels[name], ck.CKO_SECRET_KEY, 'secret key');
    bits[name] = masterKeyBits(lib, session, master[name], labels[name]);
  }
  if (bits.enc !== bits.mac) throw new TokenFailure(`'${labels.enc}' (${bits.enc} bits) and '${labels.mac}' (${bits.mac} bits) must have the same length`);
  const issuer = one(lib, session, labels.issuer, ck.CKO_PRIVATE_KEY, 'private key');
  const pub = one(lib, session, labels.issuer, ck.CKO_PUBLIC_KEY, 'public key');
  const issuerPub = issuerPublic(lib, session, issuer, pub, labels.issuer);
  checkIssuerPair(lib, session, issuer, issuerPub, labels.issuer);
  return { master, bits, issuer, issuerPublic: issuerPub };
}
