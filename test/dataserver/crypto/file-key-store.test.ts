// FileKeyStore: the key file's checks, and that no key ever shows in a message,
// a toString, a JSON or an inspect of the store.
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { aesCmac } from '../../../src/dataserver/crypto/aes-cmac.js';
import { certificateMessage, issuerKeyId, verifyCertificate } from '../../../src/dataserver/crypto/certificate.js';
import { sessionKeysForCard } from '../../../src/dataserver/crypto/derivations.js';
import { createFileKeyStore, FileKeyStore, KeyFileError, openFileKeyStore } from '../../../src/dataserver/crypto/file-key-store.js';
import { KeyUnavailableError } from '../../../src/dataserver/crypto/key-store.js';

const dir = mkdtempSync(join(tmpdir(), 'persomux-keys-'));
let n = 0;
const fresh = (): string => join(dir, `keys-${++n}.json`);

// Fixed test keys (not secrets of anything): distinct, recognisable patterns.
const TM = '00112233445566778899aabbccddeeff';
const ENC = 'a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf';
const MAC = 'c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf';
const ISSUER = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const ISSUER_B64 = ISSUER.privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64');
const SECRETS = [TM, ENC, MAC, ISSUER_B64];

function writeKeyFile(content: unknown, mode = 0o600): string {
  const file = fresh();
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content), { mode });
  chmodSync(file, mode);
  return file;
}

const valid = () => ({ transportMasterKey: TM, masterEnc: ENC, masterMac: MAC, issuerPrivateKeyPkcs8: ISSUER_B64 });

/** Fails if `text` holds any 8-character piece of a secret (hex either case, or base64). */
function assertNoSecret(text: string, secrets: readonly string[] = SECRETS): void {
  for (const s of secrets) {
    for (let i = 0; i + 8 <= s.length; i += 4) {
      const piece = s.slice(i, i + 8);
      assert.not.ok(text.includes(piece) || text.toLowerCase().includes(piece.toLowerCase()), `the text shows a piece of a key: ${text}`);
    }
  }
}

async function openError(file: string): Promise<KeyFileError> {
  try {
    await openFileKeyStore(file);
  } catch (e) {
    if (e instanceof KeyFileError) return e;
    throw new Error(`expected a KeyFileError, got ${String(e)}`);
  }
  throw new Error('expected a KeyFileError, the file was accepted');
}

const load = suite('FileKeyStore: loading a key file');

load('a valid file gives a store that serves CMACs, signatures and the public key', async () => {
  const file = writeKeyFile(valid());
  const store = await FileKeyStore.open(file);
  assert.is(store.keyLength('transport'), 128);
  assert.is(store.keyLength('enc'), 256);
  assert.is(store.keyLength('mac'), 256);
  const data = Buffer.from('hello');
  assert.is((await store.cmac('enc', data)).toString('hex'), aesCmac(Buffer.from(ENC, 'hex'), data).toString('hex'));
  assert.is((await store.cmac('transport', data)).toString('hex'), aesCmac(Buffer.from(TM, 'hex'), data).toString('hex'));
  const { spki, keyId } = await store.issuerPublicKey();
  assert.ok(spki.equals(ISSUER.publicKey.export({ format: 'der', type: 'spki' })));
  assert.is(keyId, issuerKeyId(spki));
  const msg = certificateMessage(Buffer.from('04a1b2c3', 'hex'), '/ef01', 10, Buffer.alloc(1));
  const sig = await store.signIssuer(msg);
  assert.is(sig.length, 64);
  assert.ok(verifyCertificate(createPublicKey({ key: spki, format: 'der', type: 'spki' }), msg, sig));
  await store.close();
});

load('mode 0644 is refused, naming the file', async () => {
  const file = writeKeyFile(valid(), 0o644);
  const e = await openError(file);
  assert.ok(e.message.includes(file), e.message);
  assert.match(e.message, /group or others \(mode 0644\)/);
  assert.is(e.file, file);
  assertNoSecret(e.message);
});

load('mode 0640 and 0604 are refused too', async () => {
  for (const mode of [0o640, 0o604, 0o620]) {
    const e = await openError(writeKeyFile(valid(), mode));
    assert.match(e.message, /group or others/);
  }
});

load('a missing file is refused, naming the file', async () => {
  const file = join(dir, 'none.json');
  const e = await openError(file);
  assert.ok(e.message.includes(file));
  assert.match(e.message, /does not exist/);
});

load('malformed JSON is refused, naming the file and quoting nothing of it', async () => {
  // V8's own message would quote the start of the text: here, key digits.
  for (const text of [ENC + TM, `{"masterEnc": "${ENC}", `, `{"transportMasterKey": ${TM}}`]) {
    const file = writeKeyFile(text);
    const e = await openError(file);
    assert.ok(e.message.includes(file));
    assert.match(e.message, /not valid JSON/);
    assertNoSecret(e.message);
    assert.is(e.cause, undefined);
  }
});

load('a wrong-length key is refused, naming the field', async () => {
  for (const field of ['transportMasterKey', 'masterEnc', 'masterMac'] as const) {
    const bad = { ...valid(), [field]: ENC.slice(0, 40) };
    const e = await openError(writeKeyFile(bad));
    assert.is(e.field, field);
    assert.ok(e.message.includes(`'${field}'`), e.message);
    assert.match(e.message, /16 or 32 bytes/);
    assertNoSecret(e.message);
  }
});

load('non-hex, missing and non-string keys are refused, naming the field', async () => {
  const cases: [Record<string, unknown>, string, RegExp][] = [
    [{ ...valid(), masterEnc: ENC.slice(0, 62) + 'zz' }, 'masterEnc', /hex/],
    [{ ...valid(), masterMac: MAC + '0' }, 'masterMac', /hex/],
    [{ ...valid(), transportMasterKey: 12345 }, 'transportMasterKey', /hex/],
    [{ transportMasterKey: TM, masterEnc: ENC, issuerPrivateKeyPkcs8: ISSUER_B64 }, 'masterMac', /missing/],
    [{ ...valid(), masterMac: TM }, 'masterMac', /same length/],
    [{ ...valid(), extra: TM }, 'extra', /unknown/],
  ];
  for (const [content, field, why] of cases) {
    const e = await openError(writeKeyFile(content));
    assert.is(e.field, field, e.message);
    assert.match(e.message, why);
    assertNoSecret(e.message);
  }
});

load('an issuer key that is not base64 PKCS#8 P-256 is refused, naming the field', async () => {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64');
  const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64');
  const cases: [string, RegExp][] = [
    ['not base64!', /base64/],
    [Buffer.from(ENC, 'hex').toString('base64'), /not a DER PKCS#8/],
    [rsa, /P-256/],
    [p384, /P-256/],
  ];
  for (const [v, why] of cases) {
    const e = await openError(writeKeyFile({ ...valid(), issuerPrivateKeyPkcs8: v }));
    assert.is(e.field, 'issuerPrivateKeyPkcs8');
    assert.match(e.message, why);
    assertNoSecret(e.message, [...SECRETS, rsa, p384]);
  }
});

load('a JSON array or a directory is refused', async () => {
  assert.match((await openError(writeKeyFile([TM]))).message, /JSON object/);
  assert.match((await openError(dir)).message, /not a regular file|group or others/);
});

load.run();

const secrecy = suite('FileKeyStore: nothing shows a key');

secrecy('String, JSON.stringify and util.inspect of the store show the file only', async () => {
  const file = writeKeyFile(valid());
  const store = await openFileKeyStore(file);
  for (const text of [String(store), `${store}`, JSON.stringify(store), inspect(store, { showHidden: true, depth: 10 }), JSON.stringify({ store })]) {
    assertNoSecret(text);
    assert.ok(text.includes(file), text);
  }
  assert.equal(JSON.parse(JSON.stringify(store)), { keyStore: 'file', file });
  await store.close();
});

secrecy('a closed store answers KeyUnavailableError', async () => {
  const store = await openFileKeyStore(writeKeyFile(valid()));
  await store.close();
  try {
    await store.cmac('enc', Buffer.alloc(16));
    assert.unreachable('cmac after close');
  } catch (e) {
    assert.instance(e, KeyUnavailableError);
  }
  try {
    await store.signIssuer(Buffer.alloc(4));
    assert.unreachable('signIssuer after close');
  } catch (e) {
    assert.instance(e, KeyUnavailableError);
  }
});

secrecy.run();

const create = suite('createFileKeyStore');

create('writes fresh keys of 128 or 256 bits with mode 0600, and they load', async () => {
  const previous = process.umask(0o000); // the file must be 0600 whatever the umask
  try {
    for (const bits of [128, 256] as const) {
      const file = fresh();
      const store = await createFileKeyStore(file, bits);
      assert.is(statSync(file).mode & 0o777, 0o600);
      assert.is(store.keyLength('transport'), bits);
      assert.is(store.keyLength('enc'), bits);
      assert.is(store.keyLength('mac'), bits);
      const written = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
      assert.equal(Object.keys(written).sort(), ['issuerPrivateKeyPkcs8', 'masterEnc', 'masterMac', 'transportMasterKey']);
      assert.is(written.masterEnc?.length, bits / 4);
      assert.is.not(written.masterEnc, written.masterMac);
      const s = await sessionKeysForCard(store, Buffer.from('04a1b2c3d4e5f6', 'hex'), Buffer.alloc(8, 1), Buffer.alloc(8, 2));
      assert.is(s.sEnc.length, bits / 8);
      assertNoSecret(String(store) + JSON.stringify(store), Object.values(written));
      await store.close();
    }
  } finally {
    process.umask(previous);
  }
});

create('refuses to overwrite an existing file', async () => {
  const file = writeKeyFile(valid());
  const before = readFileSync(file, 'utf8');
  try {
    await createFileKeyStore(file, 128);
    assert.unreachable('overwrote a key file');
  } catch (e) {
    assert.instance(e, KeyFileError);
    assert.match((e as Error).message, /already exists/);
  }
  assert.is(readFileSync(file, 'utf8'), before);
});

create.after(() => rmSync(dir, { recursive: true, force: true }));

create.run();
