// AES-CMAC against published vectors only.
import { createSecretKey } from 'node:crypto';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { aesCmac, aesKeyBytes, cmacSubkeys } from '../../../src/dataserver/crypto/aes-cmac.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

// The messages of RFC 4493 section 4 (also NIST SP 800-38B Appendix D): the
// first 0, 16, 40 and 64 bytes of this one.
const M64 = hex(`6bc1bee2 2e409f96 e93d7e11 7393172a ae2d8a57 1e03ac9c 9eb76fac 45af8e51
                 30c81c46 a35ce411 e5fbc119 1a0a52ef f69f2445 df4f9b17 ad2b417b e66c3710`);

const rfc = suite('AES-128-CMAC, RFC 4493 section 4');

// RFC 4493 section 4; the same bytes are in bcgit/bc-java
// core/src/test/java/org/bouncycastle/crypto/test/CMacTest.java (output_k128_m*).
const K128 = hex('2b7e1516 28aed2a6 abf71588 09cf4f3c');

rfc('subkey generation: K1 and K2', () => {
  const { k1, k2 } = cmacSubkeys(K128);
  assert.is(k1.toString('hex'), 'fbeed618357133667c85e08f7236a8de');
  assert.is(k2.toString('hex'), 'f7ddac306ae266ccf90bc11ee46d513b');
});

rfc('Example 1: len = 0', () => {
  assert.is(aesCmac(K128, M64.subarray(0, 0)).toString('hex'), 'bb1d6929e95937287fa37d129b756746');
});

rfc('Example 2: len = 16', () => {
  assert.is(aesCmac(K128, M64.subarray(0, 16)).toString('hex'), '070a16b46b4d4144f79bdd9dd04a287c');
});

rfc('Example 3: len = 40', () => {
  assert.is(aesCmac(K128, M64.subarray(0, 40)).toString('hex'), 'dfa66747de9ae63030ca32611497c827');
});

rfc('Example 4: len = 64', () => {
  assert.is(aesCmac(K128, M64).toString('hex'), '51f0bebf7e3b9d92fc49741779363cfe');
});

rfc('a secret KeyObject gives the same tag as the key bytes', () => {
  assert.is(aesCmac(createSecretKey(K128), M64.subarray(0, 40)).toString('hex'), 'dfa66747de9ae63030ca32611497c827');
});

rfc.run();

const nist = suite('AES-192/256-CMAC, NIST SP 800-38B Appendix D');

// NIST SP 800-38B D.3 (AES-256, Examples 9 to 12), as reproduced in bcgit/bc-java
// core/src/test/java/org/bouncycastle/crypto/test/CMacTest.java (keyBytes256, output_k256_m*).
const K256 = hex('603deb10 15ca71be 2b73aef0 857d7781 1f352c07 3b6108d7 2d9810a3 0914dff4');

nist('D.3 AES-256 subkeys K1 and K2', () => {
  // NIST SP 800-38B D.3 subkeys, as in the public Java test net.siisise.security.mac.CMACTest (testExampleD3AES256).
  const { k1, k2 } = cmacSubkeys(K256);
  assert.is(k1.toString('hex'), 'cad1ed03299eedac2e9a99808621502f');
  assert.is(k2.toString('hex'), '95a3da06533ddb585d3533010c42a0d9');
});

nist('D.3 AES-256, Mlen = 0, 128, 320, 512 bits', () => {
  assert.is(aesCmac(K256, M64.subarray(0, 0)).toString('hex'), '028962f61b7bf89efc6b551f4667d983');
  assert.is(aesCmac(K256, M64.subarray(0, 16)).toString('hex'), '28a7023f452e8f82bd4bf28d8c37c35c');
  assert.is(aesCmac(K256, M64.subarray(0, 40)).toString('hex'), 'aaf3d8f1de5640c232f5b169b9c911e6');
  assert.is(aesCmac(K256, M64).toString('hex'), 'e1992190549f6ed5696a2c056c315410');
});

// NIST SP 800-38B D.2 (AES-192), same source (keyBytes192, output_k192_m*).
nist('D.2 AES-192, Mlen = 0, 128, 320, 512 bits', () => {
  const k192 = hex('8e73b0f7 da0e6452 c810f32b 809079e5 62f8ead2 522c6b7b');
  assert.is(aesCmac(k192, M64.subarray(0, 0)).toString('hex'), 'd17ddf46adaacde531cac483de7a9367');
  assert.is(aesCmac(k192, M64.subarray(0, 16)).toString('hex'), '9e99a7bf31e710900662f65e617c5184');
  assert.is(aesCmac(k192, M64.subarray(0, 40)).toString('hex'), '8a1de5be2eb31aad089a82e6ee908b0e');
  assert.is(aesCmac(k192, M64).toString('hex'), 'a1d5df0eed790f794d77589659f39a11');
});

nist('a key of another length is refused', () => {
  assert.throws(() => aesCmac(Buffer.alloc(15), M64), /16, 24 or 32 bytes/);
  assert.throws(() => aesKeyBytes(Buffer.alloc(0)), RangeError);
});

nist.run();
