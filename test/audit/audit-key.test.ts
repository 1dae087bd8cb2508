// The audit key files: written as a pair with the right modes, never
// overwritten, a readable private file refused by name, and no key ever in a message.
import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { AuditKeyError, auditKeyId, createAuditKey, loadAuditPrivateKey, loadAuditPublicKey } from '../../src/audit/audit-key.js';
import { fresh } from './helpers.js';

function keyError(body: () => unknown): AuditKeyError {
  try {
    body();
  } catch (e) {
    if (e instanceof AuditKeyError) return e;
    throw new Error(`expected an AuditKeyError, got ${String(e)}`);
  }
  throw new Error('expected an AuditKeyError, none was thrown');
}

/** The base64 body of a PEM, in 16-character pieces: none may show in a message. */
function pemPieces(file: string): string[] {
  const body = readFileSync(file, 'utf8').replace(/-----[^-]+-----/g, '').replace(/\s/g, '');
  const pieces: string[] = [];
  for (let i = 0; i + 16 <= body.length; i += 8) pieces.push(body.slice(i, i + 16));
  return pieces;
}

const keys = suite('audit keys');

keys('createAuditKey writes a private key with mode 0600 and its public key; they load and match', () => {
  const priv = fresh('audit.key');
  const pub = fresh('audit.pub');
  const { keyId } = createAuditKey(priv, pub);
  assert.is(statSync(priv).mode & 0o777, 0o600);
  assert.match(readFileSync(priv, 'utf8'), /^-----BEGIN PRIVATE KEY-----/);
  assert.match(readFileSync(pub, 'utf8'), /^-----BEGIN PUBLIC KEY-----/);
  const privateKey = loadAuditPrivateKey(priv);
  const publicKey = loadAuditPublicKey(pub);
  assert.is(privateKey.asymmetricKeyType, 'ed25519');
  assert.is(auditKeyId(publicKey), keyId);
  assert.match(keyId, /^[0-9a-f]{16}$/);
});

keys('createAuditKey never overwrites either file, and leaves both as they were', () => {
  const priv = fresh('audit.key');
  const pub = fresh('audit.pub');
  writeFileSync(pub, 'kept');
  const e = keyError(() => createAuditKey(priv, pub));
  assert.is(e.file, pub);
  assert.match(e.message, /already exists/);
  assert.is(readFileSync(pub, 'utf8'), 'kept');
  assert.throws(() => statSync(priv)); // the private half was not written either
});

keys('a private key file with mode 0644 is refused, naming the file and never the key', () => {
  const priv = fresh('audit.key');
  createAuditKey(priv, fresh('audit.pub'));
  chmodSync(priv, 0o644);
  const e = keyError(() => loadAuditPrivateKey(priv));
  assert.is(e.file, priv);
  assert.ok(e.message.startsWith(`${priv}: is readable or writable by group or others (mode 0644)`), e.message);
  for (const piece of pemPieces(priv)) assert.not.ok(e.message.includes(piece), 'the message shows part of the key');
});

keys('the public key loader refuses a private key, and both refuse what is not a key', () => {
  const priv = fresh('audit.key');
  createAuditKey(priv, fresh('audit.pub'));
  const e = keyError(() => loadAuditPublicKey(priv));
  assert.match(e.message, /holds a private key/);
  for (const piece of pemPieces(priv)) assert.not.ok(e.message.includes(piece));
  const junk = fresh('junk.pem');
  writeFileSync(junk, 'not a key', { mode: 0o600 });
  assert.match(keyError(() => loadAuditPrivateKey(junk)).message, /is not a PEM private key/);
  assert.match(keyError(() => loadAuditPublicKey(junk)).message, /is not a PEM public key/);
  assert.match(keyError(() => loadAuditPublicKey(fresh('missing.pem'))).message, /cannot be read \(does not exist\)/);
});

keys.run();
