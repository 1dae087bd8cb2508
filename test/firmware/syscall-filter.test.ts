// The router really runs under the unit's SystemCallFilter: no systemd runs
// here, so the test runs the real router (a line on a pty, a link to a server
// that is down, the status interface, sd_notify with a watchdog) under strace,
// and checks every system call it made, in every thread, against the sets the
// unit names, expanded by `systemd-analyze syscall-filter`. A filter that
// scores well but kills Node at its first setrlimit would fail here.
// The sources are transpiled with esbuild (no tsx: its esbuild service is
// another program, with its own system calls). Takes ~3 s.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { join, resolve } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import unixDgram from 'unix-dgram';
import { ptyPairs, scratchDir } from '../../src/sim/pty-pair.js';
import { waitFor } from '../support/wait.js';
import { freePort } from '../support/free-port.js';

const ROOT = resolve(import.meta.dirname, '../..');

/** Each group of `systemd-analyze syscall-filter`, with nested groups expanded. */
function syscallGroups(): Map<string, Set<string>> {
  const text = spawnSync('systemd-analyze', ['syscall-filter'], { encoding: 'utf8', env: { ...process.env, SYSTEMD_PAGER: '' } }).stdout;
  const raw = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of text.split('\n')) {
    if (/^@\S+$/.test(line)) raw.set(line, (current = []));
    else if (/^\S/.test(line)) current = undefined; // "# Unlisted system calls ..." and the like
    else if (current && /^\s+@?[a-z_0-9-]+$/.test(line)) current.push(line.trim());
  }
  const expand = (name: string, seen = new Set<string>()): Set<string> => {
    const out = new Set<string>();
    if (seen.has(name)) return out;
    seen.add(name);
    for (const m of raw.get(name) ?? []) for (const s of m.startsWith('@') ? expand(m, seen) : [m]) out.add(s);
    return out;
  };
  return new Map([...raw.keys()].map((g) => [g, expand(g)]));
}

/** What the unit allows: its allow-list (plus @default, always permitted) minus its deny-lists. */
function allowedByUnit(groups: Map<string, Set<string>>): { allowed: Set<string>; filter: string[] } {
  const unit = readFileSync(join(ROOT, 'firmware/systemd/persomux.service'), 'utf8');
  const filter = [...unit.matchAll(/^SystemCallFilter=(.*)$/gm)].map((m) => m[1]!.trim());
  const names = (list: string) => list.split(/\s+/).flatMap((n) => (n.startsWith('@') ? [...(groups.get(n) ?? [])] : [n]));
  const allowed = new Set(names('@default'));
  for (const f of filter) {
    if (f.startsWith('~')) for (const n of names(f.slice(1))) allowed.delete(n);
    else for (const n of names(f)) allowed.add(n);
  }
  return { allowed, filter };
}

test("every system call the router makes is allowed by persomux.service's SystemCallFilter", async () => {
  const scratch = scratchDir('seccomp');
  const pairs = await ptyPairs(scratch.dir, ['s1']);
  const received: string[] = [];
  const socketPath = join(scratch.dir, 'notify.sock');
  const receiver = unixDgram.createSocket('unix_dgram', (m) => received.push(m.toString()));
  receiver.bind(socketPath);
  let router: ReturnType<typeof spawn> | undefined;
  try {
    const tree = join(scratch.dir, 'tree');
    const files = spawnSync('find', ['src', '-name', '*.ts', '!', '-name', '*.d.ts'], { cwd: ROOT, encoding: 'utf8' }).stdout.trim().split('\n');
    const built = spawnSync(join(ROOT, 'node_modules/.bin/esbuild'), [...files, `--outdir=${tree}/src`, '--format=esm', '--platform=node', '--log-level=warning'], { cwd: ROOT, encoding: 'utf8' });
    assert.is(built.status, 0, built.stderr);
    symlinkSync(join(ROOT, 'node_modules'), join(tree, 'node_modules'));
    writeFileSync(join(tree, 'package.json'), '{"type":"module"}');
    const statusPort = await freePort();
    const config = join(scratch.dir, 'router.json');
    writeFileSync(config, JSON.stringify({
      router: 'seccomp',
      lines: [{ name: 's1', path: pairs.get('s1')!.routerPath }],
      servers: [{ name: 'ds1', tcp: `127.0.0.1:${await freePort()}`, insecure: true }],
      status: { listen: `127.0.0.1:${statusPort}` },
    }));
    const trace = join(scratch.dir, 'strace.txt');
    router = spawn('strace', ['-f', '-qq', '-c', '-o', trace, process.execPath, join(tree, 'src/cli/main.js'), 'run', '--config', config], {
      env: { ...process.env, NOTIFY_SOCKET: socketPath, WATCHDOG_USEC: '200000' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    router.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number | null>((r) => router!.once('exit', (code) => r(code)));
    await waitFor('READY=1 and two watchdog pings', () => received.includes('READY=1') && received.filter((m) => m === 'WATCHDOG=1').length >= 2, 15_000);
    const code = await new Promise<number>((r) => get(`http://127.0.0.1:${statusPort}/healthz`, (res) => { res.resume(); r(res.statusCode ?? 0); }).on('error', () => r(0)));
    assert.is(code, 200);
    await waitFor('a connection attempt to the server that is down', () => /link\.(down|retry|closed|lost|connect)/.test(stderr) || undefined, 5000).catch(() => undefined);
    // SIGTERM to the router itself (strace's child): strace keeps tracing until it exits.
    const pid = Number(spawnSync('pgrep', ['-P', String(router.pid)], { encoding: 'utf8' }).stdout.trim());
    assert.ok(pid > 0, 'the router under strace has no pid');
    process.kill(pid, 'SIGTERM');
    assert.is(await exited, 0, stderr);
    assert.ok(received.includes('STOPPING=1'));

    const used = readFileSync(trace, 'utf8').split('\n')
      .map((l) => /^\s*[\d.]+\s+[\d.]+\s+\d+\s+\d+\s+(?:\d+\s+)?([a-z_0-9]+)$/.exec(l)?.[1])
      .filter((s): s is string => s !== undefined && s !== 'total');
    assert.ok(used.length > 20, `strace saw only: ${used.join(' ')}`);
    const { allowed, filter } = allowedByUnit(syscallGroups());
    assert.ok(allowed.size > 100);
    assert.equal(used.filter((s) => !allowed.has(s)), [], `system calls the router made that ${filter.join(' + ')} does not allow`);
  } finally {
    if (router && router.exitCode === null) {
      // Killing strace alone would leave the router running, detached: end both.
      spawnSync('pkill', ['-KILL', '-P', String(router.pid)]);
      router.kill('SIGKILL');
    }
    receiver.close();
    await pairs.get('s1')!.kill();
    scratch.remove();
  }
});

test.run();
