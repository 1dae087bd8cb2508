// Reading server answers: plain objects and Maps, and every malformed answer
// reported, never thrown.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readCertificateAnswer, readSessionKeysAnswer, readTransportKeyAnswer } from '../../../src/sim/card/answers.js';

const read = suite('answers');

const keys = () => ({
  sEnc: Buffer.alloc(16, 1),
  sMac: new Uint8Array(16).fill(2),
  sRmac: Buffer.alloc(16, 3),
  cardCryptogram: Buffer.alloc(8, 4),
  hostCryptogram: Buffer.alloc(8, 5),
});

read('a plain object and a Map with text keys read alike; Uint8Array becomes a Buffer copy', () => {
  const object = readSessionKeysAnswer(keys());
  const map = readSessionKeysAnswer(new Map(Object.entries(keys())));
  assert.ok(object.ok && map.ok);
  if (!object.ok || !map.ok) return;
  assert.ok(Buffer.isBuffer(object.value.sMac));
  assert.equal(object.value.sMac, map.value.sMac);
  assert.is(object.value.hostCryptogram.toString('hex'), '0505050505050505');
});

read('32-byte session keys are read; mixed lengths are not', () => {
  const k = { ...keys(), sEnc: Buffer.alloc(32), sMac: Buffer.alloc(32), sRmac: Buffer.alloc(32) };
  assert.ok(readSessionKeysAnswer(k).ok);
  const mixed = readSessionKeysAnswer({ ...k, sRmac: Buffer.alloc(16) });
  assert.equal(mixed, { ok: false, detail: 'sEnc, sMac and sRmac differ in length' });
});

read('missing, ill-typed and wrong-length fields are named', () => {
  const { hostCryptogram: _, ...noHost } = keys();
  assert.equal(readSessionKeysAnswer(noHost), { ok: false, detail: "'hostCryptogram' is missing" });
  assert.equal(readSessionKeysAnswer({ ...keys(), sEnc: 'aa' }), { ok: false, detail: "'sEnc' is not a byte string" });
  assert.equal(readSessionKeysAnswer({ ...keys(), cardCryptogram: Buffer.alloc(16) }), { ok: false, detail: "'cardCryptogram' has 16 bytes, not 8" });
  assert.equal(readSessionKeysAnswer({ ...keys(), sMac: Buffer.alloc(24) }), { ok: false, detail: "'sMac' has 24 bytes, not 16 or 32" });
  assert.equal(readTransportKeyAnswer({ key: Buffer.alloc(32) }), { ok: false, detail: "'key' has 32 bytes, not 16" });
  assert.equal(readTransportKeyAnswer({ key: [1, 2] }), { ok: false, detail: "'key' is not a byte string" });
  assert.equal(readCertificateAnswer({ cert: Buffer.alloc(63) }), { ok: false, detail: "'cert' has 63 bytes, not 64" });
  assert.equal(readCertificateAnswer({ cert: Buffer.alloc(64), keyId: 7 }), { ok: false, detail: "'keyId' is not text" });
});

read('a body that is not a map is reported', () => {
  for (const body of [undefined, null, 0, 'key', [Buffer.alloc(16)], Buffer.alloc(16), true]) {
    assert.equal(readTransportKeyAnswer(body), { ok: false, detail: 'the answer is not a map' }, String(body));
  }
});

read("inherited properties are not fields", () => {
  const proto = { key: Buffer.alloc(16) };
  assert.not.ok(readTransportKeyAnswer(Object.create(proto)).ok);
});

read('a certificate answer: keyId is optional', () => {
  const r = readCertificateAnswer({ cert: Buffer.alloc(64, 9) });
  assert.ok(r.ok);
  if (r.ok) assert.is(r.value.keyId, undefined);
  const s = readCertificateAnswer({ cert: Buffer.alloc(64, 9), keyId: '0011223344556677', extra: 1 });
  assert.ok(s.ok);
  if (s.ok) assert.is(s.value.keyId, '0011223344556677');
});

read.run();
