// The commands as an operator runs them, as real processes: keygen and
// keystore write their files, check validates, and `dataserver` and `run`
// serve a station on a pty over a sealed link until SIGTERM; SIGUSR2 drains
// and resumes the data server.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ptyPairs, scratchDir, type PtyPair } from '../../src/sim/pty-pair.js';
import { decodeCbor } from '../../src/wire/cbor.js';
import { StationPeer } from '../support/station-peer.js';
import { softHsm, USER_PIN } from '../dataserver/keystore/softhsm-env.js';
import { certificateMessage, verifyCertificate } from '../../src/dataserver/crypto/certificate.js';
import { createPublicKey } from 'node:crypto';
import { waitFor } from '../support/wait.js';
import { freePort } from '../support/free-port.js';

const BIN = join(process.cwd(), 'bin/persomux');
const scratch = scratchDir('cli');
const children: ChildProcess[] = [];
let pair: PtyPair;
let station: StationPeer;
const output = { ds: '', router: '' };

function persomux(...args: string[]) {
  return spawnSync(BIN, args, { cwd: scratch.dir, encoding: 'utf8' });
}

function start(name: keyof typeof output, ...args: string[]): ChildProcess {
  const child = spawn(BIN, args, { cwd: scratch.dir, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (c) => (output[name] += c));
  child.stderr!.on('data', (c) => (output[name] += c));
  children.push(child);
  return child;
}

/** The router starts only once the data server listens, or its first connect fails and backs off. */
async function serverListening(): Promise<void> {
  try {
    await waitFor('the data server listening', () => /dataserver\.listening/.test(output.ds), 20_000);
  } catch (e) {
    throw new Error(`${(e as Error).message}\ndata server output:\n${output.ds}`);
  }
}


test.after(async () => {
  await station?.close();
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await pair?.kill();
  scratch.remove();
});

test('keygen and keystore write their files; check validates and names mistakes', () => {
  const keygen = persomux('keygen', '--router', 'router.key', '--server', 'server.key');
  assert.is(keygen.status, 0, keygen.stderr);
  const store = persomux('keystore', 'create', '--file', 'keys.json');
  assert.is(store.status, 0, store.stderr);
  assert.match(store.stdout, /wrote keys\.json \(mode 0600\): 128-bit master keys, issuer key [0-9a-f]{16}/);
  writeFileSync(join(scratch.dir, 'bad.json'), JSON.stringify({ router: 'r', lines: [{ name: 'l', path: '/dev/x', parity: 'sometimes' }], servers: [{ name: 's', tcp: '10.0.0.9:1' }] }));
  const bad = persomux('check', '--config', 'bad.json');
  assert.is(bad.status, 1);
  assert.match(bad.stderr, /bad\.json: lines\[0\]\.parity: must be one of "none"/);
  assert.match(bad.stderr, /bad\.json: servers\[0\]\.keyFile: is missing/);
});

test('dataserver and run serve a station over a sealed link, and stop on SIGTERM', async () => {
  pair = (await ptyPairs(scratch.dir, ['m1-s1'])).get('m1-s1')!;
  const port = await freePort();
  const auditKey = persomux('audit', 'keygen', '--private', 'audit.key', '--public', 'audit.pub');
  assert.is(auditKey.status, 0, auditKey.stderr);
  const ds = start('ds', 'dataserver', '--listen', `127.0.0.1:${port}`, '--key', 'server.key', '--keys', 'keys.json', '--service-time', '1', '--slots', '2', '--audit', 'audit.jsonl', '--audit-key', 'audit.key');
  writeFileSync(
    join(scratch.dir, 'router.json'),
    JSON.stringify({ router: 'box-1', lines: [{ name: 'm1-s1', path: pair.routerPath }], servers: [{ name: 'hsm-a', tcp: `127.0.0.1:${port}`, keyFile: 'router.key', slots: 2 }], ops: { 'transport-key': { retry: true } } }),
  );
  await serverListening();
  const check = persomux('check', '--config', 'router.json');
  assert.is(check.status, 0, check.stderr);
  assert.match(check.stdout, /server hsm-a: 127\.0\.0\.1:\d+ \(sealed with .*router\.key/);
  const router = start('router', 'run', '--config', 'router.json');
  await waitFor('the server available to the router', () => /server\.available server=hsm-a slots=2/.test(output.router), 20_000).catch((e: Error) => {
    throw new Error(`${e.message}\nrouter:\n${output.router}\ndata server:\n${output.ds}`);
  });
  station = await new StationPeer(pair.peerPath).open();
  station.request(1, 'transport-key', { csn: Buffer.from('04a1b2c3', 'hex') });
  const res = await station.answer(1);
  assert.ok(res.ok, JSON.stringify(res));
  if (res.ok) assert.is(((decodeCbor(res.body) as { key: Uint8Array }).key).length, 16);
  await station.close();
  for (const [name, child] of [['router', router], ['ds', ds]] as const) {
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((r) => (child.exitCode !== null ? r(child.exitCode) : child.once('exit', (c) => r(c))));
    assert.is(code, 0, `${name} exit code; output:\n${output[name]}`);
  }
  assert.match(output.router, /info  router\.stop router=box-1/);

  // The data server's audit trail: intact as written; an edited record is named.
  const verify = persomux('audit', 'verify', 'audit.jsonl', '--public-key', 'audit.pub');
  assert.is(verify.status, 0, verify.stdout + verify.stderr);
  assert.match(verify.stdout, /1 records?, 1 checkpoints?.*intact/);
  const log = readFileSync(join(scratch.dir, 'audit.jsonl'), 'utf8');
  assert.match(log, /"station":"box-1\/m1-s1","op":"transport-key","csn":"04a1b2c3"/);
  writeFileSync(join(scratch.dir, 'edited.jsonl'), log.replace('"outcome":"ok"', '"outcome":"bad-request"'));
  const edited = persomux('audit', 'verify', 'edited.jsonl', '--public-key', 'audit.pub');
  assert.is(edited.status, 1);
  assert.match(edited.stdout + edited.stderr, /line 1 \(seq 1\): record was changed/);
  const keys = JSON.parse(readFileSync(join(scratch.dir, 'server.key'), 'utf8')) as { masterSecret: string };
  assert.not.ok((output.router + output.ds).includes(keys.masterSecret.slice(0, 16)), 'no secret in the logs');
});

test('hsm init puts the keys in a token; dataserver --token signs certificates inside it', async () => {
  const hsm = softHsm();
  const token = hsm.newToken('cli');
  const init = persomux('hsm', 'init', '--token', token, '--pin-file', hsm.pinFile, '--module', hsm.modulePath);
  assert.is(init.status, 0, init.stderr + init.stdout);
  assert.not.ok((init.stdout + init.stderr).includes(USER_PIN), 'the PIN is never printed');
  const port = await freePort();
  output.ds = '';
  const ds = start('ds', 'dataserver', '--listen', `127.0.0.1:${port}`, '--key', 'server.key', '--token', token, '--pin-file', hsm.pinFile, '--module', hsm.modulePath, '--service-time', '1');
  writeFileSync(
    join(scratch.dir, 'router-hsm.json'),
    JSON.stringify({ router: 'box-1', lines: [{ name: 'm1-s1', path: pair.routerPath }], servers: [{ name: 'hsm-a', tcp: `127.0.0.1:${port}`, keyFile: 'router.key', slots: 4 }] }),
  );
  await serverListening();
  output.router = '';
  const router = start('router', 'run', '--config', 'router-hsm.json');
  await waitFor('the token-backed server available', () => /server\.available server=hsm-a slots=4 ops=.*certificate/.test(output.router), 20_000).catch((e: Error) => {
    throw new Error(`${e.message}\nrouter:\n${output.router}\ndata server:\n${output.ds}`);
  });
  station = await new StationPeer(pair.peerPath).open();
  station.request(10, 'issuer-key', undefined);
  station.request(11, 'certificate', { csn: Buffer.from('04a1b2c3', 'hex'), path: '3F00', size: 64, acl: Buffer.of(0) });
  const [issuer, cert] = [await station.answer(10), await station.answer(11)];
  assert.ok(issuer.ok && cert.ok, JSON.stringify([issuer, cert]));
  if (issuer.ok && cert.ok) {
    const { spki } = decodeCbor(issuer.body) as { spki: Uint8Array };
    const signed = decodeCbor(cert.body) as { cert: Uint8Array };
    const publicKey = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
    assert.ok(verifyCertificate(publicKey, certificateMessage(Buffer.from('04a1b2c3', 'hex'), '3F00', 64, Buffer.of(0)), signed.cert));
  }
  // The operator drains the server (0 slots): the router keeps the request queued until the server resumes.
  ds.kill('SIGUSR2');
  await waitFor('the router told of 0 slots', () => /server\.slots-differ server=hsm-a configured=4 announced=0/.test(output.router), 20_000);
  station.request(12, 'issuer-key', undefined);
  await waitFor('request 12 queued at the router', () => station.acks(12) > 0);
  assert.equal(station.answers(12), [], 'no answer from a drained server');
  ds.kill('SIGUSR2');
  assert.ok((await station.answer(12)).ok, 'served once the server resumed');
  assert.match(output.ds, /info  dataserver\.drain slots=0[\s\S]*info  dataserver\.resume slots=4/);
  for (const child of [router, ds]) {
    child.kill('SIGTERM');
    await new Promise((r) => (child.exitCode !== null ? r(0) : child.once('exit', r)));
  }
  // On stop the server logs the work it did, by op.
  assert.match(output.ds, /dataserver\.executed name=dataserver op=issuer-key count=2/);
  assert.match(output.ds, /dataserver\.executed name=dataserver op=certificate count=1/);
  assert.match(output.ds, /dataserver\.stopped name=dataserver executed=3/);
  assert.not.ok(output.ds.includes(USER_PIN), 'the PIN is never logged');
});

test.run();
