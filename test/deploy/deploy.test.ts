// `make deploy` end to end against a real OpenSSH server on loopback. The box
// is a scratch folder (PREFIX) with its own config and keys, a socat pty for
// its one line, and a stand-in systemctl (systemctl-shim.sh) that runs the
// router and the confirm oneshot. One release is built by scripts/release.sh;
// the others are copies of it under other names, one whose router never
// becomes healthy. The release is transpiled with esbuild and carries the
// checkout's production node_modules (TRANSPILE_ONLY, WITH_NODE_MODULES): tsc
// and an npm ci per release would triple the time; `make test` type-checks
// first anyway. Takes ~20 s on an idle machine: six deploys over SSH, and the
// unhealthy releases each spend their HEALTH_TIMEOUT (3 s) failing.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, renameSync, statSync, writeFileSync, copyFileSync } from 'node:fs';
import { get } from 'node:http';
import { join, resolve } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ptyPairs, scratchDir, type PtyPair } from '../../src/sim/pty-pair.js';
import { waitFor } from '../support/wait.js';
import { freePort } from '../support/free-port.js';
import { startSshd, type Sshd } from './sshd.js';

const ROOT = resolve(import.meta.dirname, '../..');
const HEALTH_TIMEOUT = '3';

const scratch = scratchDir('deploy');
const box = join(scratch.dir, 'box');
const opt = join(box, 'opt/persomux');
let sshd: Sshd;
let pty: PtyPair;
let statusPort: number;
const releases: Record<'a' | 'b' | 'unhealthy' | 'cutoff', { name: string; archive: string }> = {} as never;
let configHashBefore: string;

function run(cmd: string, args: string[], env: Record<string, string> = {}): string {
  const r = spawnSync(cmd, args, { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stdout}${r.stderr}`);
  return r.stdout;
}

/** Every file under dir, with its mode and content hash: config and keys must not move. */
function treeHash(dir: string): string {
  const h = createHash('sha256');
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((x, y) => x.name.localeCompare(y.name))) {
      const p = join(d, e.name);
      const st = statSync(p);
      h.update(`${p} ${st.mode.toString(8)} ${st.uid}:${st.gid}\n`);
      if (e.isDirectory()) walk(p);
      else h.update(readFileSync(p));
    }
  };
  walk(dir);
  return h.digest('hex');
}

/** A copy of release `from` named `name`; `unhealthy` makes its router start but never serve /healthz. */
function variant(from: string, name: string, unhealthy: boolean): { name: string; archive: string } {
  const work = join(scratch.dir, 'variants');
  mkdirSync(work, { recursive: true });
  const dir = join(work, name);
  cpSync(join(work, from), dir, { recursive: true, verbatimSymlinks: true });
  const release = JSON.parse(readFileSync(join(dir, 'release.json'), 'utf8')) as Record<string, string>;
  writeFileSync(join(dir, 'release.json'), JSON.stringify({ ...release, name, commit: name }));
  writeFileSync(join(dir, 'dist/COMMIT'), `${name}\n`);
  if (unhealthy) {
    const cli = join(dir, 'dist/cli');
    renameSync(join(cli, 'main.js'), join(cli, 'real-main.js'));
    writeFileSync(
      join(cli, 'main.js'),
      `// A release whose router hangs at start: it runs, answers nothing, stops on SIGTERM.\n` +
        `if (process.argv[2] === 'run') { setInterval(() => {}, 60_000); process.once('SIGTERM', () => process.exit(0)); }\n` +
        `else await import('./real-main.js');\n`,
    );
  }
  const archive = join(scratch.dir, `${name}.tar.gz`);
  run('tar', ['-I', 'gzip -1', '-cf', archive, '-C', work, name]); // fast: a test copy, not a shipped release
  return { name, archive };
}

interface Outcome { code: number | null; out: string }

function deploy(args: string[], onLine?: (line: string, kill: () => void) => void): Promise<Outcome> {
  return new Promise((resolvePromise) => {
    const child = spawn(join(ROOT, 'scripts/deploy.sh'), args, {
      env: { ...process.env, PREFIX: box, HEALTH_TIMEOUT, SSH_OPTS: sshd.sshOpts },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // its own process group, so a cut-off kills ssh with it
    });
    let out = '';
    const kill = () => process.kill(-child.pid!, 'SIGKILL');
    const take = (c: Buffer) => {
      const text = c.toString();
      out += text;
      for (const line of text.split('\n')) if (line) onLine?.(line, kill);
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('close', (code) => resolvePromise({ code, out }));
  });
}

const current = () => readlinkSync(join(opt, 'current')).replace(/^releases\//, '');
const previous = () => (existsSync(join(opt, 'previous')) ? readlinkSync(join(opt, 'previous')).replace(/^releases\//, '') : undefined);
const calls = () => (existsSync(join(box, 'systemctl.calls')) ? readFileSync(join(box, 'systemctl.calls'), 'utf8').trim().split('\n') : []);
const lastStarted = () => calls().filter((c) => c.startsWith('started ')).at(-1)?.slice(8);

function healthz(): Promise<number> {
  return new Promise((r) => {
    get(`http://127.0.0.1:${statusPort}/healthz`, (res) => {
      res.resume();
      r(res.statusCode ?? 0);
    }).on('error', () => r(0));
  });
}

test.before(async () => {
  // The box: config and a link key owned by it, a line on a pty, a server that is down (healthy all the same).
  mkdirSync(join(box, 'etc/persomux/keys'), { recursive: true, mode: 0o750 });
  mkdirSync(join(box, 'usr/bin'), { recursive: true });
  copyFileSync(join(ROOT, 'test/deploy/systemctl-shim.sh'), join(box, 'usr/bin/systemctl'));
  pty = (await ptyPairs(scratch.dir, ['m1-s1'])).get('m1-s1')!;
  statusPort = await freePort();
  run(join(ROOT, 'bin/persomux'), ['keygen', '--router', join(box, 'etc/persomux/keys/ds1.key'), '--server', join(scratch.dir, 'ds1-server.key')]);
  writeFileSync(
    join(box, 'etc/persomux/router.json'),
    JSON.stringify({
      router: 'box-test',
      lines: [{ name: 'm1-s1', path: pty.routerPath }],
      servers: [{ name: 'ds1', tcp: `127.0.0.1:${await freePort()}`, keyFile: 'keys/ds1.key', slots: 4 }],
      status: { listen: `127.0.0.1:${statusPort}` },
    }, null, 2),
    { mode: 0o640 },
  );
  configHashBefore = treeHash(join(box, 'etc'));
  sshd = await startSshd(join(scratch.dir, 'ssh'), { PATH: `${join(box, 'usr/bin')}:/usr/local/bin:/usr/bin:/bin`, PERSOMUX_BOX: box });

  const out = run(join(ROOT, 'scripts/release.sh'), [], { RELEASE_DIR: join(scratch.dir, 'built'), WITH_NODE_MODULES: '1', TRANSPILE_ONLY: '1' });
  const archive = readFileSync(join(scratch.dir, 'built/LATEST'), 'utf8').trim();
  const name = archive.split('/').at(-1)!.replace(/\.tar\.gz$/, '');
  assert.match(out, `release: building ${name}`);
  assert.match(name, /^persomux-\d+\.\d+\.\d+-[0-9a-f]{12}/);
  mkdirSync(join(scratch.dir, 'variants'), { recursive: true });
  run('tar', ['-xzf', archive, '-C', join(scratch.dir, 'variants')]);
  releases.a = { name, archive };
  releases.b = variant(name, 'persomux-0.1.0-test-b', false);
  releases.unhealthy = variant(name, 'persomux-0.1.0-test-unhealthy', true);
  releases.cutoff = variant(name, 'persomux-0.1.0-test-cutoff', true);
});

test.after(async () => {
  spawnSync(join(box, 'usr/bin/systemctl'), ['stop', 'persomux.service'], { env: { ...process.env, PERSOMUX_BOX: box } });
  await sshd?.stop();
  await pty?.kill();
  scratch.remove();
});

test('a good release becomes current and healthy; a second one replaces it', async () => {
  const first = await deploy(['deploy', sshd.host, releases.a.archive]);
  assert.is(first.code, 0, first.out);
  assert.match(first.out, `switched current: none -> ${releases.a.name}`);
  assert.match(first.out, `verdict: ${releases.a.name} good`);
  assert.is(current(), releases.a.name);
  assert.is(await healthz(), 200);
  const version = run(join(opt, 'current/bin/persomux'), ['--version']);
  assert.is(version, `persomux 0.1.0 (commit ${releases.a.name.replace(/^persomux-[\d.]+-/, '')})\n`);

  const second = await deploy(['deploy', sshd.host, releases.b.archive]);
  assert.is(second.code, 0, second.out);
  assert.is(current(), releases.b.name);
  assert.is(previous(), releases.a.name);
  assert.is(lastStarted(), releases.b.name);
  assert.is(await healthz(), 200);
  // Each step said what it did, one line each.
  for (const step of ['deploy: persomux-0.1.0-test-b to box', 'deploy: sent', 'box: unpacked', 'box: node', 'box: dependencies', 'box: config:', 'box: switched', 'box: the box now restarts', 'box: verdict:', 'deploy: persomux-0.1.0-test-b is current and healthy']) {
    assert.ok(second.out.includes(step), `no '${step}' line in:\n${second.out}`);
  }
});

test('a release that is not healthy in time is rolled back and the previous one serves again', async () => {
  const r = await deploy(['deploy', sshd.host, releases.unhealthy.archive]);
  assert.is(r.code, 1, r.out);
  assert.match(r.out, `verdict: ${releases.unhealthy.name} rolled back: not healthy after ${HEALTH_TIMEOUT} s`);
  assert.match(r.out, `${releases.b.name} serves again`);
  assert.match(r.out, 'deploy: FAILED');
  assert.is(current(), releases.b.name);
  assert.is(lastStarted(), releases.b.name);
  assert.is(await healthz(), 200);
  // `previous` never leads back to the release that failed.
  assert.is(previous(), releases.a.name);
});

test('a deploy cut off right after the switch is rolled back by the box itself', async () => {
  let cut = false;
  const r = await deploy(['deploy', sshd.host, releases.cutoff.archive], (line, kill) => {
    if (!cut && line.includes('switched current:')) {
      cut = true;
      kill();
    }
  });
  assert.ok(cut, r.out);
  assert.not.match(r.out, 'verdict:');
  const verdict = await waitFor(
    "the box's own verdict",
    () => {
      const v = existsSync(join(opt, 'state/verdict')) && !existsSync(join(opt, 'state/pending')) ? readFileSync(join(opt, 'state/verdict'), 'utf8') : '';
      return v.startsWith(releases.cutoff.name) ? v : undefined;
    },
    20_000,
  );
  assert.match(verdict, `${releases.cutoff.name} rolled back`);
  assert.match(verdict, `${releases.b.name} serves again`);
  assert.is(current(), releases.b.name);
  assert.is(lastStarted(), releases.b.name);
  assert.is(await healthz(), 200);
});

test('deploying the current release again changes nothing and restarts nothing', async () => {
  const before = calls().length;
  const r = await deploy(['deploy', sshd.host, releases.b.archive]);
  assert.is(r.code, 0, r.out);
  assert.match(r.out, `box: ${releases.b.name} is already on the box`);
  assert.match(r.out, `box: ${releases.b.name} is already current and healthy`);
  assert.is(calls().length, before);
  assert.is(current(), releases.b.name);
  assert.is(await healthz(), 200);
});

test('make rollback returns to the previous good release; only the last releases are kept', async () => {
  const r = await deploy(['rollback', sshd.host]);
  assert.is(r.code, 0, r.out);
  assert.match(r.out, `rolling back by hand: ${releases.b.name} -> ${releases.a.name}`);
  assert.is(current(), releases.a.name);
  assert.is(previous(), releases.b.name);
  assert.is(lastStarted(), releases.a.name);
  assert.is(await healthz(), 200);
  // The failed releases are gone; the good ones stay.
  assert.equal(readdirSync(join(opt, 'releases')).filter((n) => !n.startsWith('.')).sort(), [releases.a.name, releases.b.name].sort());
});

test("the box's config and keys are unchanged by all of it", () => {
  assert.is(treeHash(join(box, 'etc')), configHashBefore);
});

test.run();
