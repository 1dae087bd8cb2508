// Certificates (PROTOCOL.md 5): the deterministic CBOR message, checked
// against bytes written out by hand from RFC 8949, and ECDSA P-256 sign/verify.
import { generateKeyPairSync } from 'node:crypto';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { certificateMessage, issuerKeyId, signCertificate, verifyCertificate } from '../../../src/dataserver/crypto/certificate.js';
import { decodeCbor } from '../../../src/wire/cbor.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

const cbor = suite('certificate message: deterministic CBOR (RFC 8949 4.2.1)');

cbor('[h\'0102030405060708\', "/applications/wallet/key", 1000, h\'a1b2\']', () => {
  // By hand from RFC 8949 3.1 and 4.2.1:
  //   84                         array of 4 (major 4, length 4 < 24 in the initial byte)
  //   48 0102030405060708        bstr of 8 (major 2 = 0x40, + 8)
  //   78 18 2f6170...6b6579      tstr of 24: 24 does not fit the initial byte, so 0x60|24 = 0x78 and one length byte
  //   19 03e8                    uint 1000: two-byte argument (0x00|25), as RFC 8949 Appendix A
  //   42 a1b2                    bstr of 2
  const expected =
    '84' +
    '48 0102030405060708' +
    '78 18 2f 61 70 70 6c 69 63 61 74 69 6f 6e 73 2f 77 61 6c 6c 65 74 2f 6b 65 79' +
    '19 03e8' +
    '42 a1b2';
  const msg = certificateMessage(hex('0102030405060708'), '/applications/wallet/key', 1000, hex('a1b2'));
  assert.is(msg.toString('hex'), hex(expected).toString('hex'));
});

cbor('the smallest: [h\'04a1b2c3\', "/", 0, h\'\'] and a non-ASCII path', () => {
  assert.is(certificateMessage(hex('04a1b2c3'), '/', 0, Buffer.alloc(0)).toString('hex'), '84' + '4404a1b2c3' + '612f' + '00' + '40');
  // "/é": U+00E9 is c3 a9 in UTF-8, so the tstr has 3 bytes: 63 2f c3 a9.
  assert.is(certificateMessage(hex('04a1b2c3'), '/é', 1, hex('00')).toString('hex'), '84' + '4404a1b2c3' + '632fc3a9' + '01' + '4100');
});

cbor('size takes the shortest head (values of RFC 8949 Appendix A and the boundaries)', () => {
  const cases: [number | bigint, string][] = [
    [0, '00'],
    [23, '17'],
    [24, '1818'],
    [100, '1864'],
    [255, '18ff'],
    [256, '190100'],
    [1000, '1903e8'],
    [65535, '19ffff'],
    [65536, '1a00010000'],
    [1000000, '1a000f4240'],
    [4294967295, '1affffffff'],
    [4294967296, '1b0000000100000000'],
    [1000000000000, '1b000000e8d4a51000'],
    [18446744073709551615n, '1bffffffffffffffff'],
  ];
  for (const [size, head] of cases) {
    const msg = certificateMessage(hex('04a1b2c3'), '', size, Buffer.alloc(0));
    assert.is(msg.toString('hex'), '84' + '4404a1b2c3' + '60' + head + '40', `size ${size}`);
  }
});

cbor('string lengths take the shortest head', () => {
  const path300 = 'a'.repeat(300);
  const msg = certificateMessage(hex('04a1b2c3'), path300, 0, Buffer.alloc(0));
  // 300 = 0x012c: two-byte length, 0x60|25 = 0x79.
  assert.is(msg.subarray(0, 9).toString('hex'), '84' + '4404a1b2c3' + '79012c');
  assert.is(msg.length, 1 + 5 + 3 + 300 + 1 + 1);
});

cbor('it decodes back to the same four items', () => {
  const msg = certificateMessage(hex('0102030405060708'), '/mf/ef01', 4096, hex('ff00'));
  const back = decodeCbor(msg) as unknown[];
  assert.is(back.length, 4);
  assert.is(Buffer.from(back[0] as Uint8Array).toString('hex'), '0102030405060708');
  assert.is(back[1], '/mf/ef01');
  assert.is(back[2], 4096);
  assert.is(Buffer.from(back[3] as Uint8Array).toString('hex'), 'ff00');
});

cbor('sizes that are not uints below 2^64, and ill-formed text, are refused', () => {
  for (const size of [-1, 1.5, Number.NaN, 2 ** 53, -1n, 2n ** 64n]) {
    assert.throws(() => certificateMessage(hex('04a1b2c3'), '/', size, Buffer.alloc(0)), /size/, `size ${String(size)}`);
  }
  assert.throws(() => certificateMessage(hex('04a1b2c3'), '/\ud800', 0, Buffer.alloc(0)), /well-formed/);
});

cbor.run();

const ecdsa = suite('certificate signature: ECDSA P-256 SHA-256, raw r || s');

const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const CSN = hex('04a1b2c3d4e5f6');
const base = { csn: CSN, path: '/mf/df01/ef02', size: 2048, acl: hex('0102') };
const msgOf = (o: typeof base): Buffer => certificateMessage(o.csn, o.path, o.size, o.acl);

ecdsa('sign then verify', () => {
  const msg = msgOf(base);
  const sig = signCertificate(privateKey, msg);
  assert.is(sig.length, 64);
  assert.ok(verifyCertificate(publicKey, msg, sig));
});

ecdsa('a changed csn, path, size or acl fails verification', () => {
  const sig = signCertificate(privateKey, msgOf(base));
  const changed = [
    { ...base, csn: hex('04a1b2c3d4e5f7') },
    { ...base, path: '/mf/df01/ef03' },
    { ...base, size: 2049 },
    { ...base, acl: hex('0103') },
    { ...base, acl: hex('010200') },
  ];
  for (const o of changed) assert.not.ok(verifyCertificate(publicKey, msgOf(o), sig), JSON.stringify(o));
});

ecdsa('a changed signature, or one of the wrong length, fails', () => {
  const msg = msgOf(base);
  const sig = signCertificate(privateKey, msg);
  const flipped = Buffer.from(sig);
  flipped[40] = (flipped[40] as number) ^ 0x01;
  assert.not.ok(verifyCertificate(publicKey, msg, flipped));
  assert.not.ok(verifyCertificate(publicKey, msg, sig.subarray(0, 63)));
  const other = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  assert.not.ok(verifyCertificate(other.publicKey, msg, sig));
});

ecdsa('keys other than P-256 are refused', () => {
  const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' });
  assert.throws(() => signCertificate(p384.privateKey, msgOf(base)), /P-256/);
  assert.throws(() => signCertificate(publicKey as never, msgOf(base)), /private/);
  assert.throws(() => verifyCertificate(privateKey, msgOf(base), Buffer.alloc(64)), /public/);
});

ecdsa('issuerKeyId: hex of the first 8 bytes of SHA-256 of the SPKI', () => {
  // SHA-256("abc") = ba7816bf 8f01cfea ... (FIPS 180-2 Appendix B.1).
  assert.is(issuerKeyId(Buffer.from('abc')), 'ba7816bf8f01cfea');
  const spki = publicKey.export({ format: 'der', type: 'spki' });
  assert.match(issuerKeyId(spki), /^[0-9a-f]{16}$/);
  assert.is(issuerKeyId(spki), issuerKeyId(Buffer.from(spki)));
});

ecdsa.run();
