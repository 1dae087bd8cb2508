// The key file of one protected link (PROTOCOL.md 3): the OSCORE master
// secret and salt, and the two ids. It is a secret: the router refuses a file
// that others than its owner may read, and no message ever quotes its values.
import { randomBytes } from 'node:crypto';
import { FilePairError, writeFilePair } from '../util/file-pair.js';
import { parseSecretJson, readSecretFile, SecretFileError } from './secret-file.js';

export interface LinkKeys {
  readonly masterSecret: Buffer;
  readonly masterSalt: Buffer;
  /** This side's Sender ID: its `kid`. */
  readonly senderId: Buffer;
  /** The other side's Sender ID: the only `kid` accepted from it. */
  readonly recipientId: Buffer;
}

export class KeyFileError extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`${file}: ${reason}`);
    this.name = 'KeyFileError';
  }
}

const MIN_SECRET_BYTES = 16;
const MAX_ID_BYTES = 7;
const HEX = /^(?:[0-9a-fA-F]{2})*$/;

function hexField(file: string, raw: Record<string, unknown>, field: string, min: number, max: number): Buffer {
  const v = raw[field];
  // The reasons name the field and the rule, never the value: it may be the secret.
  if (typeof v !== 'string' || !HEX.test(v)) throw new KeyFileError(file, `field '${field}' must be a string of hex digit pairs`);
  const bytes = Buffer.from(v, 'hex');
  if (bytes.length < min || bytes.length > max) {
    throw new KeyFileError(file, `field '${field}' must be ${min === max ? min : `${min} to ${max}`} bytes, it has ${bytes.length}`);
  }
  return bytes;
}

export function parseLinkKeys(file: string, text: string): LinkKeys {
  let raw: unknown;
  try {
    raw = parseSecretJson(file, text, '{"masterSecret", "masterSalt", "senderId", "recipientId"} as hex');
  } catch (e) {
    if (e instanceof SecretFileError) throw new KeyFileError(file, e.reason);
    throw e;
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new KeyFileError(file, 'must be a JSON object');
  const obj = raw as Record<string, unknown>;
  for (const key of Object.keys(obj)) {
    if (!['masterSecret', 'masterSalt', 'senderId', 'recipientId'].includes(key)) throw new KeyFileError(file, `unknown field '${key}'`);
  }
  return {
    masterSecret: hexField(file, obj, 'masterSecret', MIN_SECRET_BYTES, 1024),
    masterSalt: obj.masterSalt === undefined ? Buffer.alloc(0) : hexField(file, obj, 'masterSalt', 0, 1024),
    senderId: hexField(file, obj, 'senderId', 0, MAX_ID_BYTES),
    recipientId: hexField(file, obj, 'recipientId', 0, MAX_ID_BYTES),
  };
}

/** Reads and checks a key file under the secret-file rule (secret-file.ts). */
export function loadLinkKeys(file: string): LinkKeys {
  let text: string;
  try {
    text = readSecretFile(file);
  } catch (e) {
    if (e instanceof SecretFileError) throw new KeyFileError(file, e.reason);
    throw e;
  }
  const keys = parseLinkKeys(file, text);
  if (keys.senderId.equals(keys.recipientId)) throw new KeyFileError(file, "'senderId' and 'recipientId' must differ");
  return keys;
}

function keyFileText(keys: LinkKeys): string {
  const text = JSON.stringify(
    {
      masterSecret: keys.masterSecret.toString('hex'),
      masterSalt: keys.masterSalt.toString('hex'),
      senderId: keys.senderId.toString('hex'),
      recipientId: keys.recipientId.toString('hex'),
    },
    null,
    2,
  );
  return text + '\n';
}

/**
 * Writes a matching pair of key files with a fresh random secret and salt:
 * the same context, ids swapped. Both or neither (a half-written pair would be
 * a key file without its partner); never overwrites; creates missing folders
 * (mode 0700) and returns them.
 */
export function writeKeyPair(routerFile: string, otherFile: string, routerId: Buffer, otherId: Buffer): { createdFolders: string[] } {
  // PROTOCOL.md 6.8: equal ids would reuse nonces.
  if (routerId.equals(otherId)) throw new KeyFileError(otherFile, 'the two ids must differ (equal ids would reuse nonces)');
  const masterSecret = randomBytes(32);
  const masterSalt = randomBytes(8);
  try {
    return writeFilePair(
      { file: routerFile, content: keyFileText({ masterSecret, masterSalt, senderId: routerId, recipientId: otherId }), mode: 0o600 },
      { file: otherFile, content: keyFileText({ masterSecret, masterSalt, senderId: otherId, recipientId: routerId }), mode: 0o600 },
    );
  } catch (e) {
    if (e instanceof FilePairError) throw new KeyFileError(e.file, e.reason);
    throw e;
  }
}
