// initHsmKeys and `persomux hsm init`: keys generated inside a SoftHSM2 token
// serve the store; a certificate signed in the token verifies with
// verifyCertificate under the SPKI the store reports; existing keys are not
// overwritten unless asked.
import { createPublicKey, randomBytes } from 'node:crypto';
import { chmodSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { runHsm } from '../../../src/cli/hsm.js';
import { certificateMessage, issueCertificate, issuerKeyId, verifyCertificate } from '../../../src/dataserver/crypto/certificate.js';
import { sessionKeysForCard, transportKeyForCard } from '../../../src/dataserver/crypto/derivations.js';
import { HsmInitError, initHsmKeys } from '../../../src/dataserver/keystore/hsm-init.js';
import { ck, Pkcs11Module } from '../../../src/dataserver/keystore/pkcs11-module.js';
import { Pkcs11KeyStore } from '../../../src/dataserver/keystore/pkcs11-key-store.js';
import { DEFAULT_KEY_LABELS, findObjects, readAttributes } from '../../../src/dataserver/keystore/token-objects.js';
import { softHsm, USER_PIN } from './softhsm-env.js';

const open = (tokenLabel: string): Promise<Pkcs11KeyStore> => {
  const hsm = softHsm();
  return Pkcs11KeyStore.open({ modulePath: hsm.modulePath, tokenLabel, pin: { file: hsm.pinFile } });
};

/** Runs the CLI body with stdout and stderr captured (and kept off the test output). */
async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const w1 = process.stdout.write.bind(process.stdout);
  const w2 = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((chunk: string | Uint8Array) => ((out += String(chunk)), true)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => ((err += String(chunk)), true)) as typeof process.stderr.write;
  try {
    return { code: await runHsm(args), out, err };
  } finally {
    process.stdout.write = w1;
    process.stderr.write = w2;
  }
}

const init = suite('initHsmKeys: keys generated inside the token');

for (const bits of [128, 256] as const) {
  init(`AES-${bits}: the store opens on them; a token-signed certificate verifies under issuerPublicKey's SPKI`, async () => {
    const hsm = softHsm();
    const tokenLabel = hsm.newToken();
    const result = await initHsmKeys({ modulePath: hsm.modulePath, tokenLabel, pin: USER_PIN, keyLengthBits: bits });
    assert.equal(result.replaced, []);
    const store = await open(tokenLabel);
    try {
      for (const name of ['transport', 'enc', 'mac'] as const) assert.is(store.keyLength(name), bits);
      const { spki, keyId } = await store.issuerPublicKey();
      assert.ok(spki.equals(result.issuer?.spki ?? Buffer.alloc(0)));
      assert.is(keyId, issuerKeyId(spki));
      // Node parses the SPKI as a P-256 public key: the DER built from CKA_EC_POINT/CKA_EC_PARAMS is well formed.
      const pub = createPublicKey({ key: spki, format: 'der', type: 'spki' });
      assert.is(pub.asymmetricKeyDetails?.namedCurve, 'prime256v1');
      const csn = randomBytes(8);
      const acl = Buffer.from([0x00, 0xff]);
      for (let i = 0; i < 5; i++) {
        const { cert, keyId: certKeyId } = await issueCertificate(store, csn, `/ef0${i}`, 100 + i, acl);
        assert.is(certKeyId, keyId);
        assert.ok(verifyCertificate(pub, certificateMessage(csn, `/ef0${i}`, 100 + i, acl), cert), `certificate ${i}`);
        assert.not.ok(verifyCertificate(pub, certificateMessage(csn, `/ef0${i}`, 101 + i, acl), cert), `certificate ${i} under another size`);
      }
      const sk = await sessionKeysForCard(store, csn, randomBytes(8), randomBytes(8));
      assert.is(sk.sEnc.length, bits / 8);
      assert.is((await transportKeyForCard(store, csn)).length, 16);
    } finally {
      await store.close();
    }
  });
}

init('generated keys are sensitive, not extractable, and CKA_VALUE cannot be read', async () => {
  const hsm = softHsm();
  const tokenLabel = hsm.newToken();
  await initHsmKeys({ modulePath: hsm.modulePath, tokenLabel, pin: USER_PIN, keyLengthBits: 256 });
  const mod = Pkcs11Module.acquire(hsm.modulePath);
  try {
    await mod.exclusive((lib) => {
      mod.ensureInitialized();
      const slot = lib.C_GetSlotList(true).find((s) => lib.C_GetTokenInfo(s).label.trimEnd() === tokenLabel);
      if (slot === undefined) throw new Error('token not found');
      const session = lib.C_OpenSession(slot, ck.CKF_SERIAL_SESSION);
      try {
        lib.C_Login(session, ck.CKU_USER, USER_PIN);
        const secrets = [
          { l: DEFAULT_KEY_LABELS.transport, cls: ck.CKO_SECRET_KEY },
          { l: DEFAULT_KEY_LABELS.enc, cls: ck.CKO_SECRET_KEY },
          { l: DEFAULT_KEY_LABELS.mac, cls: ck.CKO_SECRET_KEY },
          { l: DEFAULT_KEY_LABELS.issuer, cls: ck.CKO_PRIVATE_KEY },
        ];
        for (const { l, cls } of secrets) {
          const [h, ...more] = findObjects(lib, session, l, cls);
          assert.ok(h !== undefined && more.length === 0, l);
          const a = readAttributes(lib, session, h, [ck.CKA_SENSITIVE, ck.CKA_EXTRACTABLE, ck.CKA_ALWAYS_SENSITIVE, ck.CKA_NEVER_EXTRACTABLE, ck.CKA_LOCAL]);
          assert.is(a.get(ck.CKA_SENSITIVE)?.[0], 1, `${l} sensitive`);
          assert.is(a.get(ck.CKA_EXTRACTABLE)?.[0], 0, `${l} not extractable`);
          // Generated inside the token: it was always sensitive, never extractable.
          assert.is(a.get(ck.CKA_ALWAYS_SENSITIVE)?.[0], 1, `${l} always sensitive`);
          assert.is(a.get(ck.CKA_NEVER_EXTRACTABLE)?.[0], 1, `${l} never extractable`);
          assert.is(a.get(ck.CKA_LOCAL)?.[0], 1, `${l} generated on the token`);
          assert.throws(
            () => lib.C_GetAttributeValue(session, h, [{ type: ck.CKA_VALUE }]),
            (e: unknown) => e instanceof ck.Pkcs11Error && e.code === ck.CKR_ATTRIBUTE_SENSITIVE,
          );
        }
      } finally {
        lib.C_CloseSession(session);
      }
    });
  } finally {
    await mod.release();
  }
});

init('refuses when keys with those labels exist; replace: true makes new ones', async () => {
  const hsm = softHsm();
  const tokenLabel = hsm.newToken();
  const first = await initHsmKeys({ modulePath: hsm.modulePath, tokenLabel, pin: USER_PIN, keyLengthBits: 128 });
  try {
    await initHsmKeys({ modulePath: hsm.modulePath, tokenLabel, pin: USER_PIN, keyLengthBits: 128 });
    assert.unreachable('a second init must be refused');
  } catch (e) {
    assert.instance(e, HsmInitError);
    const m = (e as Error).message;
    assert.ok(m.includes(tokenLabel), m);
    for (const l of Object.values(DEFAULT_KEY_LABELS)) assert.ok(m.includes(`'${l}'`), m);
    assert.not.ok(m.includes(USER_PIN));
  }
  // Still the first keys, untouched.
  let store = await open(tokenLabel);
  assert.is((await store.issuerPublicKey()).keyId, first.issuer?.keyId);
  const csn = Buffer.from('01020304', 'hex');
  const before = await transportKeyForCard(store, csn);
  await store.close();

  const second = await initHsmKeys({ modulePath: hsm.modulePath, tokenLabel, pin: USER_PIN, keyLengthBits: 256, replace: true });
  assert.equal([...second.replaced].sort(), Object.values(DEFAULT_KEY_LABELS).sort());
  assert.is.not(second.issuer?.keyId, first.issuer?.keyId);
  store = await open(tokenLabel);
  try {
    assert.is(store.keyLength('enc'), 256);
    assert.is((await store.issuerPublicKey()).keyId, second.issuer?.keyId);
    assert.not.ok((await transportKeyForCard(store, csn)).equals(before), 'a new transport master key');
  } finally {
    await store.close();
  }
});

init('a wrong PIN or an unknown token is an HsmInitError naming the token, without the PIN', async () => {
  const hsm = softHsm();
  const tokenLabel = hsm.newToken();
  const cases = [
    { tokenLabel, pin: 'pm-bad-init-pin-9981', why: /rejected the user PIN \(CKR_PIN_INCORRECT\)/ },
    { tokenLabel: 'persomux-absent', pin: USER_PIN, why: /no token labelled 'persomux-absent'/ },
  ];
  for (const c of cases) {
    try {
      await initHsmKeys({ modulePath: hsm.modulePath, tokenLabel: c.tokenLabel, pin: c.pin, keyLengthBits: 128 });
      assert.unreachable('must fail');
    } catch (e) {
      assert.instance(e, HsmInitError);
      const m = (e as Error).message;
      assert.ok(m.includes(`'${c.tokenLabel}'`), m);
      assert.match(m, c.why);
      assert.not.ok(m.includes(c.pin), m);
    }
  }
});

const cli_ = suite('persomux hsm init (runHsm)');

cli_('creates the keys, prints the labels and keyId, and refuses a second run', async () => {
  const hsm = softHsm();
  const tokenLabel = hsm.newToken();
  const args = ['init', '--module', hsm.modulePath, '--token', tokenLabel, '--pin-file', hsm.pinFile, '--bits', '256'];
  const r = await cli(args);
  assert.is(r.code, 0, r.err);
  const store = await open(tokenLabel);
  try {
    const { keyId } = await store.issuerPublicKey();
    assert.ok(r.out.includes(`keyId ${keyId}`), r.out);
    assert.ok(r.out.includes('AES-256 master keys persomux-transport, persomux-enc, persomux-mac'), r.out);
    assert.is(store.keyLength('mac'), 256);
  } finally {
    await store.close();
  }
  const again = await cli(args);
  assert.is(again.code, 1);
  assert.match(again.err, /already holds objects labelled/);
  for (const text of [r.out, r.err, again.out, again.err]) assert.not.ok(text.includes(USER_PIN));
});

cli_('--help, usage errors and an unsafe PIN file', async () => {
  const hsm = softHsm();
  const help = await cli(['--help']);
  assert.is(help.code, 0);
  assert.match(help.out, /persomux hsm init --token LABEL --pin-file FILE/);
  assert.is((await cli(['init', '--help'])).code, 0);
  const noToken = await cli(['init', '--pin-file', hsm.pinFile]);
  assert.is(noToken.code, 2);
  assert.match(noToken.err, /--token LABEL and --pin-file FILE are both required/);
  assert.is((await cli(['init', '--token', 'x', '--pin-file', hsm.pinFile, '--bits', '192'])).code, 2);
  assert.is((await cli(['frobnicate'])).code, 2);
  assert.is((await cli([])).code, 2);
  const loose = hsm.writePinFile('loose.pin', USER_PIN);
  chmodSync(loose, 0o644);
  const r = await cli(['init', '--token', 'x', '--pin-file', loose]);
  assert.is(r.code, 1);
  assert.match(r.err, /readable or writable by group or others \(mode 0644\)/);
  assert.not.ok(r.err.includes(USER_PIN));
});

init.run();
cli_.run();
