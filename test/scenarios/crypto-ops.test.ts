// The data server's cryptographic ops (PROTOCOL.md 5) through the real
// router: answers checked against independent computations from the key
// file's bytes; bad fields named; a key store that fails gives
// key-unavailable and 0 slots until it is back.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { certificateMessage, verifyCertificate } from '../../src/dataserver/crypto/certificate.js';
import { kdf, kdf3 } from '../../src/dataserver/crypto/kdf.js';
import { createFileKeyStore, type FileKeyStore } from '../../src/dataserver/crypto/file-key-store.js';
import { KeyUnavailableError, type KeyStore } from '../../src/dataserver/crypto/key-store.js';
import { cryptoOps } from '../../src/dataserver/ops/crypto-ops.js';
import { REFERENCE_OPS } from '../../src/dataserver/ops/echo.js';
import { scratchDir } from '../../src/sim/pty-pair.js';
import { decodeCbor } from '../../src/wire/cbor.js';
import { Site } from '../support/site.js';
import { waitFor } from '../support/wait.js';

/**
 * A key store that can be switched off and on, as a token pulled and put
 * back. While held, each call waits (as on a slow token) until released,
 * so a test can see every slot of the server at work before any answer.
 */
class FlakyStore implements KeyStore {
  down = false;
  private holding = false;
  private readonly held: (() => void)[] = [];
  constructor(private readonly inner: KeyStore) {}
  /** Calls from now on wait until `release`. */
  hold(): void {
    this.holding = true;
  }
  /** Calls waiting in the store. */
  get waiting(): number {
    return this.held.length;
  }
  release(): void {
    this.holding = false;
    for (const go of this.held.splice(0)) go();
  }
  private async check(): Promise<void> {
    if (this.holding) await new Promise<void>((go) => this.held.push(go));
    if (this.down) throw new KeyUnavailableError('token not present');
  }
  keyLength(name: 'transport' | 'enc' | 'mac') {
    return this.inner.keyLength(name);
  }
  async cmac(name: 'transport' | 'enc' | 'mac', data: Buffer) {
    await this.check();
    return this.inner.cmac(name, data);
  }
  async signIssuer(msg: Buffer) {
    await this.check();
    return this.inner.signIssuer(msg);
  }
  async issuerPublicKey() {
    await this.check();
    return this.inner.issuerPublicKey();
  }
  close() {
    return this.inner.close();
  }
}

const scratch = scratchDir('crypto-ops');
const keyFile = join(scratch.dir, 'keys.json');
let fileStore: FileKeyStore;
let store: FlakyStore;
let site: Site;
const hex = (s: string): Buffer => Buffer.from(s, 'hex');
type Answer = Record<string, Uint8Array | string>;

const test = suite('cryptographic ops through the router');
test.before(async () => {
  fileStore = await createFileKeyStore(keyFile, 128);
  store = new FlakyStore(fileStore);
  site = await new Site({
    servers: [{ name: 'ds1', slots: 2, ops: new Map([...REFERENCE_OPS, ...cryptoOps(store)]), keyStore: store }],
    ops: { echo: { retry: true }, 'transport-key': { retry: true }, 'session-keys': { retry: true }, certificate: { retry: false }, 'issuer-key': { retry: true } },
  }).start();
});
test.after(async () => {
  await site?.stop();
  scratch.remove();
});

const raw = () => JSON.parse(readFileSync(keyFile, 'utf8')) as Record<string, string>;

async function ask(id: number, op: string, body: unknown): Promise<Answer> {
  site.station().request(id, op, body);
  const res = await site.station().answer(id);
  assert.ok(res.ok, `${op}: ${JSON.stringify(res)}`);
  return (res.ok ? decodeCbor(res.body) : {}) as Answer;
}

const csn = hex('04a1b2c3d4e5f6');

test('transport-key = KDF(transportMasterKey, 0x70, csn, 128)', async () => {
  const a = await ask(1, 'transport-key', { csn });
  assert.is(Buffer.from(a.key as Uint8Array).toString('hex'), kdf(hex(raw().transportMasterKey!), 0x70, csn, 128).toString('hex'));
});

test('session-keys follow SCP03 from the diversified card keys', async () => {
  const hostChallenge = hex('0011223344556677');
  const cardChallenge = hex('8899aabbccddeeff');
  const a = await ask(2, 'session-keys', { csn, hostChallenge, cardChallenge });
  const kEnc = kdf3(hex(raw().masterEnc!), 0x01, csn);
  const kMac = kdf3(hex(raw().masterMac!), 0x02, csn);
  const ctx = Buffer.concat([hostChallenge, cardChallenge]);
  const sMac = kdf(kMac, 0x06, ctx, 128);
  assert.is(Buffer.from(a.sEnc as Uint8Array).toString('hex'), kdf(kEnc, 0x04, ctx, 128).toString('hex'));
  assert.is(Buffer.from(a.sMac as Uint8Array).toString('hex'), sMac.toString('hex'));
  assert.is(Buffer.from(a.sRmac as Uint8Array).toString('hex'), kdf(kMac, 0x07, ctx, 128).toString('hex'));
  assert.is(Buffer.from(a.cardCryptogram as Uint8Array).toString('hex'), kdf(sMac, 0x00, ctx, 64).toString('hex'));
  assert.is(Buffer.from(a.hostCryptogram as Uint8Array).toString('hex'), kdf(sMac, 0x01, ctx, 64).toString('hex'));
});

test('certificate verifies with the key issuer-key gives, over [csn, path, size, acl]', async () => {
  const issuer = await ask(3, 'issuer-key', undefined);
  const publicKey = createPublicKey({ key: Buffer.from(issuer.spki as Uint8Array), format: 'der', type: 'spki' });
  const acl = hex('8001ff');
  const a = await ask(4, 'certificate', { csn, path: '3F00/7F10', size: 256, acl });
  assert.is(a.keyId, issuer.keyId);
  assert.is((a.cert as Uint8Array).length, 64);
  assert.ok(verifyCertificate(publicKey, certificateMessage(csn, '3F00/7F10', 256, acl), a.cert as Uint8Array));
  assert.not.ok(verifyCertificate(publicKey, certificateMessage(csn, '3F00/7F11', 256, acl), a.cert as Uint8Array));
});

test('a missing or ill-typed field is answered bad-request naming the field', async () => {
  const cases: [string, unknown, RegExp][] = [
    ['transport-key', { csn: hex('0102') }, /field 'csn': must be 4 to 16 bytes long/],
    ['transport-key', { serial: csn }, /field 'csn': is missing/],
    ['session-keys', { csn, hostChallenge: hex('00'), cardChallenge: hex('0011223344556677') }, /field 'hostChallenge': must be 8 bytes long/],
    ['certificate', { csn, path: '3F00', size: -1, acl: hex('00') }, /field 'size'/],
    ['certificate', { csn, path: 7, size: 1, acl: hex('00') }, /field 'path': must be a text string/],
    ['transport-key', 'not a map', /body must be a map/],
  ];
  let id = 100;
  for (const [op, body, expected] of cases) {
    site.station().request(++id, op, body);
    const res = await site.station().answer(id);
    assert.ok(!res.ok && res.err.code === 'bad-request', `${op} ${JSON.stringify(body)}: ${JSON.stringify(res)}`);
    if (!res.ok) assert.match(res.err.msg, expected);
  }
});

test('the key store fails: key-unavailable, the server announces 0 slots, and comes back with the store', async () => {
  store.down = true;
  store.hold();
  // More requests than slots: the two at the server fail, the others wait in the router's queue.
  for (let id = 200; id < 205; id++) site.station().request(id, 'transport-key', { csn });
  // Both slots at work before the first failure announces 0 slots (else the second would wait at the router).
  await waitFor('both slots of the server at the key store', () => store.waiting === 2);
  store.release();
  for (const id of [200, 201]) {
    const res = await site.station().answer(id, 2000);
    assert.ok(!res.ok && res.err.code === 'key-unavailable', `request ${id}: ${JSON.stringify(res)}`);
    if (!res.ok) assert.not.match(res.err.msg, /token|module|\//, 'which store failed is for the log, not the station');
  }
  await waitFor('0 slots announced', () => site.router.snapshot().dispatch.servers.find((s) => s.name === 'ds1')?.slots === 0);
  assert.equal(site.station().answers(203), [], 'queued at the router while the server takes no work');
  store.down = false;
  await waitFor('slots back', () => site.router.snapshot().dispatch.servers.find((s) => s.name === 'ds1')?.slots === 2, 5000);
  for (const id of [202, 203, 204]) assert.ok((await site.station().answer(id)).ok, `request ${id} served once the store is back`);
  const a = await ask(210, 'transport-key', { csn });
  assert.is((a.key as Uint8Array).length, 16);
  assert.ok(site.logLines.some((l) => /error dataserver\.keys-unavailable .*slots=0/.test(l)));
});

test('no key material reaches a log line', () => {
  const all = site.logLines.join('\n');
  for (const field of ['transportMasterKey', 'masterEnc', 'masterMac']) assert.not.ok(all.includes(raw()[field]!.slice(0, 12)), field);
  assert.not.ok(/<Buffer|Uint8Array\(/.test(all), 'no byte dump of any kind');
});

test.run();
