// Issue 11 item 2 with a real process: a data server stopped (SIGSTOP) while
// it holds requests, for longer than their ttl, then resumed. The router
// answers them (server-lost or timeout) and drops the link; the server must
// not run any of them (past their ttl, and their connection gone), while
// fresh work after it comes back runs. The server's debug log counts
// executions. Takes ~3 s: a process start (tsx) and a 1.5 s stop by design.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/log/logger.js';
import { Router } from '../../src/router/router.js';
import { ptyPairs, scratchDir, type PtyPair } from '../../src/sim/pty-pair.js';
import { StationPeer } from '../support/station-peer.js';
import { waitFor } from '../support/wait.js';
import { freePort } from '../support/free-port.js';

const scratch = scratchDir('frozen');
let child: ChildProcess | undefined;
let router: Router | undefined;
let station: StationPeer | undefined;
let pair: PtyPair | undefined;
test.after(async () => {
  await station?.close();
  router?.stop();
  if (child && child.exitCode === null) {
    child.kill('SIGCONT');
    child.kill('SIGKILL');
  }
  await pair?.kill();
  scratch.remove();
});


test('requests held by a server frozen past their ttl never run; fresh work after it resumes does', async () => {
  const port = await freePort();
  let out = '';
  child = spawn(join(process.cwd(), 'bin/persomux'), ['dataserver', '--insecure', '--listen', `127.0.0.1:${port}`, '--slots', '4', '--service-time', '200', '--log-level', 'debug'], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (c) => (out += c));
  child.stderr!.on('data', (c) => (out += c));
  await waitFor('the data server listening', () => /dataserver\.listening/.test(out), 30_000);

  pair = (await ptyPairs(scratch.dir, ['l1'])).get('l1')!;
  const file = join(scratch.dir, 'router.json');
  writeFileSync(file, JSON.stringify({ router: 'frozen-box', defaults: { pingIntervalMs: 100 }, lines: [{ name: 'l1', path: pair.routerPath }], servers: [{ name: 'ds1', tcp: `127.0.0.1:${port}`, insecure: true, slots: 4 }], ops: { echo: { ttlMs: 800 } } }));
  const routerLog: string[] = [];
  router = new Router(loadConfig(file), createLogger({ level: 'debug', write: (l) => routerLog.push(l) }));
  router.start();
  const available = () => router!.snapshot().dispatch.servers.some((s) => s.available);
  await waitFor('ds1 available', available, 10_000);
  station = await new StationPeer(pair.peerPath).open();

  for (const id of [1, 2, 3, 4]) station.request(id, 'echo', { id });
  await waitFor('four requests at the server', () => routerLog.filter((l) => / request\.dispatched /.test(l)).length === 4);
  child.kill('SIGSTOP');
  const stoppedAt = Date.now();
  for (const id of [1, 2, 3, 4]) assert.not.ok((await station.answer(id)).ok, `request ${id} answered ok by a stopped server`);
  await waitFor('the stop outlasting the ttl by far', () => Date.now() - stoppedAt >= 1_500 || undefined, 5_000);
  child.kill('SIGCONT');

  await waitFor('ds1 available again', available, 10_000);
  for (const id of [5, 6]) station.request(id, 'echo', { id });
  for (const id of [5, 6]) assert.ok((await station.answer(id)).ok, `fresh request ${id}`);
  const executed = out.split('\n').filter((l) => / dataserver\.execute /.test(l)).length;
  assert.is(executed, 2, `executions:\n${out.split('\n').filter((l) => /execute/.test(l)).join('\n')}`);
});

test.run();
