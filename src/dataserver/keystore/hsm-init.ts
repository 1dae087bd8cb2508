// Putting persomux's keys on a PKCS#11 token:
//
// * initHsmKeys: generates the three AES master keys (CKM_AES_KEY_GEN) and the
//   P-256 issuer key pair (CKM_EC_KEY_PAIR_GEN) inside the token: the secret
//   parts are sensitive and not extractable, and may only sign (CMAC, ECDSA).
// * importMasterKeys: imports given AES key bytes (and, optionally, an issuer
//   private key) as objects with the same attributes, so tests and migrations
//   can give a token the keys of a FileKeyStore.
//
// Both refuse when objects with the keys' labels exist already, unless
// `replace`: then the new keys are made first and the old objects destroyed
// after, so a failure leaves the old keys in place.
import { randomBytes, type KeyObject } from 'node:crypto';
import type { Template } from 'pkcs11js';
import { issuerKeyId } from '../crypto/certificate.js';
import type { IssuerPublicKey, MasterKeyBits, MasterKeyName } from '../crypto/key-store.js';
import { ecPointAttribute, P256_EC_PARAMS, p256Spki } from './ec-spki.js';
import { checkTokenLabel, ck, errorCode, isPkcs11Failure, Pkcs11ConfigError, Pkcs11Module, resolveModulePath, type PKCS11 } from './pkcs11-module.js';
import { findObjects, keyLabels, MASTER_KEY_NAMES, readAttributes, type KeyLabels } from './token-objects.js';
import { closeQuietly, openUserSession, step, TokenFailure } from './token-session.js';

/** The token to write to. The PIN is used for C_Login only, and no message shows it. */
export interface HsmTarget {
  /** Default: SoftHSM2's libsofthsm2.so in the usual Debian places. */
  readonly modulePath?: string;
  readonly tokenLabel: string;
  readonly pin: string;
  readonly labels?: Partial<KeyLabels>;
  /** Replace objects that already carry the keys' labels (default: refuse). */
  readonly replace?: boolean;
}

export interface InitHsmKeysOptions extends HsmTarget {
  readonly keyLengthBits: MasterKeyBits;
}

export interface ImportMasterKeysOptions extends HsmTarget {
  /** 16 or 32 bytes each; enc and mac of the same length. */
  readonly keys: Readonly<Record<MasterKeyName, Uint8Array>>;
  /** A P-256 private key to import as the issuer key pair too. */
  readonly issuerPrivateKey?: KeyObject;
}

export interface HsmKeysResult {
  readonly modulePath: string;
  readonly tokenLabel: string;
  readonly labels: KeyLabels;
  /** The labels whose old objects were destroyed (with `replace`). */
  readonly replaced: readonly string[];
  /** The issuer key, when one was made or imported. */
  readonly issuer?: IssuerPublicKey;
}

/** The keys could not be put on the token; the message names the token and the step, never the PIN or a key. */
export class HsmInitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HsmInitError';
  }
}

const SECRET_ATTRIBUTES = (label: string, id: Buffer): Template => [
  { type: ck.CKA_TOKEN, value: true },
  { type: ck.CKA_PRIVATE, value: true },
  { type: ck.CKA_SENSITIVE, value: true },
  { type: ck.CKA_EXTRACTABLE, value: false },
  { type: ck.CKA_SIGN, value: true },
  { type: ck.CKA_DERIVE, value: false },
  { type: ck.CKA_LABEL, value: label },
  { type: ck.CKA_ID, value: id },
];

function aesTemplate(label: string): Template {
  return [
    { type: ck.CKA_CLASS, value: ck.CKO_SECRET_KEY },
    { type: ck.CKA_KEY_TYPE, value: ck.CKK_AES },
    ...SECRET_ATTRIBUTES(label, Buffer.from(label, 'utf8')),
    { type: ck.CKA_VERIFY, value: false },
    { type: ck.CKA_ENCRYPT, value: false },
    { type: ck.CKA_DECRYPT, value: false },
    { type: ck.CKA_WRAP, value: false },
    { type: ck.CKA_UNWRAP, value: false },
  ];
}

function ecPrivateTemplate(label: string, id: Buffer): Template {
  return [
    { type: ck.CKA_CLASS, value: ck.CKO_PRIVATE_KEY },
    { type: ck.CKA_KEY_TYPE, value: ck.CKK_EC },
    ...SECRET_ATTRIBUTES(label, id),
    { type: ck.CKA_DECRYPT, value: false },
    { type: ck.CKA_UNWRAP, value: false },
  ];
}

function ecPublicTemplate(label: string, id: Buffer): Template {
  return [
    { type: ck.CKA_CLASS, value: ck.CKO_PUBLIC_KEY },
    { type: ck.CKA_KEY_TYPE, value: ck.CKK_EC },
    { type: ck.CKA_TOKEN, value: true },
    { type: ck.CKA_PRIVATE, value: false },
    { type: ck.CKA_VERIFY, value: true },
    { type: ck.CKA_ENCRYPT, value: false },
    { type: ck.CKA_WRAP, value: false },
    { type: ck.CKA_EC_PARAMS, value: P256_EC_PARAMS },
    { type: ck.CKA_LABEL, value: label },
    { type: ck.CKA_ID, value: id },
  ];
}

interface Writer {
  readonly lib: PKCS11;
  readonly session: Buffer;
  /** Objects made so far: destroyed if a later step fails. */
  readonly made: Buffer[];
}

function checkTarget(o: HsmTarget): KeyLabels {
  try {
    checkTokenLabel(o.tokenLabel);
    if (typeof o.pin !== 'string' || o.pin.length === 0) throw new Pkcs11ConfigError('the user PIN is empty');
    return keyLabels(o.labels);
  } catch (e) {
    throw new HsmInitError((e as Error).message);
  }
}

/** Opens a read-write user session on the token, runs `body`, and undoes what it made if it fails. */
async function writeKeys(o: HsmTarget, labels: readonly string[], body: (w: Writer) => IssuerPublicKey | undefined): Promise<HsmKeysResult> {
  const allLabels = checkTarget(o);
  let module: Pkcs11Module;
  try {
    module = Pkcs11Module.acquire(resolveModulePath(o.modulePath));
  } catch (e) {
    throw new HsmInitError((e as Error).message);
  }
  const where = `PKCS#11 token '${o.tokenLabel}'`;
  try {
    return await module.exclusive((lib) => {
      let session: Buffer;
      try {
        session = openUserSession(module, lib, o.tokenLabel, o.pin, true).session;
      } catch (e) {
        if (e instanceof TokenFailure) throw new HsmInitError(`${where}: ${e.reason}`);
        throw e;
      }
      const made: Buffer[] = [];
      try {
        const old = labels.flatMap((label) => step(`looking for '${label}'`, () => findObjects(lib, session, label)).map((h) => ({ label, h })));
        const replaced = [...new Set(old.map((x) => x.label))];
        if (replaced.length > 0 && o.replace !== true) {
          throw new TokenFailure(`it already holds objects labelled ${replaced.map((l) => `'${l}'`).join(', ')}; nothing was changed (replace them explicitly if that is meant)`);
        }
        const issuer = body({ lib, session, made });
        for (const { label, h } of old) step(`destroying the old '${label}'`, () => lib.C_DestroyObject(session, h));
        return { modulePath: module.path, tokenLabel: o.tokenLabel, labels: allLabels, replaced, ...(issuer === undefined ? {} : { issuer }) };
      } catch (e) {
        for (const h of made) {
          try {
            lib.C_DestroyObject(session, h);
          } catch {
            // Best effort: the step that failed is what gets reported.
          }
        }
        if (e instanceof TokenFailure) throw new HsmInitError(`${where}: ${e.reason}`);
        if (isPkcs11Failure(e)) throw new HsmInitError(`${where}: ${errorCode(e)}`);
        throw e;
      } finally {
        closeQuietly(lib, session);
      }
    });
  } finally {
    await module.release();
  }
}

function publicKeyOf(w: Writer, pub: Buffer, label: string): IssuerPublicKey {
  const attrs = step(`reading the public key '${label}'`, () => readAttributes(w.lib, w.session, pub, [ck.CKA_EC_PARAMS, ck.CKA_EC_POINT]));
  const spki = p256Spki(attrs.get(ck.CKA_EC_PARAMS) ?? Buffer.alloc(0), attrs.get(ck.CKA_EC_POINT) ?? Buffer.alloc(0));
  return { spki, keyId: issuerKeyId(spki) };
}

/** Generates the three AES master keys and the P-256 issuer key pair inside the token. */
export async function initHsmKeys(o: InitHsmKeysOptions): Promise<HsmKeysResult> {
  if (o.keyLengthBits !== 128 && o.keyLengthBits !== 256) throw new HsmInitError('keyLengthBits must be 128 or 256');
  const labels = checkTarget(o);
  return writeKeys(o, [...MASTER_KEY_NAMES.map((n) => labels[n]), labels.issuer], (w) => {
    for (const name of MASTER_KEY_NAMES) {
      const label = labels[name];
      const template = [...aesTemplate(label), { type: ck.CKA_VALUE_LEN, value: o.keyLengthBits / 8 }];
      w.made.push(step(`generating '${label}'`, () => w.lib.C_GenerateKey(w.session, { mechanism: ck.CKM_AES_KEY_GEN }, template)));
    }
    const id = randomBytes(16);
    const pair = step(`generating the key pair '${labels.issuer}'`, () =>
      w.lib.C_GenerateKeyPair(w.session, { mechanism: ck.CKM_EC_KEY_PAIR_GEN }, ecPublicTemplate(labels.issuer, id), ecPrivateTemplate(labels.issuer, id)),
    );
    w.made.push(pair.privateKey, pair.publicKey);
    return publicKeyOf(w, pair.publicKey, labels.issuer);
  });
}

/**
 * Imports the given AES master keys (and optionally an issuer private key) as
 * sensitive, non-extractable token objects. The caller's buffers are left as
 * they are; the copies made here are wiped.
 */
export async function importMasterKeys(o: ImportMasterKeysOptions): Promise<HsmKeysResult> {
  const labels = checkTarget(o);
  for (const name of MASTER_KEY_NAMES) {
    const n = o.keys[name]?.length;
    if (n !== 16 && n !== 32) throw new HsmInitError(`the '${name}' master key must have 16 or 32 bytes, it has ${String(n)}`);
  }
  if (o.keys.enc.length !== o.keys.mac.length) throw new HsmInitError("the 'enc' and 'mac' master keys must have the same length");
  let ecd: { d: Buffer; point: Buffer } | undefined;
  if (o.issuerPrivateKey !== undefined) {
    const k = o.issuerPrivateKey;
    if (k.type !== 'private' || k.asymmetricKeyType !== 'ec' || k.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
      throw new HsmInitError('the issuer key must be a P-256 (prime256v1) private key');
    }
    const jwk = k.export({ format: 'jwk' });
    ecd = {
      d: Buffer.from(jwk.d ?? '', 'base64url'),
      point: Buffer.concat([Buffer.from([0x04]), Buffer.from(jwk.x ?? '', 'base64url'), Buffer.from(jwk.y ?? '', 'base64url')]),
    };
  }
  const wanted = [...MASTER_KEY_NAMES.map((n) => labels[n]), ...(ecd === undefined ? [] : [labels.issuer])];
  return writeKeys(o, wanted, (w) => {
    for (const name of MASTER_KEY_NAMES) {
      const label = labels[name];
      const value = Buffer.from(o.keys[name]);
      try {
        w.made.push(step(`importing '${label}'`, () => w.lib.C_CreateObject(w.session, [...aesTemplate(label), { type: ck.CKA_VALUE, value }])));
      } finally {
        value.fill(0);
      }
    }
    if (ecd === undefined) return undefined;
    const id = randomBytes(16);
    try {
      const priv = [...ecPrivateTemplate(labels.issuer, id), { type: ck.CKA_EC_PARAMS, value: P256_EC_PARAMS }, { type: ck.CKA_VALUE, value: ecd.d }];
      w.made.push(step(`importing the private key '${labels.issuer}'`, () => w.lib.C_CreateObject(w.session, priv)));
    } finally {
      ecd.d.fill(0);
    }
    const pubTemplate = [...ecPublicTemplate(labels.issuer, id), { type: ck.CKA_EC_POINT, value: ecPointAttribute(ecd.point) }];
    const pub = step(`importing the public key '${labels.issuer}'`, () => w.lib.C_CreateObject(w.session, pubTemplate));
    w.made.push(pub);
    return publicKeyOf(w, pub, labels.issuer);
  });
}
