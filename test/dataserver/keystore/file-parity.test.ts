// The same key bytes in a FileKeyStore (the software path, checked against
// public SCP03 vectors in test/dataserver/crypto) and imported into a SoftHSM2
// token: the PROTOCOL.md 5 answers (transport key, session keys, issuer key)
// must be the same, for AES-128 and AES-256 master keys.
import { createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { certificateMessage, issueCertificate, verifyCertificate } from '../../../src/dataserver/crypto/certificate.js';
import { sessionKeysForCard, transportKeyForCard } from '../../../src/dataserver/crypto/derivations.js';
import { FileKeyStore } from '../../../src/dataserver/crypto/file-key-store.js';
import type { MasterKeyBits } from '../../../src/dataserver/crypto/key-store.js';
import { importMasterKeys } from '../../../src/dataserver/keystore/hsm-init.js';
import { Pkcs11KeyStore } from '../../../src/dataserver/keystore/pkcs11-key-store.js';
import { softHsm, USER_PIN } from './softhsm-env.js';

// Fixed test keys (secrets of nothing), as in file-key-store.test.ts.
const KEYS: Record<MasterKeyBits, { transport: string; enc: string; mac: string }> = {
  128: { transport: '00112233445566778899aabbccddeeff', enc: '404142434445464748494a4b4c4d4e4f', mac: '505152535455565758595a5b5c5d5e5f' },
  256: {
    transport: 'f0e1d2c3b4a5968778695a4b3c2d1e0f00112233445566778899aabbccddeeff',
    enc: 'a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf',
    mac: 'c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf',
  },
};

interface Pair {
  readonly file: FileKeyStore;
  readonly token: Pkcs11KeyStore;
}

async function pair(bits: MasterKeyBits): Promise<Pair> {
  const hsm = softHsm();
  const k = KEYS[bits];
  const issuer = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  const keyFile = join(hsm.dir, `keys-${bits}.json`);
  const content = {
    transportMasterKey: k.transport,
    masterEnc: k.enc,
    masterMac: k.mac,
    issuerPrivateKeyPkcs8: issuer.export({ format: 'der', type: 'pkcs8' }).toString('base64'),
  };
  writeFileSync(keyFile, JSON.stringify(content), { mode: 0o600 });
  chmodSync(keyFile, 0o600);
  const tokenLabel = hsm.newToken();
  const hex = (h: string): Buffer => Buffer.from(h, 'hex');
  await importMasterKeys({
    modulePath: hsm.modulePath,
    tokenLabel,
    pin: USER_PIN,
    keys: { transport: hex(k.transport), enc: hex(k.enc), mac: hex(k.mac) },
    issuerPrivateKey: issuer,
  });
  const token = await Pkcs11KeyStore.open({ modulePath: hsm.modulePath, tokenLabel, pin: { file: hsm.pinFile }, keyBits: bits });
  return { file: await FileKeyStore.open(keyFile), token };
}

const stores = new Map<MasterKeyBits, Pair>();
const get = (bits: MasterKeyBits): Pair => {
  const p = stores.get(bits);
  if (p === undefined) throw new Error(`no stores for ${bits} bits`);
  return p;
};

const parity = suite('Pkcs11KeyStore gives the FileKeyStore answers for the same keys');

parity.before(async () => {
  stores.set(128, await pair(128));
  stores.set(256, await pair(256));
});

parity.after(async () => {
  for (const p of stores.values()) {
    await p.token.close();
    await p.file.close();
  }
});

for (const bits of [128, 256] as const) {
  parity(`AES-${bits}: key lengths`, () => {
    const { file, token } = get(bits);
    for (const name of ['transport', 'enc', 'mac'] as const) assert.is(token.keyLength(name), file.keyLength(name));
    assert.is(token.keyLength('enc'), bits);
  });

  parity(`AES-${bits}: transport keys for csns of 4 to 16 bytes`, async () => {
    const { file, token } = get(bits);
    for (const len of [4, 7, 10, 16]) {
      const csn = randomBytes(len);
      const want = await transportKeyForCard(file, csn);
      const got = await transportKeyForCard(token, csn);
      assert.is(got.length, 16);
      assert.ok(got.equals(want), `transport key for a ${len}-byte csn`);
    }
  });

  parity(`AES-${bits}: session keys and cryptograms`, async () => {
    const { file, token } = get(bits);
    for (let i = 0; i < 4; i++) {
      const csn = randomBytes(4 + i * 4);
      const host = randomBytes(8);
      const card = randomBytes(8);
      const want = await sessionKeysForCard(file, csn, host, card);
      const got = await sessionKeysForCard(token, csn, host, card);
      assert.is(got.sEnc.length, bits / 8);
      for (const k of ['sEnc', 'sMac', 'sRmac', 'cardCryptogram', 'hostCryptogram'] as const) {
        assert.ok(got[k].equals(want[k]), `${k} (round ${i})`);
      }
    }
  });

  parity(`AES-${bits}: raw CMACs of assorted lengths agree`, async () => {
    const { file, token } = get(bits);
    for (const len of [0, 1, 15, 16, 17, 31, 32, 33, 100, 4096]) {
      const data = randomBytes(len);
      for (const name of ['transport', 'enc', 'mac'] as const) {
        assert.ok((await token.cmac(name, data)).equals(await file.cmac(name, data)), `${name}, ${len} bytes`);
      }
    }
  });

  parity(`AES-${bits}: the imported issuer key has the file's SPKI and keyId; each store's certificate verifies under it`, async () => {
    const { file, token } = get(bits);
    const fromFile = await file.issuerPublicKey();
    const fromToken = await token.issuerPublicKey();
    assert.ok(fromToken.spki.equals(fromFile.spki), 'the SPKI built from CKA_EC_POINT and CKA_EC_PARAMS is the DER of the same key');
    assert.is(fromToken.keyId, fromFile.keyId);
    const pub = createPublicKey({ key: fromFile.spki, format: 'der', type: 'spki' });
    const csn = Buffer.from('04a1b2c3d4e5f6', 'hex');
    const { cert, keyId } = await issueCertificate(token, csn, '/3f00/ef01', 1024, Buffer.from([0x01, 0x02]));
    assert.is(cert.length, 64);
    assert.is(keyId, fromFile.keyId);
    assert.ok(verifyCertificate(pub, certificateMessage(csn, '/3f00/ef01', 1024, Buffer.from([0x01, 0x02])), cert));
    assert.not.ok(verifyCertificate(pub, certificateMessage(csn, '/3f00/ef02', 1024, Buffer.from([0x01, 0x02])), cert), 'not valid for another path');
  });
}

parity.run();
