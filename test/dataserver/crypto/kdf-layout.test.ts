// The byte layout of the KDF inputs (PROTOCOL.md 5 "Definitions"), written out
// by hand, and the derivations built on them. The published-vector checks of
// the KDF and KDF3 are in scp03-vectors.test.ts; here the CMAC (checked
// against RFC 4493 in aes-cmac.test.ts) is applied to hand-written inputs.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { aesCmac } from '../../../src/dataserver/crypto/aes-cmac.js';
import { sessionKeys, sessionKeysForCard, transportKey, transportKeyForCard } from '../../../src/dataserver/crypto/derivations.js';
import { kdf, kdf3BlockInput, kdfBlockInput, kdfVia, softwareCmacKey } from '../../../src/dataserver/crypto/kdf.js';
import type { KeyStore, MasterKeyName } from '../../../src/dataserver/crypto/key-store.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const CSN = hex('04a1b2c3d4e5f6');
const K16 = hex('2b7e151628aed2a6abf7158809cf4f3c');
const K32 = hex('603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4');

const layout = suite('KDF input layout');

layout('KDF block: 11 x 00, constant, 00, L (2 bytes BE), i, context', () => {
  assert.is(kdfBlockInput(0x70, CSN, 128, 1).toString('hex'), '0000000000000000000000' + '70' + '00' + '0080' + '01' + '04a1b2c3d4e5f6');
  assert.is(kdfBlockInput(0x06, hex('1122'), 256, 2).toString('hex'), '0000000000000000000000' + '06' + '00' + '0100' + '02' + '1122');
  assert.is(kdfBlockInput(0x00, Buffer.alloc(0), 64, 1).toString('hex'), '0000000000000000000000' + '00' + '00' + '0040' + '01');
});

layout('KDF3 block: i, 00 00 00 purpose 00, kdd', () => {
  assert.is(kdf3BlockInput(0x01, CSN, 1).toString('hex'), '01' + '0000000100' + '04a1b2c3d4e5f6');
  assert.is(kdf3BlockInput(0x02, CSN, 2).toString('hex'), '02' + '0000000200' + '04a1b2c3d4e5f6');
});

layout('KDF cuts to bits: 64 bits is the first half of block 1, 256 bits is blocks 1 and 2', () => {
  const ctx = hex('0102030405060708 1112131415161718');
  const block64 = aesCmac(K16, hex('0000000000000000000000 00 00 0040 01 0102030405060708 1112131415161718'));
  assert.is(kdf(K16, 0x00, ctx, 64).toString('hex'), block64.subarray(0, 8).toString('hex'));
  const b1 = aesCmac(K16, hex('0000000000000000000000 04 00 0100 01 0102030405060708 1112131415161718'));
  const b2 = aesCmac(K16, hex('0000000000000000000000 04 00 0100 02 0102030405060708 1112131415161718'));
  assert.is(kdf(K16, 0x04, ctx, 256).toString('hex'), b1.toString('hex') + b2.toString('hex'));
});

layout('kdf and kdfVia agree', async () => {
  const ctx = hex('a0a1a2a3a4a5a6a7');
  assert.is((await kdfVia(softwareCmacKey(K32), 0x07, ctx, 192)).toString('hex'), kdf(K32, 0x07, ctx, 192).toString('hex'));
});

layout('lengths the KDF cannot give are refused', () => {
  assert.throws(() => kdf(K16, 0x04, CSN, 0), RangeError);
  assert.throws(() => kdf(K16, 0x04, CSN, 100), /multiple of 8/);
  assert.throws(() => kdf(K16, 0x04, CSN, 256 * 128), /at most 255 blocks/);
  assert.throws(() => kdfBlockInput(0x100, CSN, 128, 1), /one byte/);
});

layout.run();

const derive = suite('transport key and the store-backed derivations');

derive('transport key = CMAC(tm, 11 x 00 || 70 || 00 || 0080 || 01 || csn): 16 bytes for a 128- or 256-bit master', async () => {
  for (const tm of [K16, K32]) {
    const expected = aesCmac(tm, hex('0000000000000000000000 70 00 0080 01 04a1b2c3d4e5f6'));
    assert.is((await transportKey(tm, CSN)).toString('hex'), expected.toString('hex'));
  }
});

derive('a csn outside 4 to 16 bytes is refused', async () => {
  for (const csn of [Buffer.alloc(3), Buffer.alloc(17)]) {
    try {
      await transportKey(K16, csn);
      assert.unreachable('should have thrown');
    } catch (e) {
      assert.instance(e, RangeError);
      assert.match((e as Error).message, /csn must be 4 to 16 bytes/);
    }
  }
});

/** A store that holds keys in memory and records which master key each CMAC used. */
function countingStore(keys: Record<MasterKeyName, Buffer>, calls: string[]): KeyStore {
  return {
    keyLength: (name) => (keys[name].length * 8) as 128 | 256,
    cmac: (name, data) => {
      calls.push(name);
      return Promise.resolve(aesCmac(keys[name], data));
    },
    signIssuer: () => Promise.reject(new Error('not used')),
    issuerPublicKey: () => Promise.reject(new Error('not used')),
    close: () => Promise.resolve(),
  };
}

derive('only the master-key CMACs go through the store; card and session keys are derived in software', async () => {
  const calls: string[] = [];
  const store = countingStore({ transport: K16, enc: K32, mac: hex('101112131415161718191a1b1c1d1e1f101112131415161718191a1b1c1d1e1f') }, calls);
  const hc = hex('0001020304050607');
  const cc = hex('08090a0b0c0d0e0f');
  const s = await sessionKeysForCard(store, CSN, hc, cc);
  // 256-bit masters: KDF3 needs two CMAC blocks each.
  assert.equal(calls, ['enc', 'enc', 'mac', 'mac']);
  assert.is(s.sEnc.length, 32);
  // The same as deriving the static keys by hand (KDF3 layout above) and then the session keys.
  const kEnc = Buffer.concat([aesCmac(K32, kdf3BlockInput(1, CSN, 1)), aesCmac(K32, kdf3BlockInput(1, CSN, 2))]);
  const macMaster = hex('101112131415161718191a1b1c1d1e1f101112131415161718191a1b1c1d1e1f');
  const kMac = Buffer.concat([aesCmac(macMaster, kdf3BlockInput(2, CSN, 1)), aesCmac(macMaster, kdf3BlockInput(2, CSN, 2))]);
  const direct = sessionKeys(kEnc, kMac, hc, cc);
  assert.is(s.sEnc.toString('hex'), direct.sEnc.toString('hex'));
  assert.is(s.sMac.toString('hex'), direct.sMac.toString('hex'));
  assert.is(s.sRmac.toString('hex'), direct.sRmac.toString('hex'));
  assert.is(s.cardCryptogram.toString('hex'), direct.cardCryptogram.toString('hex'));
  assert.is(s.hostCryptogram.toString('hex'), direct.hostCryptogram.toString('hex'));

  calls.length = 0;
  const tk = await transportKeyForCard(store, CSN);
  assert.equal(calls, ['transport']);
  assert.is(tk.length, 16);
});

derive.run();
