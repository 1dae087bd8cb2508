// The data server's audit signing key: an Ed25519 pair in two PEM files, the
// private one (PKCS#8, mode 0600) for the server that signs checkpoints, the
// public one (SPKI) for whoever verifies a log. Like the link key files
// (keys/link-key-file.ts), a private file that group or others may read is
// refused, and no message ever quotes a key: only the file and the rule.
import { readSecretFile, SecretFileError } from '../keys/secret-file.js';
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { FilePairError, writeFilePair } from '../util/file-pair.js';

export class AuditKeyError extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`${file}: ${reason}`);
    this.name = 'AuditKeyError';
  }
}

/** First 8 bytes of SHA-256 over the DER SubjectPublicKeyInfo, hex: the `keyId` of a checkpoint. */
export function auditKeyId(publicKey: KeyObject): string {
  return createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest().subarray(0, 8).toString('hex');
}

/**
 * Writes a fresh pair, both files or neither (a private key whose public half
 * was never written cannot be checked against); never overwrites; creates
 * missing folders. Returns the key id and the folders it created.
 */
export function createAuditKey(privateFile: string, publicFile: string): { keyId: string; createdFolders: string[] } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  try {
    const { createdFolders } = writeFilePair(
      { file: privateFile, content: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, mode: 0o600 },
      { file: publicFile, content: publicKey.export({ type: 'spki', format: 'pem' }) as string, mode: 0o644 },
    );
    return { keyId: auditKeyId(publicKey), createdFolders };
  } catch (e) {
    if (e instanceof FilePairError) throw new AuditKeyError(e.file, e.reason);
    throw e;
  }
}

/** The public key is no secret, but a FIFO or a device given for it must not hang `audit verify` either. */
function readKeyFile(file: string): { text: string } {
  try {
    return { text: readSecretFile(file, { secret: false }) };
  } catch (e) {
    if (e instanceof SecretFileError) throw new AuditKeyError(file, e.reason);
    throw e;
  }
}

/** The signing key; refuses a file that group or others may read or write. */
export function loadAuditPrivateKey(file: string): KeyObject {
  let text: string;
  try {
    text = readSecretFile(file);
  } catch (e) {
    if (!(e instanceof SecretFileError)) throw e;
    // A public key given by mistake is named as such first, not refused for its (public) mode.
    if (holdsPublicKey(file)) throw new AuditKeyError(file, 'holds a public key; the data server signs with the private key file (PKCS#8 PEM, from "persomux audit keygen --private")');
    throw new AuditKeyError(file, e.reason);
  }
  if (/-----BEGIN PUBLIC KEY-----/.test(text)) throw new AuditKeyError(file, 'holds a public key; the data server signs with the private key file (PKCS#8 PEM, from "persomux audit keygen --private")');
  let key: KeyObject;
  try {
    key = createPrivateKey(text);
  } catch {
    // node's own message is not shown: it is about the file's content.
    throw new AuditKeyError(file, 'is not a PEM private key (expected PKCS#8, as "persomux audit keygen" writes)');
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new AuditKeyError(file, `holds a ${key.asymmetricKeyType ?? 'unknown'} key; an audit key is Ed25519`);
  return key;
}

function holdsPublicKey(file: string): boolean {
  try {
    // Under the same rule as any key file (never blocks on a FIFO), but a public key's mode is no matter.
    return /-----BEGIN PUBLIC KEY-----/.test(readSecretFile(file, { secret: false }));
  } catch {
    return false;
  }
}

/** The key that verifies checkpoints; refuses a private key (a verifier should never need one). */
export function loadAuditPublicKey(file: string): KeyObject {
  const { text } = readKeyFile(file);
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text)) throw new AuditKeyError(file, 'holds a private key; give the public key file (SPKI PEM) instead');
  let key: KeyObject;
  try {
    key = createPublicKey(text);
  } catch {
    throw new AuditKeyError(file, 'is not a PEM public key (expected SPKI, as "persomux audit keygen" writes)');
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new AuditKeyError(file, `holds a ${key.asymmetricKeyType ?? 'unknown'} key; an audit key is Ed25519`);
  return key;
}
