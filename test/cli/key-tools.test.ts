// Issue 10 items 6 and 7, through the real commands: the key tools write both
// files of a pair or neither, create missing folders, refuse equal ids;
// `dataserver --audit-key` given a public key says so; `hsm init --replace`
// asks for confirmation or --yes; a wrong token label is logged with the
// reason `hsm init` gives; `audit verify` of an empty log is not "intact".
// Each process start costs 0.4-0.7 s of CPU (tsx), so they run four at a time.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scratchDir } from '../../src/sim/pty-pair.js';
import { softHsm } from '../dataserver/keystore/softhsm-env.js';
import { waitFor } from '../support/wait.js';
import { BIN, persomux, RAW_NODE, runAll } from './cli-runner.js';

const scratch = scratchDir('cli-keys');
const at = (...p: string[]): string => join(scratch.dir, ...p);
test.after(() => scratch.remove());

test('keygen and audit keygen: both files or neither, folders created, equal ids refused', async () => {
  writeFileSync(at('in-the-way'), 'a file where a folder should be\n');
  mkdirSync(at('taken'));
  writeFileSync(at('taken', 'server.key'), 'keep me\n');
  const jobs: [string[], number, RegExp][] = [
    [['keygen', '--router', 'same.key', '--server', 'same.key'], 1, /same\.key: is the same file as same\.key; the two halves need two files/],
    [['keygen', '--router', 'half.key', '--server', 'in-the-way/x.key'], 1, /in-the-way: is a file, where a folder was expected/],
    [['keygen', '--router', 'taken/router.key', '--server', 'taken/server.key'], 1, /taken\/server\.key: already exists; it is never overwritten/],
    [['keygen', '--router', 'eq-r.key', '--server', 'eq-s.key', '--router-id', '0a0b', '--server-id', '0A0B'], 2, /--router-id and --server-id must differ \(equal ids would reuse nonces\)/],
    [['keygen', '--router', 'new/a/router.key', '--server', 'new/b/server.key'], 0, /created folder .*new\n(.|\n)*created folder .*new\/b\nwrote new\/a\/router\.key \(router\) and new\/b\/server\.key/],
    [['audit', 'keygen', '--private', 'audit.key', '--public', 'audit.key'], 1, /audit\.key: is the same file as audit\.key/],
    [['audit', 'keygen', '--private', 'audit-half.key', '--public', 'in-the-way/audit.pub'], 1, /in-the-way: is a file, where a folder was expected/],
    [['audit', 'keygen', '--private', 'audit/private.pem', '--public', 'audit/public.pem'], 0, /created folder .*audit\nwrote audit\/private\.pem \(private, mode 0600\) and audit\/public\.pem \(public\); key id [0-9a-f]{16}/],
  ];
  const runs = await runAll(jobs.map(([args]) => () => persomux(scratch.dir, args)));
  runs.forEach((r, i) => {
    const [args, status, message] = jobs[i]!;
    const what = `persomux ${args.join(' ')}:\n${r.stdout}${r.stderr}`;
    assert.is(r.status, status, what);
    assert.match(status === 0 ? r.stdout : r.stderr, message, what);
    assert.not.match(r.stderr, RAW_NODE, what);
  });
  // Nothing half-written: no file of a refused pair, no temporary file anywhere.
  for (const f of ['same.key', 'half.key', 'taken/router.key', 'eq-r.key', 'eq-s.key', 'audit.key', 'audit-half.key']) assert.not.ok(existsSync(at(f)), `${f} was written`);
  assert.is(readFileSync(at('taken', 'server.key'), 'utf8'), 'keep me\n');
  const everything = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? everything(join(dir, e.name)).map((n) => `${e.name}/${n}`) : [e.name]));
  assert.equal(everything(scratch.dir).filter((n) => n.includes('.tmp')), []);
  // The pair that was written: both halves, mode 0600, in folders only the owner may enter.
  const r = JSON.parse(readFileSync(at('new/a/router.key'), 'utf8')) as Record<string, string>;
  const s = JSON.parse(readFileSync(at('new/b/server.key'), 'utf8')) as Record<string, string>;
  assert.is(r.senderId, s.recipientId);
  assert.is(r.recipientId, s.senderId);
  assert.is.not(r.senderId, r.recipientId);
  for (const f of ['new/a/router.key', 'new/b/server.key', 'audit/private.pem']) assert.is(statSync(at(f)).mode & 0o777, 0o600, f);
  assert.is(statSync(at('new/a')).mode & 0o777, 0o700);
});

test('dataserver --audit-key given the public key says so first; hsm init --replace needs confirmation; audit verify of an empty log', async () => {
  writeFileSync(at('empty.jsonl'), '');
  const hsm = softHsm();
  const token = hsm.newToken('cli-keys');
  const runs = await runAll([
    () => persomux(scratch.dir, ['dataserver', '--insecure', '--audit', 'a.jsonl', '--audit-key', 'audit/public.pem']),
    () => persomux(scratch.dir, ['audit', 'verify', 'empty.jsonl', '--public-key', 'audit/public.pem']),
    () => persomux(scratch.dir, ['audit', 'verify', 'empty.jsonl', '--public-key', 'audit/public.pem', '--strict']),
    () => persomux(scratch.dir, ['hsm', 'init', '--token', token, '--pin-file', hsm.pinFile, '--module', hsm.modulePath, '--replace']),
  ]);
  const [publicKey, empty, emptyStrict, replace] = runs as [(typeof runs)[0], (typeof runs)[0], (typeof runs)[0], (typeof runs)[0]];
  assert.is(publicKey.status, 1, publicKey.stderr);
  assert.match(publicKey.stderr, /audit\/public\.pem: holds a public key; the data server signs with the private key file/);
  assert.not.match(publicKey.stderr, /group|others|mode/, 'the public key is named first, not its mode');
  assert.is(empty.status, 0);
  assert.match(empty.stdout, /empty\.jsonl: empty: no records, no checkpoints; nothing to verify/);
  assert.not.match(empty.stdout, /intact/);
  assert.is(emptyStrict.status, 1, 'an empty log fails with --strict');
  assert.is(replace.status, 2, replace.stderr);
  assert.match(replace.stderr, new RegExp(`--replace destroys the master keys in token '${token}' and there is no terminal to confirm on: add --yes`));
  assert.not.match(replace.stdout, /master keys .*AES/, 'nothing was generated');
});

test('hsm init --replace: a person who does not type the label changes nothing; --yes replaces', async () => {
  const hsm = softHsm();
  const token = hsm.newToken('cli-replace');
  const hsmArgs = ['hsm', 'init', '--token', token, '--pin-file', hsm.pinFile, '--module', hsm.modulePath];
  const first = await persomux(scratch.dir, hsmArgs);
  assert.is(first.status, 0, first.stderr);
  const keyId = /keyId ([0-9a-f]{16})/.exec(first.stdout)![1];
  // On a terminal (script(1) gives the command a pty): a wrong answer refuses.
  const onTty = await new Promise<{ status: number | null; out: string }>((resolve) => {
    const child = spawn('script', ['-qec', [BIN, ...hsmArgs, '--replace'].map((a) => `'${a}'`).join(' '), '/dev/null'], { cwd: scratch.dir, env: process.env });
    let out = '';
    let answered = false;
    // The answer is typed once; the child may be gone by the time more output arrives.
    child.stdin.on('error', () => {});
    child.stdout.on('data', (c) => {
      out += c;
      if (!answered && out.includes('Type the token label to confirm')) {
        answered = true;
        child.stdin.write('not-the-label\n');
      }
    });
    child.on('close', (status) => resolve({ status, out }));
  });
  assert.match(onTty.out, /--replace destroys the master keys in token/);
  assert.match(onTty.out, /not confirmed; token '[^']+' is unchanged/);
  assert.is(onTty.status, 1);
  const yes = await persomux(scratch.dir, [...hsmArgs, '--replace', '--yes']);
  assert.is(yes.status, 0, yes.stderr);
  assert.match(yes.stdout, /replaced /);
  assert.is.not(/keyId ([0-9a-f]{16})/.exec(yes.stdout)![1], keyId, 'a new issuer key');
});

test('dataserver --token with a wrong label logs the reason hsm init gives, then serves with 0 slots', async () => {
  const hsm = softHsm();
  const child = spawn(BIN, ['dataserver', '--insecure', '--listen', '127.0.0.1:0', '--token', 'NOPE', '--pin-file', hsm.pinFile, '--module', hsm.modulePath], { cwd: scratch.dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (c) => (out += c));
  child.stderr.on('data', (c) => (out += c));
  try {
    await waitFor('the data server listening', () => /dataserver\.listening/.test(out), 30_000);
    assert.match(out, /dataserver\.keys-unavailable why="[^"]*no token labelled 'NOPE'[^"]*" slots=0/);
    assert.ok(out.indexOf('keys-unavailable') < out.indexOf('dataserver.listening'), out);
    assert.match(out, /service="0 ms fixed"/, 'no simulated service time with a real key store');
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('close', r));
  }
});

test.run();
