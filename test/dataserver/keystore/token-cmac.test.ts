// Pkcs11KeyStore against a real SoftHSM2 token: AES-CMAC computed inside the
// token matches the published vectors (RFC 4493 section 4 for AES-128, NIST
// SP 800-38B appendix D.3 for AES-256), and the imported keys cannot be read
// back out of the token.
import { generateKeyPairSync } from 'node:crypto';
import { inspect } from 'node:util';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { importMasterKeys } from '../../../src/dataserver/keystore/hsm-init.js';
import { ck, Pkcs11Module } from '../../../src/dataserver/keystore/pkcs11-module.js';
import { Pkcs11KeyStore } from '../../../src/dataserver/keystore/pkcs11-key-store.js';
import { DEFAULT_KEY_LABELS, findObjects, readAttributes } from '../../../src/dataserver/keystore/token-objects.js';
import { softHsm, USER_PIN } from './softhsm-env.js';

// RFC 4493 section 4: K, the four messages, and their tags.
const RFC4493_KEY = '2b7e151628aed2a6abf7158809cf4f3c';
const M64 = '6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e5130c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710';
const MESSAGES = [M64.slice(0, 0), M64.slice(0, 32), M64.slice(0, 80), M64];
const RFC4493_TAGS = ['bb1d6929e95937287fa37d129b756746', '070a16b46b4d4144f79bdd9dd04a287c', 'dfa66747de9ae63030ca32611497c827', '51f0bebf7e3b9d92fc49741779363cfe'];
// NIST SP 800-38B D.3 (AES-256), examples 9 to 12: the same four messages.
const NIST_256_KEY = '603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4';
const NIST_256_TAGS = ['028962f61b7bf89efc6b551f4667d983', '28a7023f452e8f82bd4bf28d8c37c35c', 'aaf3d8f1de5640c232f5b169b9c911e6', 'e1992190549f6ed5696a2c056c315410'];
// A second 256-bit key so that the three master keys differ.
const OTHER_256_KEY = 'c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf';

const hex = (h: string): Buffer => Buffer.from(h, 'hex');

let token = '';
let store: Pkcs11KeyStore | undefined;
const open = (): Pkcs11KeyStore => {
  if (store === undefined) throw new Error('the store is not open');
  return store;
};

const cmac = suite('Pkcs11KeyStore: AES-CMAC inside a SoftHSM2 token');

cmac.before(async () => {
  const hsm = softHsm();
  token = hsm.newToken();
  // transport: the RFC 4493 key (AES-128); enc: the NIST AES-256 key; mac: another AES-256 key.
  // The issuer key is generated in software and imported: the store needs one to open.
  await importMasterKeys({
    modulePath: hsm.modulePath,
    tokenLabel: token,
    pin: USER_PIN,
    keys: { transport: hex(RFC4493_KEY), enc: hex(NIST_256_KEY), mac: hex(OTHER_256_KEY) },
    issuerPrivateKey: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey,
  });
  store = await Pkcs11KeyStore.open({ modulePath: hsm.modulePath, tokenLabel: token, pin: { file: hsm.pinFile } });
});

cmac.after(async () => {
  await store?.close();
});

cmac('the key lengths come from the token (CKA_VALUE_LEN)', () => {
  assert.is(open().keyLength('transport'), 128);
  assert.is(open().keyLength('enc'), 256);
  assert.is(open().keyLength('mac'), 256);
});

cmac('RFC 4493 examples 1 to 4 (AES-128), including the empty message', async () => {
  for (const [i, m] of MESSAGES.entries()) {
    const tag = await open().cmac('transport', hex(m));
    assert.is(tag.toString('hex'), RFC4493_TAGS[i], `RFC 4493 example ${i + 1} (${m.length / 2} bytes)`);
  }
});

cmac('NIST SP 800-38B examples 9 to 12 (AES-256)', async () => {
  for (const [i, m] of MESSAGES.entries()) {
    const tag = await open().cmac('enc', hex(m));
    assert.is(tag.toString('hex'), NIST_256_TAGS[i], `SP 800-38B example ${i + 9}`);
  }
});

cmac('the keys are distinct: the same message gives three different tags', async () => {
  const m = hex(MESSAGES[1] ?? '');
  const tags = new Set<string>();
  for (const name of ['transport', 'enc', 'mac'] as const) tags.add((await open().cmac(name, m)).toString('hex'));
  assert.is(tags.size, 3);
});

cmac('concurrent calls are served one after the other, each with its own result', async () => {
  const tags = await Promise.all(MESSAGES.flatMap((m) => [open().cmac('transport', hex(m)), open().cmac('enc', hex(m))]));
  assert.equal(
    tags.map((t) => t.toString('hex')),
    MESSAGES.flatMap((_, i) => [RFC4493_TAGS[i], NIST_256_TAGS[i]]),
  );
});

cmac('the store shows the token and module, no PIN', () => {
  const s = open();
  for (const text of [String(s), JSON.stringify(s), inspect(s)]) {
    assert.ok(text.includes(token), text);
    assert.not.ok(text.includes(USER_PIN), text);
  }
});

const sealed = suite('imported keys stay inside the token');

sealed('CKA_VALUE cannot be read; CKA_SENSITIVE is true, CKA_EXTRACTABLE false, and neither can be undone', async () => {
  const hsm = softHsm();
  const mod = Pkcs11Module.acquire(hsm.modulePath);
  try {
    await mod.exclusive((lib) => {
      mod.ensureInitialized();
      const slot = lib.C_GetSlotList(true).find((s) => lib.C_GetTokenInfo(s).label.trimEnd() === token);
      if (slot === undefined) throw new Error(`token ${token} not found`);
      const session = lib.C_OpenSession(slot, ck.CKF_SERIAL_SESSION | ck.CKF_RW_SESSION);
      try {
        try {
          lib.C_Login(session, ck.CKU_USER, USER_PIN);
        } catch (e) {
          if (!(e instanceof ck.Pkcs11Error && e.code === ck.CKR_USER_ALREADY_LOGGED_IN)) throw e;
        }
        const secrets = [
          ...[DEFAULT_KEY_LABELS.transport, DEFAULT_KEY_LABELS.enc, DEFAULT_KEY_LABELS.mac].map((l) => ({ l, cls: ck.CKO_SECRET_KEY })),
          { l: DEFAULT_KEY_LABELS.issuer, cls: ck.CKO_PRIVATE_KEY },
        ];
        for (const { l, cls } of secrets) {
          const [h, ...more] = findObjects(lib, session, l, cls);
          assert.ok(h !== undefined && more.length === 0, `one object labelled ${l}`);
          const attrs = readAttributes(lib, session, h, [ck.CKA_SENSITIVE, ck.CKA_EXTRACTABLE]);
          assert.is(attrs.get(ck.CKA_SENSITIVE)?.[0], 1, `${l}: CKA_SENSITIVE`);
          assert.is(attrs.get(ck.CKA_EXTRACTABLE)?.[0], 0, `${l}: CKA_EXTRACTABLE`);
          assert.throws(() => lib.C_GetAttributeValue(session, h, [{ type: ck.CKA_VALUE }]), (e: unknown) => e instanceof ck.Pkcs11Error && e.code === ck.CKR_ATTRIBUTE_SENSITIVE);
          // pkcs11js throws a plain Error ("CKR_...:code") from C_SetAttributeValue.
          const readOnly = (e: unknown): boolean => e instanceof Error && /^CKR_ATTRIBUTE_(READ_ONLY|VALUE_INVALID)\b/.test(e.message);
          assert.throws(() => lib.C_SetAttributeValue(session, h, [{ type: ck.CKA_EXTRACTABLE, value: true }]), readOnly);
          assert.throws(() => lib.C_SetAttributeValue(session, h, [{ type: ck.CKA_SENSITIVE, value: false }]), readOnly);
          const after = readAttributes(lib, session, h, [ck.CKA_SENSITIVE, ck.CKA_EXTRACTABLE]);
          assert.is(after.get(ck.CKA_SENSITIVE)?.[0], 1);
          assert.is(after.get(ck.CKA_EXTRACTABLE)?.[0], 0);
        }
      } finally {
        lib.C_CloseSession(session);
      }
    });
  } finally {
    await mod.release();
  }
});

cmac.run();
sealed.run();
