// SIGHUP to a real `persomux run` while a station keeps working: a line is
// added and a server's address changes. No answer is lost or repeated, the
// untouched line is never reopened and its answer cache still answers a
// retransmission, the changed server drains before its new link takes over;
// a bad file, and a change only a restart can make, are refused with the
// running configuration kept.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataServer } from '../../src/dataserver/dataserver.js';
import { createLogger } from '../../src/log/logger.js';
import { ptyPairs, scratchDir, type PtyPair } from '../../src/sim/pty-pair.js';
import { StationPeer } from '../support/station-peer.js';
import { waitFor } from '../support/wait.js';

const BIN = join(process.cwd(), 'bin/persomux');
const scratch = scratchDir('reload');
const quiet = createLogger({ write: () => {} });
const servers = { a: new DataServer({ name: 'a', slots: 2, serviceTime: { kind: 'fixed', ms: 20 }, log: quiet }), b: new DataServer({ name: 'b', slots: 2, serviceTime: { kind: 'fixed', ms: 20 }, log: quiet }), c: new DataServer({ name: 'c', slots: 2, serviceTime: { kind: 'fixed', ms: 20 }, log: quiet }) };
const ports: Record<string, number> = {};
let pairs: Map<string, PtyPair>;
const stations: StationPeer[] = [];
let router: ChildProcess;
let output = '';
const config = join(scratch.dir, 'router.json');

function writeConfig(over: { lines: string[]; ds2: 'b' | 'c'; router?: string; broken?: boolean }): void {
  writeFileSync(
    config,
    JSON.stringify({
      router: over.router ?? 'reload-test',
      status: { listen: '127.0.0.1:0' },
      lines: over.lines.map((name) => ({ name, path: pairs.get(name)!.routerPath, ...(over.broken ? { baudRate: 'fast' } : {}) })),
      servers: [
        { name: 'ds1', tcp: `127.0.0.1:${ports.a}`, slots: 2, insecure: true },
        { name: 'ds2', tcp: `127.0.0.1:${ports[over.ds2]}`, slots: 2, insecure: true },
      ],
      ops: { echo: { ttlMs: 10_000, retry: true } },
    }),
  );
}

const count = (re: RegExp) => (output.match(re) ?? []).length;

test.after(async () => {
  for (const s of stations) await s.close();
  if (router?.exitCode === null) router.kill('SIGKILL');
  for (const p of pairs?.values() ?? []) await p.kill();
  for (const s of Object.values(servers)) await s.close();
  scratch.remove();
});

test('SIGHUP adds a line and moves a server while traffic continues; bad files change nothing', async () => {
  for (const [k, s] of Object.entries(servers)) ports[k] = await s.listen('127.0.0.1', 0);
  pairs = await ptyPairs(scratch.dir, ['l1', 'l2']);
  writeConfig({ lines: ['l1'], ds2: 'b' });
  router = spawn(BIN, ['run', '--config', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  router.stdout!.on('data', (c) => (output += c));
  router.stderr!.on('data', (c) => (output += c));
  await waitFor('l1 open and both servers available', () => count(/server\.available/g) >= 2 && /line\.open line=l1/.test(output), 60_000);
  const l1 = await new StationPeer(pairs.get('l1')!.peerPath, 'native').open();
  stations.push(l1);

  // A request answered before the reload, to retransmit after it.
  l1.request(100, 'echo', { n: 100 });
  assert.ok((await l1.answer(100)).ok);
  const executedBefore = servers.a.totalExecutions + servers.b.totalExecutions;

  // Traffic on l1 all through the reload: one request after another.
  let stop = false;
  let next = 1;
  const traffic = (async () => {
    while (!stop) {
      const id = next++;
      l1.request(id, 'echo', { id });
      await l1.answer(id, 10_000);
    }
  })();
  await waitFor('traffic flowing', () => next > 5, 30_000);

  writeConfig({ lines: ['l1', 'l2'], ds2: 'c' });
  router.kill('SIGHUP');
  await waitFor('reloaded', () => /router\.reloaded .*linesAdded=1 .*serversReplaced=1/.test(output), 30_000);
  await waitFor('ds2 replaced after draining', () => /server\.replaced server=ds2/.test(output), 20_000);
  await waitFor('l2 open', () => /line\.open line=l2/.test(output), 30_000);
  const l2 = await new StationPeer(pairs.get('l2')!.peerPath, 'native').open();
  stations.push(l2);
  l2.request(1, 'echo', { on: 'l2' });
  assert.ok((await l2.answer(1)).ok, 'the added line is served');
  await waitFor('the new ds2 (c) serves', () => servers.c.totalExecutions > 0, 20_000);

  // A file with a mistake, then a change only a restart can make: both refused, nothing changes.
  writeConfig({ lines: ['l1', 'l2'], ds2: 'c', broken: true });
  router.kill('SIGHUP');
  await waitFor('bad file refused', () => /router\.reload-refused .*baudRate/.test(output), 30_000);
  writeConfig({ lines: ['l1', 'l2'], ds2: 'c', router: 'renamed' });
  router.kill('SIGHUP');
  await waitFor('restart-only change refused', () => /router\.reload-refused .*field=router .*restart/.test(output), 30_000);

  stop = true;
  await traffic;
  // Every request on l1 got exactly one answer, all ok.
  for (let id = 1; id < next; id++) {
    const answers = l1.answers(id);
    assert.is(answers.length, 1, `request ${id}: ${answers.length} answers`);
    assert.ok(answers[0]!.ok, `request ${id}: ${JSON.stringify(answers[0])}`);
  }
  // The untouched line was never reopened, and its answer cache still answers request 100.
  assert.is(count(/line\.open line=l1/g), 1, 'l1 opened once');
  const executed = servers.a.totalExecutions + servers.b.totalExecutions + servers.c.totalExecutions;
  l1.request(100, 'echo', { n: 100 });
  await waitFor('the retransmission answered', () => l1.answers(100).length === 2, 5_000);
  assert.ok(l1.answers(100)[1]!.ok);
  assert.is(servers.a.totalExecutions + servers.b.totalExecutions + servers.c.totalExecutions, executed, 'answered from the cache, not executed again');
  assert.ok(executedBefore >= 1);
  // The running configuration still serves after the refusals.
  l1.request(200, 'echo', { n: 200 });
  assert.ok((await l1.answer(200)).ok);
  router.kill('SIGTERM');
  await new Promise((r) => (router.exitCode !== null ? r(null) : router.once('exit', r)));
});

test.run();
