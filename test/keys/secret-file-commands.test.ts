// The secret-file rule through the real commands: a FIFO given as a link key,
// a key store, a PIN file or an audit key made the process hang with no
// output (issue 11). Each command must now exit at once with an error naming
// the file; so must a key reached through a symlinked folder or one that
// repeats a field. The commands run in parallel: each is a process start
// (~1-2 s of tsx on a loaded machine).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scratchDir } from '../../src/sim/pty-pair.js';
import { writeKeyPair } from '../../src/keys/link-key-file.js';

const BIN = join(process.cwd(), 'bin/persomux');
const scratch = scratchDir('secret-cli');
test.after(() => scratch.remove());

/** Runs a command; kills it if it has not exited in `limitMs` (a hang is the failure this test looks for). */
function run(args: readonly string[], limitMs = 30_000): Promise<{ code: number | null; out: string; hung: boolean }> {
  return new Promise((resolve) => {
    const child = spawn(BIN, args, { cwd: scratch.dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (out += c));
    let hung = false;
    const timer = setTimeout(() => {
      hung = true;
      child.kill('SIGKILL');
    }, limitMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out, hung });
    });
  });
}

test('each command refuses a FIFO given as a secret, naming the file, without hanging', async () => {
  const fifo = join(scratch.dir, 'secret.fifo');
  execFileSync('mkfifo', ['-m', '600', fifo]);
  const router = join(scratch.dir, 'router.key');
  writeKeyPair(router, join(scratch.dir, 'server.key'), Buffer.of(1), Buffer.of(2));
  const config = join(scratch.dir, 'router.json');
  writeFileSync(config, JSON.stringify({ router: 'r', lines: [{ name: 'l1', path: '/dev/null' }], servers: [{ name: 'ds1', tcp: '127.0.0.1:9', keyFile: fifo }] }));
  const cases: [string, string[]][] = [
    ['link key (dataserver --key)', ['dataserver', '--key', fifo, '--listen', '127.0.0.1:0']],
    ['link key (check --config)', ['check', '--config', config]],
    ['key store (dataserver --keys)', ['dataserver', '--insecure', '--keys', fifo, '--listen', '127.0.0.1:0']],
    ['PIN file (hsm init --pin-file)', ['hsm', 'init', '--token', 'nothing', '--pin-file', fifo]],
    ['audit key (dataserver --audit-key)', ['dataserver', '--insecure', '--audit', join(scratch.dir, 'a.jsonl'), '--audit-key', fifo, '--listen', '127.0.0.1:0']],
    ['audit public key (audit verify --public-key)', ['audit', 'verify', join(scratch.dir, 'none.jsonl'), '--public-key', fifo]],
  ];
  const results = await Promise.all(cases.map(([, args]) => run(args)));
  cases.forEach(([name, args], i) => {
    const r = results[i]!;
    assert.not.ok(r.hung, `${name}: hung (${args.join(' ')})`);
    assert.is.not(r.code, 0, `${name}: exit ${r.code}`);
    assert.ok(r.out.includes(fifo) && /a FIFO/.test(r.out), `${name}: ${r.out}`);
  });
});

test('the commands refuse a key reached through a symlinked folder and a key file that repeats a field', async () => {
  const real = join(scratch.dir, 'real-keys');
  mkdirSync(real, { mode: 0o700 });
  writeKeyPair(join(real, 'router.key'), join(real, 'server.key'), Buffer.of(1), Buffer.of(2));
  const linked = join(scratch.dir, 'linked-keys');
  symlinkSync(real, linked);
  const twice = join(scratch.dir, 'twice.key');
  const text = readFileSync(join(real, 'server.key'), 'utf8');
  writeFileSync(twice, text.replace(/\s*}\s*$/, ',\n  "senderId": "03"\n}\n'), { mode: 0o600 });
  const config = join(scratch.dir, 'linked.json');
  writeFileSync(config, JSON.stringify({ router: 'r', lines: [{ name: 'l1', path: '/dev/null' }], servers: [{ name: 'ds1', tcp: '127.0.0.1:9', keyFile: join(linked, 'router.key') }] }));
  const [check, dataserver] = await Promise.all([run(['check', '--config', config]), run(['dataserver', '--key', twice, '--listen', '127.0.0.1:0'])]);
  assert.is.not(check.code, 0);
  assert.ok(check.out.includes(join(linked, 'router.key')) && /reached through a symbolic link/.test(check.out), check.out);
  assert.is.not(dataserver.code, 0);
  assert.ok(dataserver.out.includes(twice) && /names field 'senderId' more than once/.test(dataserver.out), dataserver.out);
});

test.run();
