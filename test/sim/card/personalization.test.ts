// One card end to end: CardRun (the station) and VirtualCard (made by the chip
// maker from the site's master keys) against "the server": a FileKeyStore
// whose answers are computed with the data server's own helpers and passed
// through CBOR, correct or faulty.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { issueCertificate } from '../../../src/dataserver/crypto/certificate.js';
import { CARD_REJECTIONS } from '../../../src/sim/card/card-result.js';
import { CARD_FILES, type CardFileSpec } from '../../../src/sim/card/card-files.js';
import { CardRun, type CardRequest } from '../../../src/sim/card/personalization.js';
import { describeRejection, REJECTION_SENTENCES, RUN_REJECTIONS } from '../../../src/sim/card/rejections.js';
import { decodeCbor, encodeCbor } from '../../../src/wire/cbor.js';
import { chip, drive, hex, newSite, otherIssuer, otherKey, seededRandom, serverOf, storeOf, tampered, type Server } from './support.js';

const CSN = hex('04a1b2c3d4e5f6');
const flip = (b: unknown): Buffer => {
  const out = Buffer.from(b as Uint8Array);
  out[0] = (out[0] as number) ^ 0x01;
  return out;
};
const ops = (requests: readonly CardRequest[]): string[] => requests.map((r) => (r.op === 'certificate' ? `certificate ${r.body.path}` : r.op));
const FULL = ['transport-key', 'session-keys', ...CARD_FILES.map((f) => `certificate ${f.path}`)];

const good = suite('CardRun: a correct server');

good('AES-128: the card is unlocked, authenticated, gets every file and ends personalized', async () => {
  const { store, keys } = await newSite(128);
  const card = chip(keys, CSN);
  const run = new CardRun(card, { random: seededRandom('station') });
  const { outcome, requests } = await drive(run, serverOf(store));
  assert.equal(outcome, { ok: true });
  assert.equal(ops(requests), FULL);
  assert.is(card.state, 'personalized');
  assert.is(card.rejection, undefined);
  assert.equal(
    card.files.map((f) => [f.path, f.size, f.acl.toString('hex')]),
    CARD_FILES.map((f) => [f.path, f.size, Buffer.from(f.acl).toString('hex')]),
  );
  assert.equal(run.outcome, { ok: true });
  assert.equal(run.next, { done: { ok: true } });
});

good('the request bodies: the csn everywhere, the station\'s host challenge and the card\'s challenge, plain CBOR', async () => {
  const { store, keys } = await newSite(128);
  const { requests } = await drive(new CardRun(chip(keys, CSN, 'chip'), { random: seededRandom('station') }), serverOf(store));
  for (const r of requests) {
    assert.is(Buffer.from(r.body.csn).toString('hex'), CSN.toString('hex'));
    assert.equal(decodeCbor(encodeCbor(r.body)), r.body, `${r.op} survives CBOR unchanged`);
  }
  const sk = requests[1];
  assert.ok(sk?.op === 'session-keys');
  if (sk?.op !== 'session-keys') return;
  assert.is(sk.body.hostChallenge.toString('hex'), Buffer.from(seededRandom('station')(8)).toString('hex'));
  assert.is(sk.body.cardChallenge.toString('hex'), Buffer.from(seededRandom(`chip/${CSN.toString('hex')}`)(8)).toString('hex'));
  const certs = requests.filter((r): r is Extract<CardRequest, { op: 'certificate' }> => r.op === 'certificate');
  assert.equal(
    certs.map((r) => ({ path: r.body.path, size: r.body.size, acl: r.body.acl.toString('hex') })),
    CARD_FILES.map((f) => ({ path: f.path, size: f.size, acl: Buffer.from(f.acl).toString('hex') })),
  );
});

good('AES-256 key set: 32-byte masters give 32-byte session keys, and the card is personalized', async () => {
  const { store, keys } = await newSite(256);
  assert.is(keys.masterEnc.length, 64);
  const seen: Record<string, number> = {};
  const server = tampered(serverOf(store), 'session-keys', (answer) => {
    for (const [k, v] of Object.entries(answer)) seen[k] = (v as Uint8Array).length;
    return answer;
  });
  const card = chip(keys, CSN);
  const { outcome, requests } = await drive(new CardRun(card, { random: seededRandom('s256') }), server);
  assert.equal(outcome, { ok: true });
  assert.equal(seen, { sEnc: 32, sMac: 32, sRmac: 32, cardCryptogram: 8, hostCryptogram: 8 });
  assert.is(requests.length, FULL.length);
  assert.is(card.state, 'personalized');
  assert.is(card.files.length, CARD_FILES.length);
});

good('cards with 4- to 16-byte serial numbers, several from one site', async () => {
  const { store, keys } = await newSite(128);
  const server = serverOf(store);
  for (const csn of [hex('01020304'), hex('00000000000000000001'), hex('ffffffffffffffffffffffffffffffff'), CSN]) {
    const card = chip(keys, csn);
    const { outcome } = await drive(new CardRun(card, { random: seededRandom(csn.toString('hex')) }), server);
    assert.equal(outcome, { ok: true }, csn.toString('hex'));
    assert.is(card.state, 'personalized');
  }
});

good('an empty file list: authentication, then the card is completed', async () => {
  const { store, keys } = await newSite(128);
  const card = chip(keys, CSN);
  const { outcome, requests } = await drive(new CardRun(card, { random: seededRandom('e'), files: [] }), serverOf(store));
  assert.equal(outcome, { ok: true });
  assert.equal(ops(requests), ['transport-key', 'session-keys']);
  assert.is(card.state, 'personalized');
});

good.run();

const keysWrong = suite('CardRun: a server with other keys than the chip maker');

keysWrong('another transport master key: wrong-transport-key, nothing more is asked', async () => {
  const { keys } = await newSite(128);
  const store = await storeOf({ ...keys, transportMasterKey: otherKey(keys.transportMasterKey) });
  const card = chip(keys, CSN);
  const { outcome, requests } = await drive(new CardRun(card, { random: seededRandom('t') }), serverOf(store));
  assert.equal(outcome, { ok: false, reason: 'wrong-transport-key', step: 'transport-key' });
  assert.equal(ops(requests), ['transport-key']);
  assert.is(card.state, 'rejected');
  assert.is(card.rejection, 'wrong-transport-key');
});

keysWrong('another masterMac: card-cryptogram; the station tells the card nothing more', async () => {
  for (const bits of [128, 256] as const) {
    const { keys } = await newSite(bits);
    const store = await storeOf({ ...keys, masterMac: otherKey(keys.masterMac) });
    const card = chip(keys, CSN);
    const { outcome, requests } = await drive(new CardRun(card, { random: seededRandom('m') }), serverOf(store));
    assert.equal(outcome, { ok: false, reason: 'card-cryptogram', step: 'session-keys' }, `${bits}`);
    assert.equal(ops(requests), ['transport-key', 'session-keys']);
    assert.is(card.state, 'challenged', 'no EXTERNAL AUTHENTICATE was sent');
    assert.equal(card.files, []);
  }
});

keysWrong('another masterEnc: the cryptograms (S-MAC only) still match; the key check finds S-ENC differs', async () => {
  // PROTOCOL.md 5 (GP Amendment D 6.2.2.2, 6.2.2.3): both cryptograms are KDF(S-MAC, ...), so
  // K-ENC plays no part in them and a wrong masterEnc cannot show as 'card-cryptogram'.
  const { keys } = await newSite(128);
  const store = await storeOf({ ...keys, masterEnc: otherKey(keys.masterEnc) });
  const card = chip(keys, CSN);
  const { outcome, requests } = await drive(new CardRun(card, { random: seededRandom('e') }), serverOf(store));
  assert.equal(outcome, { ok: false, reason: 'session-key-mismatch', step: 'session-keys', detail: 'sEnc' });
  assert.equal(ops(requests), ['transport-key', 'session-keys'], 'no certificate is asked for');
  assert.is(card.state, 'authenticated', 'the card itself accepted the host cryptogram');
  assert.equal(card.files, []);
});

keysWrong('another issuer key: the first certificate is refused, nothing is created', async () => {
  const { keys } = await newSite(128);
  const store = await storeOf({ ...keys, issuerPrivateKeyPkcs8: otherIssuer() });
  const card = chip(keys, CSN);
  const { outcome, requests } = await drive(new CardRun(card, { random: seededRandom('i') }), serverOf(store));
  assert.equal(outcome, { ok: false, reason: 'bad-certificate', step: 'certificate 3F00' });
  assert.equal(ops(requests), ['transport-key', 'session-keys', 'certificate 3F00']);
  assert.equal(card.files, []);
  assert.is(card.state, 'rejected');
  assert.is(card.rejection, 'bad-certificate');
});

keysWrong.run();

const forged = suite('CardRun: forged or mixed-up answers');

async function runAgainst(server: (base: Server, store: Awaited<ReturnType<typeof newSite>>['store']) => Server, files?: readonly CardFileSpec[]) {
  const { store, keys } = await newSite(128);
  const card = chip(keys, CSN);
  const run = new CardRun(card, files === undefined ? { random: seededRandom('f') } : { random: seededRandom('f'), files });
  return { card, run, ...(await drive(run, server(serverOf(store), store))) };
}

forged('a forged host cryptogram: the card refuses it (host-cryptogram)', async () => {
  const { card, outcome } = await runAgainst((s) => tampered(s, 'session-keys', (a) => ({ ...a, hostCryptogram: flip(a['hostCryptogram']) })));
  assert.equal(outcome, { ok: false, reason: 'host-cryptogram', step: 'session-keys' });
  assert.is(card.state, 'rejected');
  assert.is(card.rejection, 'host-cryptogram');
});

forged('a forged card cryptogram: card-cryptogram, the card is not told anything', async () => {
  const { card, outcome } = await runAgainst((s) => tampered(s, 'session-keys', (a) => ({ ...a, cardCryptogram: flip(a['cardCryptogram']) })));
  assert.equal(outcome, { ok: false, reason: 'card-cryptogram', step: 'session-keys' });
  assert.is(card.state, 'challenged');
});

forged('session keys for another card (another csn): card-cryptogram', async () => {
  const { outcome } = await runAgainst((s) =>
    tampered(s, 'session-keys', (_a, request) => (request.op === 'session-keys' ? s({ ...request, body: { ...request.body, csn: hex('04a1b2c3d4e5f7') } }) : _a)),
  );
  assert.equal(outcome, { ok: false, reason: 'card-cryptogram', step: 'session-keys' });
});

forged('session keys for another host challenge: card-cryptogram', async () => {
  const { outcome } = await runAgainst((s) =>
    tampered(s, 'session-keys', (_a, request) => (request.op === 'session-keys' ? s({ ...request, body: { ...request.body, hostChallenge: Buffer.alloc(8) } }) : _a)),
  );
  assert.equal(outcome, { ok: false, reason: 'card-cryptogram', step: 'session-keys' });
});

forged('a changed S-MAC or S-RMAC with the right cryptograms: session-key-mismatch, naming the key', async () => {
  for (const key of ['sMac', 'sRmac', 'sEnc'] as const) {
    const { card, outcome } = await runAgainst((s) => tampered(s, 'session-keys', (a) => ({ ...a, [key]: flip(a[key]) })));
    assert.equal(outcome, { ok: false, reason: 'session-key-mismatch', step: 'session-keys', detail: key });
    assert.equal(card.files, []);
  }
});

forged('a certificate over another path: bad-certificate, the file is not created', async () => {
  const { card, outcome, requests } = await runAgainst((s, store) =>
    tampered(s, 'certificate', async (a, request) => {
      if (request.op !== 'certificate' || request.body.path !== '3F00/7F10') return a;
      const { csn, size, acl } = request.body;
      return decodeCbor(encodeCbor(await issueCertificate(store, csn, '3F00/7F11', size, acl)));
    }),
  );
  assert.equal(outcome, { ok: false, reason: 'bad-certificate', step: 'certificate 3F00/7F10' });
  assert.equal(ops(requests), ['transport-key', 'session-keys', 'certificate 3F00', 'certificate 3F00/7F10']);
  assert.equal(
    card.files.map((f) => f.path),
    ['3F00'],
  );
  assert.is(card.rejection, 'bad-certificate');
});

forged('a certificate for another size or acl: bad-certificate', async () => {
  for (const change of [{ size: 257 }, { acl: Buffer.of(0x00, 0xff, 0x00) }]) {
    const { outcome } = await runAgainst((s, store) =>
      tampered(s, 'certificate', async (a, request) => {
        if (request.op !== 'certificate' || request.body.path !== '3F00/7F10/EF01') return a;
        const b = { ...request.body, ...change };
        return issueCertificate(store, b.csn, b.path, b.size, b.acl);
      }),
    );
    assert.equal(outcome, { ok: false, reason: 'bad-certificate', step: 'certificate 3F00/7F10/EF01' }, JSON.stringify(change));
  }
});

forged.run();

const faults = suite('CardRun: errors, malformed answers and misuse are results, never exceptions');

faults('a failed request (res ok:false) ends the run with request-failed and its code', async () => {
  const { store, keys } = await newSite(128);
  const card = chip(keys, CSN);
  const run = new CardRun(card, { random: seededRandom('x') });
  const first = run.next.request;
  assert.ok(first);
  if (!first) return;
  run.answer(await serverOf(store)(first));
  assert.is(run.next.request?.op, 'session-keys');
  assert.equal(run.failed('timeout'), { done: { ok: false, reason: 'request-failed', step: 'session-keys', detail: 'timeout' } });
  // Later answers or failures change nothing.
  assert.equal(run.answer({}), { done: { ok: false, reason: 'request-failed', step: 'session-keys', detail: 'timeout' } });
  assert.equal(run.failed('server-lost'), { done: { ok: false, reason: 'request-failed', step: 'session-keys', detail: 'timeout' } });
  assert.is(card.state, 'challenged');
});

faults('malformed transport-key answers: bad-answer, the card untouched', async () => {
  const cases: [unknown, string][] = [
    [null, 'the answer is not a map'],
    [42, 'the answer is not a map'],
    [{}, "'key' is missing"],
    [{ key: '00112233445566778899aabbccddeeff' }, "'key' is not a byte string"],
    [{ key: Buffer.alloc(8) }, "'key' has 8 bytes, not 16"],
  ];
  const { keys } = await newSite(128);
  for (const [body, detail] of cases) {
    const card = chip(keys, CSN);
    const run = new CardRun(card, { random: seededRandom('b') });
    assert.equal(run.answer(body), { done: { ok: false, reason: 'bad-answer', step: 'transport-key', detail } });
    assert.is(card.state, 'locked');
  }
});

faults('a session-keys answer without the host cryptogram, or a certificate answer with a short cert: bad-answer', async () => {
  const a = await runAgainst((s) =>
    tampered(s, 'session-keys', (answer) => {
      const { hostCryptogram: _, ...rest } = answer;
      return rest;
    }),
  );
  assert.equal(a.outcome, { ok: false, reason: 'bad-answer', step: 'session-keys', detail: "'hostCryptogram' is missing" });
  const b = await runAgainst((s) => tampered(s, 'certificate', (answer) => ({ ...answer, cert: (answer['cert'] as Buffer).subarray(1) })));
  assert.equal(b.outcome, { ok: false, reason: 'bad-answer', step: 'certificate 3F00', detail: "'cert' has 63 bytes, not 64" });
  assert.equal(b.card.files, []);
});

faults('reading next twice gives the same request (a retransmission sends it again)', async () => {
  const { store, keys } = await newSite(128);
  const run = new CardRun(chip(keys, CSN), { random: seededRandom('r') });
  run.answer(await serverOf(store)(run.next.request as CardRequest));
  const a = run.next;
  const b = run.next;
  assert.is(a, b);
  assert.is(a.request?.op, 'session-keys');
});

faults('a card someone already unlocked: out-of-order at the transport key', async () => {
  const { store, keys } = await newSite(128);
  const card = chip(keys, CSN);
  const run = new CardRun(card, { random: seededRandom('o') });
  const key = (await serverOf(store)(run.next.request as CardRequest)) as { key: Buffer };
  assert.ok(card.unlock(key.key).ok);
  assert.equal(run.answer(key), { done: { ok: false, reason: 'out-of-order', step: 'transport-key' } });
  assert.is(card.rejection, 'out-of-order');
});

faults('a file list with a file before its directory: bad-command at that file', async () => {
  const files = [CARD_FILES[0], CARD_FILES[2], CARD_FILES[1]].filter((f): f is CardFileSpec => f !== undefined);
  const { card, outcome } = await runAgainst((s) => s, files);
  assert.equal(outcome, { ok: false, reason: 'bad-command', step: 'certificate 3F00/7F10/EF01' });
  assert.equal(
    card.files.map((f) => f.path),
    ['3F00'],
  );
});

faults('a station random that gives no 8 bytes is a wiring bug: it throws', async () => {
  const { store, keys } = await newSite(128);
  const run = new CardRun(chip(keys, CSN), { random: () => Buffer.alloc(7) });
  const answer = await serverOf(store)(run.next.request as CardRequest);
  assert.throws(() => run.answer(answer), RangeError);
});

faults.run();

const report = suite('rejection reasons for the report');

report('a closed set, each with a sentence; every card refusal is one', () => {
  assert.equal([...RUN_REJECTIONS].sort(), [
    'bad-answer',
    'bad-certificate',
    'bad-command',
    'card-cryptogram',
    'host-cryptogram',
    'out-of-order',
    'request-failed',
    'session-key-mismatch',
    'wrong-transport-key',
  ]);
  for (const r of CARD_REJECTIONS) assert.ok(RUN_REJECTIONS.includes(r), r);
  for (const r of RUN_REJECTIONS) assert.ok(REJECTION_SENTENCES[r].length > 10, r);
  assert.is(describeRejection('wrong-transport-key'), 'the transport key did not unlock the chip');
});

report.run();
