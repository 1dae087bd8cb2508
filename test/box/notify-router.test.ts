// The real router (bin/persomux run) under a stand-in for systemd: its own
// NOTIFY_SOCKET, WATCHDOG_USEC=400000 (a ping every 200 ms). It must say
// READY=1, ping at that interval, skip the ping that follows an event loop
// blocked on purpose (SIGUSR2, by a preload that lives in the test), and say
// STOPPING=1 on SIGTERM. Takes ~3 s: it watches a dozen real ping intervals.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import unixDgram from 'unix-dgram';
import { ptyPairs, scratchDir } from '../../src/sim/pty-pair.js';
import { waitFor } from '../support/wait.js';

const ROOT = resolve(import.meta.dirname, '../..');
const PING_MS = 200;

test('READY=1, WATCHDOG=1 every WATCHDOG_USEC/2, none for a blocked loop, STOPPING=1 on SIGTERM', async () => {
  const scratch = scratchDir('notify');
  const pairs = await ptyPairs(scratch.dir, ['s1']);
  const received: { at: number; state: string }[] = [];
  const socketPath = join(scratch.dir, 'notify.sock');
  const receiver = unixDgram.createSocket('unix_dgram', (msg) => received.push({ at: Date.now(), state: msg.toString() }));
  receiver.bind(socketPath);
  const config = join(scratch.dir, 'router.json');
  writeFileSync(config, JSON.stringify({ router: 'notify-test', lines: [{ name: 's1', path: pairs.get('s1')!.routerPath }], servers: [], status: { listen: '127.0.0.1:0' } }));
  const preload = pathToFileURL(join(ROOT, 'test/box/block-on-sigusr2.mjs')).href;
  const router = spawn(join(ROOT, 'bin/persomux'), ['run', '--config', config], {
    env: { ...process.env, NOTIFY_SOCKET: socketPath, WATCHDOG_USEC: String(PING_MS * 2000), NODE_OPTIONS: `--import ${preload}`, PERSOMUX_TEST_BLOCK_MS: '1000' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  router.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((r) => router.once('exit', (code) => r(code)));
  const pings = () => received.filter((m) => m.state === 'WATCHDOG=1').map((m) => m.at);
  try {
    await waitFor('READY=1', () => received.some((m) => m.state === 'READY=1'), 15_000);
    const readyAt = received.find((m) => m.state === 'READY=1')!.at;
    await waitFor('6 pings', () => pings().filter((t) => t > readyAt).length >= 6, 5000);
    // At the configured interval: each gap near 200 ms (a shared 2-core machine jitters; a gap of 2x would be a missed ping).
    const steady = pings().filter((t) => t > readyAt).slice(0, 6);
    for (let i = 1; i < steady.length; i++) {
      const gap = steady[i]! - steady[i - 1]!;
      assert.ok(gap >= PING_MS * 0.6 && gap <= PING_MS * 1.9, `gap ${gap} ms between pings, expected about ${PING_MS}`);
    }

    router.kill('SIGUSR2');
    const block = await waitFor('the block to end', () => /test\.block from=(\d+) to=(\d+)/.exec(stderr) ?? undefined, 5000);
    const from = Number(block[1]);
    const to = Number(block[2]);
    await waitFor('pinging to resume', () => pings().some((t) => t > to), 3000);
    // Nothing while blocked (the receiver stamps on arrival, so allow its own few ms after `from`).
    assert.equal(pings().filter((t) => t > from + 20 && t <= to), []);
    // The ping that came due during the block fires late and is skipped: the next one is a full interval later.
    const firstAfter = pings().find((t) => t > to)!;
    assert.ok(firstAfter - to >= PING_MS * 0.6, `a ping ${firstAfter - to} ms after the block: the late one was not skipped`);
    assert.match(stderr, /watchdog\.skip .*reason=loop-lag/);

    router.kill('SIGTERM');
    assert.is(await exited, 0);
    assert.is(received.at(-1)?.state, 'STOPPING=1');
    assert.is(received.filter((m) => m.state === 'READY=1').length, 1);
  } finally {
    if (router.exitCode === null) router.kill('SIGKILL');
    receiver.close();
    await pairs.get('s1')!.kill();
    scratch.remove();
  }
});

test.run();
