// When the token cannot serve: a wrong PIN, a missing token, missing or unfit
// keys, the token directory moved away mid-run, a session closed under the
// store. Each gives KeyUnavailableError naming the token (never the PIN or a
// key), `available()` says false, and the store recovers once the cause is gone.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { renameSync, writeFileSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { transportKeyForCard } from '../../../src/dataserver/crypto/derivations.js';
import { KeyUnavailableError } from '../../../src/dataserver/crypto/key-store.js';
import { importMasterKeys } from '../../../src/dataserver/keystore/hsm-init.js';
import { ck, Pkcs11ConfigError, Pkcs11Module } from '../../../src/dataserver/keystore/pkcs11-module.js';
import { Pkcs11KeyStore, type Pkcs11KeyStoreOptions } from '../../../src/dataserver/keystore/pkcs11-key-store.js';
import { softHsm, SO_PIN, USER_PIN, WRONG_PIN } from './softhsm-env.js';

const TRANSPORT = Buffer.from('8899aabbccddeeff0011223344556677', 'hex');
const ENC = Buffer.from('101112131415161718191a1b1c1d1e1f', 'hex');
const MAC = Buffer.from('202122232425262728292a2b2c2d2e2f', 'hex');
/** Every text a test sees is checked against these. */
const SECRETS = [USER_PIN, WRONG_PIN, SO_PIN, ...[TRANSPORT, ENC, MAC].map((k) => k.toString('hex').slice(0, 12))];
const DATA = Buffer.from('persomux availability probe');

function assertClean(text: string): void {
  for (const s of SECRETS) assert.not.ok(text.toLowerCase().includes(s.toLowerCase()), `a secret shows in: ${text}`);
}

/** The KeyUnavailableError `p` rejects with; fails if it resolves or rejects with anything else. */
async function unavailable(p: Promise<unknown>): Promise<KeyUnavailableError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof KeyUnavailableError) {
      assertClean(e.message);
      return e;
    }
    throw e;
  }
  throw new Error('expected KeyUnavailableError, the call succeeded');
}

/** A token with the test master keys and an issuer key, imported. */
async function tokenWithKeys(): Promise<string> {
  const hsm = softHsm();
  const tokenLabel = hsm.newToken();
  const issuerPrivateKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  await importMasterKeys({ modulePath: hsm.modulePath, tokenLabel, pin: USER_PIN, keys: { transport: TRANSPORT, enc: ENC, mac: MAC }, issuerPrivateKey });
  return tokenLabel;
}

function options(tokenLabel: string, more: Partial<Pkcs11KeyStoreOptions> = {}): Pkcs11KeyStoreOptions {
  const hsm = softHsm();
  return { modulePath: hsm.modulePath, tokenLabel, pin: { file: hsm.pinFile }, retryIntervalMs: 0, ...more };
}

const login = suite('Pkcs11KeyStore: wrong PIN, missing token, missing keys');

login('a wrong PIN: open throws KeyUnavailableError naming the token, not the PIN', async () => {
  const hsm = softHsm();
  const tokenLabel = await tokenWithKeys();
  const pinFile = hsm.writePinFile('wrong.pin', WRONG_PIN);
  const e = await unavailable(Pkcs11KeyStore.open(options(tokenLabel, { pin: { file: pinFile } })));
  assert.ok(e.message.includes(`PKCS#11 token '${tokenLabel}'`), e.message);
  assert.match(e.message, /rejected the user PIN \(CKR_PIN_INCORRECT\)/);
});

login('a wrong PIN is not tried again until the PIN file changes; then the store recovers', async () => {
  const hsm = softHsm();
  const tokenLabel = await tokenWithKeys();
  const pinFile = hsm.writePinFile('later-right.pin', WRONG_PIN);
  const store = await Pkcs11KeyStore.open(options(tokenLabel, { pin: { file: pinFile }, waitForToken: true, keyBits: 128 }));
  try {
    assert.is(await store.available(), false);
    assert.match(store.lastError ?? '', /rejected the user PIN/);
    assertClean(store.lastError ?? '');
    const again = await unavailable(store.cmac('transport', DATA));
    assert.match(again.message, /not tried again until that PIN changes/);
    assert.ok(again.message.includes(pinFile), 'names the PIN file');
    assert.is(store.keyLength('enc'), 128, 'keyBits answers before the token was reached');
    writeFileSync(pinFile, `${USER_PIN}\n`);
    assert.is(await store.available(), true);
    assert.is((await store.cmac('transport', DATA)).length, 16);
    assert.is(store.lastError, undefined);
  } finally {
    await store.close();
  }
});

login('a missing token: KeyUnavailableError naming it; with waitForToken the store waits for it', async () => {
  const e = await unavailable(Pkcs11KeyStore.open(options('persomux-nowhere')));
  assert.match(e.message, /PKCS#11 token 'persomux-nowhere': no token labelled 'persomux-nowhere' is present/);
  const store = await Pkcs11KeyStore.open(options('persomux-nowhere', { waitForToken: true }));
  try {
    assert.is(await store.available(), false);
    assert.throws(() => store.keyLength('transport'), (x: unknown) => x instanceof KeyUnavailableError && /not been reached yet/.test(x.message));
    const e2 = await unavailable(store.issuerPublicKey());
    assert.ok(e2.message.includes("'persomux-nowhere'"));
    await unavailable(store.signIssuer(DATA));
  } finally {
    await store.close();
  }
});

login('a token without the keys, or with an extractable key, is refused by label', async () => {
  const hsm = softHsm();
  const empty = hsm.newToken();
  const e = await unavailable(Pkcs11KeyStore.open(options(empty)));
  assert.match(e.message, /holds no secret key labelled 'persomux-transport'/);

  // An AES key that may leave the token: refused, though it would compute CMACs.
  const tokenLabel = await tokenWithKeys();
  const mod = Pkcs11Module.acquire(hsm.modulePath);
  try {
    await mod.exclusive((lib) => {
      mod.ensureInitialized();
      const slot = lib.C_GetSlotList(true).find((s) => lib.C_GetTokenInfo(s).label.trimEnd() === tokenLabel);
      if (slot === undefined) throw new Error('token not found');
      const session = lib.C_OpenSession(slot, ck.CKF_SERIAL_SESSION | ck.CKF_RW_SESSION);
      try {
        lib.C_Login(session, ck.CKU_USER, USER_PIN);
        lib.C_CreateObject(session, [
          { type: ck.CKA_CLASS, value: ck.CKO_SECRET_KEY },
          { type: ck.CKA_KEY_TYPE, value: ck.CKK_AES },
          { type: ck.CKA_TOKEN, value: true },
          { type: ck.CKA_PRIVATE, value: true },
          { type: ck.CKA_SENSITIVE, value: true },
          { type: ck.CKA_EXTRACTABLE, value: true },
          { type: ck.CKA_SIGN, value: true },
          { type: ck.CKA_LABEL, value: 'persomux-loose' },
          { type: ck.CKA_VALUE, value: randomBytes(16) },
        ]);
      } finally {
        lib.C_CloseSession(session);
      }
    });
  } finally {
    await mod.release();
  }
  const e2 = await unavailable(Pkcs11KeyStore.open(options(tokenLabel, { labels: { mac: 'persomux-loose' } })));
  assert.match(e2.message, /'persomux-loose' is extractable \(CKA_EXTRACTABLE\): refused/);
});

login('keyBits that differ from the token keys are refused', async () => {
  const tokenLabel = await tokenWithKeys();
  const e = await unavailable(Pkcs11KeyStore.open(options(tokenLabel, { keyBits: 256 })));
  assert.match(e.message, /has 128 bits, 256 were configured/);
});

login('the PIN may come from an environment variable; an unset one is a configuration error naming it', async () => {
  const tokenLabel = await tokenWithKeys();
  process.env.PERSOMUX_TEST_HSM_PIN = USER_PIN;
  try {
    const store = await Pkcs11KeyStore.open(options(tokenLabel, { pin: { env: 'PERSOMUX_TEST_HSM_PIN' } }));
    assert.is((await store.cmac('mac', DATA)).length, 16);
    await store.close();
  } finally {
    delete process.env.PERSOMUX_TEST_HSM_PIN;
  }
  try {
    await Pkcs11KeyStore.open(options(tokenLabel, { pin: { env: 'PERSOMUX_TEST_HSM_PIN' } }));
    assert.unreachable('an unset PIN variable must be refused');
  } catch (e) {
    assert.instance(e, Pkcs11ConfigError);
    assert.match((e as Error).message, /PIN variable PERSOMUX_TEST_HSM_PIN is not set/);
  }
});

const gone = suite('Pkcs11KeyStore: the token goes away mid-run and comes back');

gone('token directory moved away: KeyUnavailableError and available() false; moved back: the same answers again', async () => {
  const hsm = softHsm();
  const tokenLabel = await tokenWithKeys();
  const store = await Pkcs11KeyStore.open(options(tokenLabel));
  const away = `${hsm.tokenDir}.away`;
  let moved = false;
  try {
    const csn = Buffer.from('0a0b0c0d0e0f', 'hex');
    const tk = await transportKeyForCard(store, csn);
    const { keyId } = await store.issuerPublicKey();
    assert.is(await store.available(), true);

    renameSync(hsm.tokenDir, away);
    moved = true;
    const e = await unavailable(store.cmac('transport', DATA));
    assert.ok(e.message.includes(`PKCS#11 token '${tokenLabel}'`), e.message);
    assert.match(e.message, /CKR_[A-Z_]+/);
    assert.is(await store.available(), false);
    const e2 = await unavailable(transportKeyForCard(store, csn));
    assert.ok(e2.message.includes(`'${tokenLabel}'`), e2.message);
    await unavailable(store.signIssuer(DATA));
    assert.is(store.keyLength('transport'), 128, 'the last known length is kept');

    renameSync(away, hsm.tokenDir);
    moved = false;
    assert.is(await store.available(), true);
    assert.ok((await transportKeyForCard(store, csn)).equals(tk), 'the same transport key after recovery');
    assert.is((await store.issuerPublicKey()).keyId, keyId);
  } finally {
    if (moved) renameSync(away, hsm.tokenDir);
    await store.close();
  }
});

gone('a session closed under the store: one KeyUnavailableError, then the next call reopens it', async () => {
  const hsm = softHsm();
  const tokenLabel = await tokenWithKeys();
  const store = await Pkcs11KeyStore.open(options(tokenLabel));
  try {
    const want = await store.cmac('enc', DATA);
    // Another user of the module in this process closes every session on the token (as a token reset would).
    const mod = Pkcs11Module.acquire(hsm.modulePath);
    try {
      await mod.exclusive((lib) => {
        const slot = lib.C_GetSlotList(true).find((s) => lib.C_GetTokenInfo(s).label.trimEnd() === tokenLabel);
        if (slot === undefined) throw new Error('token not found');
        lib.C_CloseAllSessions(slot);
      });
    } finally {
      await mod.release();
    }
    const e = await unavailable(store.cmac('enc', DATA));
    assert.match(e.message, /CKR_SESSION_HANDLE_INVALID/);
    assert.match(e.message, /reopened on the next call/);
    assert.ok((await store.cmac('enc', DATA)).equals(want));
  } finally {
    await store.close();
  }
});

gone('failed attempts are spaced by retryIntervalMs: calls in between fail at once', async () => {
  const hsm = softHsm();
  const tokenLabel = await tokenWithKeys();
  const store = await Pkcs11KeyStore.open(options(tokenLabel, { retryIntervalMs: 60_000 }));
  const away = `${hsm.tokenDir}.away`;
  renameSync(hsm.tokenDir, away);
  try {
    await unavailable(store.cmac('mac', DATA)); // the operation fails: the session is dropped
    assert.is(await store.available(), false); // an attempt to reopen fails: the next waits 60 s
  } finally {
    renameSync(away, hsm.tokenDir);
  }
  const t0 = Date.now();
  const e = await unavailable(store.cmac('mac', DATA));
  assert.match(e.message, /next attempt in at most 60000 ms/);
  assert.is(e.message.split(`PKCS#11 token '${tokenLabel}'`).length, 2, `the token is named once: ${e.message}`);
  assert.is(await store.available(), false, 'not retried yet, though the token is back');
  assert.ok(Date.now() - t0 < 1000);
  await store.close();
});

gone('a closed store: KeyUnavailableError, available() false, close twice is fine', async () => {
  const tokenLabel = await tokenWithKeys();
  const store = await Pkcs11KeyStore.open(options(tokenLabel));
  await store.close();
  await store.close();
  const e = await unavailable(store.cmac('transport', DATA));
  assert.match(e.message, /closed/);
  assert.is(await store.available(), false);
  assert.throws(() => store.keyLength('transport'), (x: unknown) => x instanceof KeyUnavailableError);
});

login.run();
gone.run();
