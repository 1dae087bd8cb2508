// A KeyStore (key-store.ts) over one JSON key file:
//
//   { "transportMasterKey": hex, "masterEnc": hex, "masterMac": hex,
//     "issuerPrivateKeyPkcs8": base64 of the DER PKCS#8 P-256 private key }
//
// Master keys are 16 or 32 bytes (AES-128 or AES-256, PROTOCOL.md 5);
// masterEnc and masterMac have the same length (n of the session keys). The
// file is a secret, as the link key files of PROTOCOL.md 3: it is refused when
// group or others have any access to it, and no message, toString or JSON of
// the store ever shows a key. The keys are held as KeyObjects (outside the
// JavaScript heap); the JSON text they came from cannot be wiped, only dropped.
import { dirname } from 'node:path';
import { systemErrorMeaning } from '../../util/system-error.js';
import { createPrivateKey, createPublicKey, createSecretKey, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { open } from 'node:fs/promises';
import { parseSecretJson, readSecretFile, SecretFileError } from '../../keys/secret-file.js';
import { inspect } from 'node:util';
import { aesCmac } from './aes-cmac.js';
import { issuerKeyId, signCertificate } from './certificate.js';
import { KeyUnavailableError, type IssuerPublicKey, type KeyStore, type MasterKeyBits, type MasterKeyName } from './key-store.js';

const FIELDS = ['transportMasterKey', 'masterEnc', 'masterMac', 'issuerPrivateKeyPkcs8'] as const;
type Field = (typeof FIELDS)[number];
const MASTER_FIELD: Readonly<Record<MasterKeyName, Field>> = { transport: 'transportMasterKey', enc: 'masterEnc', mac: 'masterMac' };
/** A key file is a few hundred bytes; anything much larger is not one. */
const MAX_FILE_BYTES = 64 * 1024;
const HEX = /^(?:[0-9a-fA-F]{2})*$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** A key file that cannot be used. `field` names the offending field, if one; the message never quotes a value. */
export class KeyFileError extends Error {
  constructor(
    readonly file: string,
    readonly field: string | undefined,
    readonly reason: string,
  ) {
    super(field === undefined ? `key file ${file}: ${reason}` : `key file ${file}: field '${field}' ${reason}`);
    this.name = 'KeyFileError';
  }
}

interface Keys {
  readonly master: Readonly<Record<MasterKeyName, KeyObject>>;
  readonly issuer: KeyObject;
  readonly issuerPublic: IssuerPublicKey;
}

function masterField(file: string, obj: Record<string, unknown>, field: Field): KeyObject {
  const v = obj[field];
  if (v === undefined) throw new KeyFileError(file, field, 'is missing');
  if (typeof v !== 'string' || !HEX.test(v)) throw new KeyFileError(file, field, 'must be a string of hex digit pairs');
  if (v.length !== 32 && v.length !== 64) {
    throw new KeyFileError(file, field, `must be 16 or 32 bytes (32 or 64 hex digits), it has ${v.length / 2} bytes`);
  }
  const bytes = Buffer.from(v, 'hex');
  try {
    return createSecretKey(bytes);
  } finally {
    bytes.fill(0);
  }
}

function issuerField(file: string, obj: Record<string, unknown>): KeyObject {
  const field: Field = 'issuerPrivateKeyPkcs8';
  const v = obj[field];
  if (v === undefined) throw new KeyFileError(file, field, 'is missing');
  if (typeof v !== 'string' || v.length === 0 || !BASE64.test(v)) throw new KeyFileError(file, field, 'must be base64 (the DER PKCS#8 private key)');
  const der = Buffer.from(v, 'base64');
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  } catch {
    // OpenSSL's reason is dropped: nothing of the key's bytes may reach a message.
    throw new KeyFileError(file, field, 'is not a DER PKCS#8 private key');
  } finally {
    der.fill(0);
  }
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new KeyFileError(file, field, 'must be a P-256 (prime256v1) EC key');
  }
  return key;
}

/** Checks the text of a key file and turns it into keys. */
function parseKeyFile(file: string, text: string): Keys {
  let raw: unknown;
  try {
    raw = parseSecretJson(file, text, `an object with ${FIELDS.join(', ')}`);
  } catch (e) {
    if (e instanceof SecretFileError) throw new KeyFileError(file, undefined, e.reason);
    throw e;
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new KeyFileError(file, undefined, 'must be a JSON object');
  const obj = raw as Record<string, unknown>;
  for (const key of Object.keys(obj)) {
    if (!(FIELDS as readonly string[]).includes(key)) throw new KeyFileError(file, key, `is unknown (expected ${FIELDS.join(', ')})`);
  }
  const master = {
    transport: masterField(file, obj, 'transportMasterKey'),
    enc: masterField(file, obj, 'masterEnc'),
    mac: masterField(file, obj, 'masterMac'),
  };
  if (master.enc.symmetricKeySize !== master.mac.symmetricKeySize) {
    throw new KeyFileError(file, 'masterMac', "must have the same length as 'masterEnc' (the session keys' n)");
  }
  const issuer = issuerField(file, obj);
  const spki = createPublicKey(issuer).export({ format: 'der', type: 'spki' });
  return { master, issuer, issuerPublic: { spki, keyId: issuerKeyId(spki) } };
}

function readKeyFile(file: string): string {
  try {
    return readSecretFile(file, { maxBytes: MAX_FILE_BYTES });
  } catch (e) {
    if (e instanceof SecretFileError) throw new KeyFileError(file, undefined, e.reason);
    throw e;
  }
}

export class FileKeyStore implements KeyStore {
  #keys: Keys | undefined;

  private constructor(
    readonly file: string,
    keys: Keys,
  ) {
    this.#keys = keys;
  }

  /** Reads and checks the key file; throws KeyFileError naming the file (and the field) when it cannot be used. */
  static async open(file: string): Promise<FileKeyStore> {
    return new FileKeyStore(file, parseKeyFile(file, readKeyFile(file)));
  }

  #use(): Keys {
    if (this.#keys === undefined) throw new KeyUnavailableError(`the key store ${this.file} is closed`);
    return this.#keys;
  }

  keyLength(name: MasterKeyName): MasterKeyBits {
    return ((this.#use().master[name].symmetricKeySize ?? 0) * 8) as MasterKeyBits;
  }

  cmac(name: MasterKeyName, data: Buffer): Promise<Buffer> {
    try {
      return Promise.resolve(aesCmac(this.#use().master[name], data));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  signIssuer(msg: Buffer): Promise<Buffer> {
    try {
      return Promise.resolve(signCertificate(this.#use().issuer, msg));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  issuerPublicKey(): Promise<IssuerPublicKey> {
    try {
      const { spki, keyId } = this.#use().issuerPublic;
      return Promise.resolve({ spki: Buffer.from(spki), keyId });
    } catch (e) {
      return Promise.reject(e);
    }
  }

  close(): Promise<void> {
    this.#keys = undefined;
    return Promise.resolve();
  }

  /** Names the file, never a key. */
  toString(): string {
    return `FileKeyStore(${this.file})`;
  }

  toJSON(): { keyStore: 'file'; file: string } {
    return { keyStore: 'file', file: this.file };
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

/** Opens an existing key file (FileKeyStore.open). */
export function openFileKeyStore(file: string): Promise<FileKeyStore> {
  return FileKeyStore.open(file);
}

/**
 * Writes a new key file with fresh random master keys of `keyLengthBits` and
 * a fresh P-256 issuer key, mode 0600, then opens it. Refuses to overwrite an
 * existing file.
 */
export async function createFileKeyStore(file: string, keyLengthBits: MasterKeyBits): Promise<FileKeyStore> {
  if (keyLengthBits !== 128 && keyLengthBits !== 256) throw new RangeError('keyLengthBits must be 128 or 256');
  const bytes = keyLengthBits / 8;
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const content: Record<Field, string> = {
    transportMasterKey: randomBytes(bytes).toString('hex'),
    masterEnc: randomBytes(bytes).toString('hex'),
    masterMac: randomBytes(bytes).toString('hex'),
    issuerPrivateKeyPkcs8: privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'),
  };
  let fh;
  try {
    fh = await open(file, 'wx', 0o600);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    throw new KeyFileError(file, undefined, code === 'EEXIST' ? 'already exists; a key file is never overwritten' : code === 'ENOENT' ? `cannot be created: its folder ${dirname(file)} does not exist` : `cannot be created (${systemErrorMeaning(e) ?? code})`);
  }
  try {
    await fh.chmod(0o600); // the mode given to open is subject to the umask
    await fh.writeFile(JSON.stringify(content, null, 2) + '\n', 'utf8');
    await fh.sync();
  } finally {
    await fh.close();
  }
  return FileKeyStore.open(file);
}
