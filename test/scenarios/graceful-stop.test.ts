// SIGTERM to a real `persomux run` under load, with one data server frozen
// (it never answers) so that something is really cut: the requests at the
// healthy server finish during the stop and reach their station, the ones
// never sent are answered overloaded, the frozen server's are answered
// server-lost at stopTimeoutMs, and the log names each one cut. The servers'
// ops are held by the test, so the state at SIGTERM is known, not raced.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataServer } from '../../src/dataserver/dataserver.js';
import type { OpHandler } from '../../src/dataserver/ops/op.js';
import { createLogger } from '../../src/log/logger.js';
import { ptyPairs, scratchDir, type PtyPair } from '../../src/sim/pty-pair.js';
import { StationPeer } from '../support/station-peer.js';
import { waitFor } from '../support/wait.js';

const BIN = join(process.cwd(), 'bin/persomux');
const scratch = scratchDir('stop');
const quiet = createLogger({ write: () => {} });
let release: () => void = () => {};
const released = new Promise<void>((r) => (release = r));
let started = 0;
const held = (until: Promise<void>): OpHandler => async (body) => {
  started++;
  await until;
  return { ok: true, body: body! };
};
const never = new Promise<void>(() => {});
const healthy = new DataServer({ name: 'healthy', slots: 2, serviceTime: { kind: 'fixed', ms: 0 }, ops: new Map([['echo', held(released)]]), log: quiet });
const frozen = new DataServer({ name: 'frozen', slots: 2, serviceTime: { kind: 'fixed', ms: 0 }, ops: new Map([['echo', held(never)]]), log: quiet });
let pair: PtyPair;
let station: StationPeer;
let router: ChildProcess;
let output = '';

test.after(async () => {
  await station?.close();
  if (router?.exitCode === null) router.kill('SIGKILL');
  await pair?.kill();
  await healthy.close();
  await frozen.close();
  scratch.remove();
});

test('SIGTERM: finished answers delivered, unsent ones refused, frozen ones cut and named', async () => {
  const [hp, fp] = [await healthy.listen('127.0.0.1', 0), await frozen.listen('127.0.0.1', 0)];
  pair = (await ptyPairs(scratch.dir, ['l1'])).get('l1')!;
  const config = join(scratch.dir, 'router.json');
  writeFileSync(
    config,
    JSON.stringify({
      router: 'stop-test',
      stopTimeoutMs: 4000,
      status: { listen: '127.0.0.1:0' },
      lines: [{ name: 'l1', path: pair.routerPath }],
      servers: [
        { name: 'healthy', tcp: `127.0.0.1:${hp}`, slots: 2, insecure: true },
        { name: 'frozen', tcp: `127.0.0.1:${fp}`, slots: 2, insecure: true },
      ],
      ops: { echo: { ttlMs: 30_000, retry: false } },
    }),
  );
  router = spawn(BIN, ['run', '--config', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  router.stdout!.on('data', (c) => (output += c));
  router.stderr!.on('data', (c) => (output += c));
  await waitFor('both servers available', () => (output.match(/server\.available/g) ?? []).length >= 2 && /line\.open/.test(output), 60_000);
  station = await new StationPeer(pair.peerPath, 'native').open();
  for (let id = 1; id <= 6; id++) station.request(id, 'echo', { id });
  await waitFor('six acks', () => [1, 2, 3, 4, 5, 6].every((id) => station.acks(id) > 0), 10_000);
  await waitFor('two at each server, two queued', () => started === 4, 10_000);
  router.kill('SIGTERM');
  await waitFor('the router stopping', () => /router\.stopping/.test(output), 10_000);
  release();
  const codes = new Map<number, string>();
  for (let id = 1; id <= 6; id++) {
    const res = await station.answer(id, 10_000);
    codes.set(id, res.ok ? 'ok' : res.err.code);
  }
  const exit = await new Promise<number | null>((r) => (router.exitCode !== null ? r(router.exitCode) : router.once('exit', r)));
  const tally = [...codes.values()].sort();
  assert.equal(tally, ['ok', 'ok', 'overloaded', 'overloaded', 'server-lost', 'server-lost'], `${JSON.stringify([...codes])}\n${output}`);
  assert.is(exit, 0);
  const cutLines = output.split('\n').filter((l) => /router\.stop-cut/.test(l));
  assert.is(cutLines.length, 2, output);
  for (const [id, code] of codes) if (code === 'server-lost') assert.ok(cutLines.some((l) => l.includes(`id=${id} `) && l.includes('op=echo')), `request ${id} named as cut`);
  assert.match(output, /router\.stopped-gracefully finished=2 cut=2 refused=2/);
  assert.ok(output.indexOf('link.stopped') < output.indexOf('line.stopped'), 'links close before lines');
});

test.run();
