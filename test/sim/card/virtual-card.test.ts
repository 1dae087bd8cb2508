// The virtual card alone: SCP03 against published vectors, its refusals (a
// result, never an exception), and that a refusal rejects it for good.
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { inspect } from 'node:util';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { certificateMessage, signCertificate } from '../../../src/dataserver/crypto/certificate.js';
import { sessionKeys } from '../../../src/dataserver/crypto/derivations.js';
import { CARD_REJECTIONS } from '../../../src/sim/card/card-result.js';
import { manufactureCard, manufactureCardFromMasters, type CardContents, type VirtualCard } from '../../../src/sim/card/virtual-card.js';
import { hex, seededRandom } from './support.js';

const ISSUER = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const CSN = hex('0102030405060708');
const TRANSPORT = hex('000102030405060708090a0b0c0d0e0f');
const K_ENC = hex('202122232425262728292a2b2c2d2e2f');
const K_MAC = hex('303132333435363738393a3b3c3d3e3f');

function contents(over: Partial<CardContents> = {}): CardContents {
  return { csn: CSN, transportKey: TRANSPORT, kEnc: K_ENC, kMac: K_MAC, issuerPublicKey: ISSUER.publicKey, random: seededRandom('vc'), ...over };
}

function cert(path: string, size: number, acl: Uint8Array, key: KeyObject = ISSUER.privateKey, csn: Uint8Array = CSN): Buffer {
  return signCertificate(key, certificateMessage(csn, path, size, acl));
}

/** A card past EXTERNAL AUTHENTICATE; its K-ENC/K-MAC are known here, so the host side is sessionKeys (vector-tested in scp03-vectors.test.ts). */
function authenticated(): VirtualCard {
  const card = manufactureCard(contents());
  assert.ok(card.unlock(TRANSPORT).ok);
  const host = hex('1111111111111111');
  const init = card.initializeUpdate(host);
  assert.ok(init.ok);
  if (!init.ok) throw new Error('unreachable');
  const s = sessionKeys(K_ENC, K_MAC, host, init.cardChallenge);
  assert.is(init.cardCryptogram.toString('hex'), s.cardCryptogram.toString('hex'));
  assert.ok(card.externalAuthenticate(s.hostCryptogram).ok);
  assert.is(card.state, 'authenticated');
  return card;
}


// ---------------------------------------------------------------------------
// osmocom/pysim tests/unittests/test_globalplatform.py, SCP03_Test_AES128_11 and
// SCP03_Test_AES256_11 (the same APDUs as test/dataserver/crypto/scp03-vectors.test.ts):
// a card with those static keys and that card challenge must answer INITIALIZE
// UPDATE with the recorded card cryptogram and take the recorded host cryptogram.
// ---------------------------------------------------------------------------
const PYSIM = [
  {
    name: 'AES-128',
    enc: '000102030405060708090a0b0c0d0e0f',
    mac: '101112131415161718191a1b1c1d1e1f',
    initUpdCmd: '8050300008b13e5f938fc108c400',
    initUpdRsp: '000000000000000000003003703eb51047495b249f66c484c1d2ef1948000002',
    extAuthCmd: '84821100107d5f5826a993ebc89eea24957fa0b3ce',
  },
  {
    name: 'AES-256',
    enc: '000102030405060708090a0b0c0d0e0f000102030405060708090a0b0c0d0e0f',
    mac: '101112131415161718191a1b1c1d1e1f101112131415161718191a1b1c1d1e1f',
    initUpdCmd: '805032000811666d57866c6f5400',
    initUpdRsp: '0000000000000000000032037053ea8847efa7674e41498a4d66cf0dee000003',
    extAuthCmd: '84821100102f2ad190eff2fafc4908996d1cebd310',
  },
];

const scp03 = suite('VirtualCard: SCP03 mutual authentication, pySim vectors');

for (const v of PYSIM) {
  const iuCmd = hex(v.initUpdCmd);
  const iuRsp = hex(v.initUpdRsp);
  const hostChallenge = iuCmd.subarray(5, iuCmd.length - 1);
  const cardChallenge = iuRsp.subarray(13, 21);
  const cardCryptogram = iuRsp.subarray(21, 29);
  const hostCryptogram = hex(v.extAuthCmd).subarray(5, 13);
  const card = (): VirtualCard => manufactureCard(contents({ kEnc: hex(v.enc), kMac: hex(v.mac), random: () => Buffer.from(cardChallenge) }));

  scp03(`${v.name}: the card cryptogram, then the host cryptogram accepted`, () => {
    const c = card();
    assert.ok(c.unlock(TRANSPORT).ok);
    const init = c.initializeUpdate(hostChallenge);
    assert.equal(init, { ok: true, cardChallenge: Buffer.from(cardChallenge), cardCryptogram: Buffer.from(cardCryptogram) });
    assert.is(c.state, 'challenged');
    assert.equal(c.externalAuthenticate(hostCryptogram), { ok: true });
    assert.is(c.state, 'authenticated');
    assert.is(c.rejection, undefined);
  });

  scp03(`${v.name}: a host cryptogram with one bit changed is refused`, () => {
    const c = card();
    c.unlock(TRANSPORT);
    c.initializeUpdate(hostChallenge);
    const forged = Buffer.from(hostCryptogram);
    forged[7] = (forged[7] as number) ^ 0x80;
    assert.equal(c.externalAuthenticate(forged), { ok: false, reason: 'host-cryptogram' });
    assert.is(c.state, 'rejected');
    assert.is(c.rejection, 'host-cryptogram');
  });

  scp03(`${v.name}: the card cryptogram as the host cryptogram is refused`, () => {
    const c = card();
    c.unlock(TRANSPORT);
    c.initializeUpdate(hostChallenge);
    assert.equal(c.externalAuthenticate(cardCryptogram), { ok: false, reason: 'host-cryptogram' });
  });
}

scp03.run();

const unlock = suite('VirtualCard: unlock');

unlock('its transport key unlocks it', () => {
  const card = manufactureCard(contents());
  assert.is(card.state, 'locked');
  assert.equal(card.unlock(Uint8Array.from(TRANSPORT)), { ok: true });
  assert.is(card.state, 'unlocked');
});

unlock('another key, a shorter or a longer one: wrong-transport-key, and the card is rejected for good', () => {
  for (const key of [hex('000102030405060708090a0b0c0d0e0e'), TRANSPORT.subarray(0, 15), Buffer.concat([TRANSPORT, Buffer.of(0)]), Buffer.alloc(0)]) {
    const card = manufactureCard(contents());
    assert.equal(card.unlock(key), { ok: false, reason: 'wrong-transport-key' });
    assert.is(card.state, 'rejected');
    assert.is(card.rejection, 'wrong-transport-key');
    // The right key afterwards does not help; the first reason stays.
    assert.equal(card.unlock(TRANSPORT), { ok: false, reason: 'out-of-order' });
    assert.is(card.rejection, 'wrong-transport-key');
  }
});

unlock.run();

const order = suite('VirtualCard: commands out of order are refused, not thrown');

const fileArgs = ['3F00', 0, Buffer.of(0), Buffer.alloc(64)] as const;

order('on a locked card, everything but unlock', () => {
  const calls: [string, (c: VirtualCard) => unknown][] = [
    ['initializeUpdate', (c) => c.initializeUpdate(Buffer.alloc(8))],
    ['externalAuthenticate', (c) => c.externalAuthenticate(Buffer.alloc(8))],
    ['sessionKeyCheck', (c) => c.sessionKeyCheck()],
    ['createFile', (c) => c.createFile(...fileArgs)],
    ['complete', (c) => c.complete()],
  ];
  for (const [name, call] of calls) {
    const card = manufactureCard(contents());
    assert.equal(call(card), { ok: false, reason: 'out-of-order' }, name);
    assert.is(card.state, 'rejected', name);
    assert.is(card.rejection, 'out-of-order', name);
  }
});

order('unlocked: unlock again, externalAuthenticate, createFile are refused', () => {
  for (const call of [(c: VirtualCard) => c.unlock(TRANSPORT), (c: VirtualCard) => c.externalAuthenticate(Buffer.alloc(8)), (c: VirtualCard) => c.createFile(...fileArgs)]) {
    const card = manufactureCard(contents());
    card.unlock(TRANSPORT);
    assert.equal(call(card), { ok: false, reason: 'out-of-order' });
  }
});

order('challenged: a second initializeUpdate and createFile before authentication are refused', () => {
  for (const call of [(c: VirtualCard) => c.initializeUpdate(Buffer.alloc(8)), (c: VirtualCard) => c.createFile(...fileArgs), (c: VirtualCard) => c.complete()]) {
    const card = manufactureCard(contents());
    card.unlock(TRANSPORT);
    card.initializeUpdate(Buffer.alloc(8));
    assert.equal(call(card), { ok: false, reason: 'out-of-order' });
    assert.is(card.state, 'rejected');
  }
});

order('a personalized card refuses everything but stays personalized', () => {
  const card = authenticated();
  assert.equal(card.complete(), { ok: true });
  assert.is(card.state, 'personalized');
  assert.equal(card.createFile('3F00', 0, Buffer.of(0), cert('3F00', 0, Buffer.of(0))), { ok: false, reason: 'out-of-order' });
  assert.equal(card.sessionKeyCheck(), { ok: false, reason: 'out-of-order' });
  assert.equal(card.unlock(TRANSPORT), { ok: false, reason: 'out-of-order' });
  assert.is(card.state, 'personalized');
  assert.is(card.rejection, undefined);
});

order('malformed arguments: bad-command, never an exception', () => {
  const bad = (call: (c: VirtualCard) => unknown, prepare: (c: VirtualCard) => void): void => {
    const card = manufactureCard(contents());
    prepare(card);
    assert.equal(call(card), { ok: false, reason: 'bad-command' });
    assert.is(card.rejection, 'bad-command');
  };
  const none = (): void => {};
  const unlocked = (c: VirtualCard): void => void c.unlock(TRANSPORT);
  const challenged = (c: VirtualCard): void => {
    c.unlock(TRANSPORT);
    c.initializeUpdate(Buffer.alloc(8));
  };
  bad((c) => c.unlock('000102030405060708090a0b0c0d0e0f' as unknown as Uint8Array), none);
  bad((c) => c.unlock(undefined as unknown as Uint8Array), none);
  bad((c) => c.initializeUpdate(Buffer.alloc(7)), unlocked);
  bad((c) => c.initializeUpdate(Buffer.alloc(9)), unlocked);
  bad((c) => c.initializeUpdate([1, 2, 3, 4, 5, 6, 7, 8] as unknown as Uint8Array), unlocked);
  bad((c) => c.externalAuthenticate(null as unknown as Uint8Array), challenged);
});

order.run();

const files = suite('VirtualCard: createFile only with a valid certificate');

const ACL = Buffer.of(0x00, 0x11);

files('a certificate from the issuer key over (csn, path, size, acl) creates the file', () => {
  const card = authenticated();
  assert.equal(card.createFile('3F00', 8192, ACL, cert('3F00', 8192, ACL)), { ok: true });
  assert.equal(card.createFile('3F00/7F10', 4096, ACL, cert('3F00/7F10', 4096, ACL)), { ok: true });
  assert.equal(
    card.files.map((f) => [f.path, f.size, f.acl.toString('hex')]),
    [
      ['3F00', 8192, '0011'],
      ['3F00/7F10', 4096, '0011'],
    ],
  );
});

const refusedCert: [string, (c: VirtualCard) => unknown][] = [
  ['another path', (c) => c.createFile('3F00', 8192, ACL, cert('3F01', 8192, ACL))],
  ['another size', (c) => c.createFile('3F00', 8192, ACL, cert('3F00', 8193, ACL))],
  ['another acl', (c) => c.createFile('3F00', 8192, ACL, cert('3F00', 8192, Buffer.of(0x00, 0x10)))],
  ['another card', (c) => c.createFile('3F00', 8192, ACL, cert('3F00', 8192, ACL, ISSUER.privateKey, hex('0102030405060709')))],
  ['another issuer key', (c) => c.createFile('3F00', 8192, ACL, cert('3F00', 8192, ACL, generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey))],
  ['63 bytes', (c) => c.createFile('3F00', 8192, ACL, cert('3F00', 8192, ACL).subarray(0, 63))],
  ['64 zero bytes', (c) => c.createFile('3F00', 8192, ACL, Buffer.alloc(64))],
  ['64 bytes of ff (r and s above the group order)', (c) => c.createFile('3F00', 8192, ACL, Buffer.alloc(64, 0xff))],
];

for (const [name, call] of refusedCert) {
  files(`a certificate for ${name}: bad-certificate, nothing created`, () => {
    const card = authenticated();
    assert.equal(call(card), { ok: false, reason: 'bad-certificate' });
    assert.equal(card.files, []);
    assert.is(card.state, 'rejected');
    assert.is(card.rejection, 'bad-certificate');
  });
}

files('a file without its parent, or a path twice, is refused (bad-command) even with a valid certificate', () => {
  const orphan = authenticated();
  assert.equal(orphan.createFile('3F00/7F10', 1, ACL, cert('3F00/7F10', 1, ACL)), { ok: false, reason: 'bad-command' });
  const twice = authenticated();
  assert.ok(twice.createFile('3F00', 1, ACL, cert('3F00', 1, ACL)).ok);
  assert.equal(twice.createFile('3F00', 1, ACL, cert('3F00', 1, ACL)), { ok: false, reason: 'bad-command' });
  assert.equal(twice.files.length, 1);
});

files('malformed createFile arguments are refused, not thrown', () => {
  const c64 = Buffer.alloc(64);
  const calls: [string, (c: VirtualCard) => unknown][] = [
    ['empty path', (c) => c.createFile('', 1, ACL, c64)],
    ['empty component', (c) => c.createFile('3F00//7F10', 1, ACL, c64)],
    ['trailing slash', (c) => c.createFile('3F00/', 1, ACL, c64)],
    ['path not text', (c) => c.createFile(0x3f00 as unknown as string, 1, ACL, c64)],
    ['lone surrogate', (c) => c.createFile('3F00\ud800', 1, ACL, c64)],
    ['negative size', (c) => c.createFile('3F00', -1, ACL, c64)],
    ['fractional size', (c) => c.createFile('3F00', 1.5, ACL, c64)],
    ['size beyond 2^53', (c) => c.createFile('3F00', 2 ** 53, ACL, c64)],
    ['acl not bytes', (c) => c.createFile('3F00', 1, 'x' as unknown as Uint8Array, c64)],
    ['cert not bytes', (c) => c.createFile('3F00', 1, ACL, undefined as unknown as Uint8Array)],
  ];
  for (const [name, call] of calls) {
    const card = authenticated();
    assert.equal(call(card), { ok: false, reason: 'bad-command' }, name);
  }
});

files('files returns copies', () => {
  const card = authenticated();
  card.createFile('3F00', 1, ACL, cert('3F00', 1, ACL));
  const first = card.files[0];
  assert.ok(first);
  if (first) first.acl.fill(0xee);
  assert.is(card.files[0]?.acl.toString('hex'), '0011');
});

files.run();

const make = suite('VirtualCard: the chip maker');

make('contents no chip would carry are refused at manufacture', () => {
  assert.throws(() => manufactureCard(contents({ csn: Buffer.alloc(3) })), RangeError);
  assert.throws(() => manufactureCard(contents({ csn: Buffer.alloc(17) })), RangeError);
  assert.throws(() => manufactureCard(contents({ transportKey: Buffer.alloc(32) })), RangeError);
  assert.throws(() => manufactureCard(contents({ kEnc: Buffer.alloc(24), kMac: Buffer.alloc(24) })), RangeError);
  assert.throws(() => manufactureCard(contents({ kEnc: Buffer.alloc(16), kMac: Buffer.alloc(32) })), RangeError);
  assert.throws(() => manufactureCard(contents({ issuerPublicKey: ISSUER.privateKey })), TypeError);
  const ed = generateKeyPairSync('ed25519');
  assert.throws(() => manufactureCard(contents({ issuerPublicKey: ed.publicKey })), TypeError);
  assert.throws(() => manufactureCardFromMasters({ csn: CSN, transportMasterKey: TRANSPORT, masterEnc: Buffer.alloc(16), masterMac: Buffer.alloc(32), issuerPublicKey: ISSUER.publicKey, random: seededRandom('x') }), RangeError);
});

make('the card keeps its own copies of what it was given', () => {
  const transport = Buffer.from(TRANSPORT);
  const csn = Buffer.from(CSN);
  const card = manufactureCard(contents({ transportKey: transport, csn }));
  transport.fill(0);
  csn.fill(0);
  assert.is(card.csn.toString('hex'), CSN.toString('hex'));
  assert.ok(card.unlock(TRANSPORT).ok);
});

make('a card shows no key in toString or inspect', () => {
  const card = manufactureCard(contents());
  const shown = `${String(card)} ${inspect(card, { showHidden: true, depth: 5 })}`;
  for (const k of [TRANSPORT, K_ENC, K_MAC]) assert.not.ok(shown.includes(k.toString('hex').slice(0, 8)), shown);
  assert.ok(String(card).includes(CSN.toString('hex')));
});

make('the card challenge comes from the injected random: the same random, the same answers', () => {
  const run = (): unknown => {
    const card = manufactureCard(contents({ random: seededRandom('same') }));
    card.unlock(TRANSPORT);
    return card.initializeUpdate(hex('0001020304050607'));
  };
  assert.equal(run(), run());
});

make('the closed set of card rejections', () => {
  assert.equal([...CARD_REJECTIONS].sort(), ['bad-certificate', 'bad-command', 'host-cryptogram', 'out-of-order', 'wrong-transport-key']);
});

make.run();
