// At most once across a router restart (PROTOCOL.md 6 reading 12): a real
// `persomux run` with a state folder is killed with SIGKILL while requests of
// a non-retry op are at the data server, and started again while the station
// retransmits whatever it has no answer for. Every request gets its answer,
// and the data server (which counts executions by request) runs none twice:
// a retransmission of what the first run had sent is answered server-lost.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataServer } from '../../src/dataserver/dataserver.js';
import type { OpHandler } from '../../src/dataserver/ops/op.js';
import { createLogger } from '../../src/log/logger.js';
import { ptyPairs, scratchDir, type PtyPair } from '../../src/sim/pty-pair.js';
import { decodeCbor } from '../../src/wire/cbor.js';
import { StationPeer } from '../support/station-peer.js';
import { waitFor } from '../support/wait.js';

const BIN = join(process.cwd(), 'bin/persomux');
const TOTAL = 24;
const scratch = scratchDir('restart');
const executions = new Map<number, number>();
let running = 0;
// The first requests are answered at once; the rest are held until the first router is dead, so
// the kill happens while they are being worked on (a state, not a race).
let release: () => void = () => {};
const firstRouterDead = new Promise<void>((r) => (release = r));
let started = 0;
const certificate: OpHandler = async (body) => {
  const n = (decodeCbor(body!) as { n: number }).n;
  executions.set(n, (executions.get(n) ?? 0) + 1);
  running++;
  if (++started > 4) await firstRouterDead;
  running--;
  return { ok: true, body: body! };
};
const server = new DataServer({ name: 'ds1', slots: 4, serviceTime: { kind: 'fixed', ms: 0 }, ops: new Map([['certificate', certificate]]), log: createLogger({ write: () => {} }) });
let pair: PtyPair;
let station: StationPeer;
const routers: ChildProcess[] = [];
let output = '';

test.after(async () => {
  await station?.close();
  for (const r of routers) if (r.exitCode === null && r.signalCode === null) r.kill('SIGKILL');
  await pair?.kill();
  await server.close();
  scratch.remove();
});

function startRouter(config: string): ChildProcess {
  const child = spawn(BIN, ['run', '--config', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (c) => (output += c));
  child.stderr!.on('data', (c) => (output += c));
  routers.push(child);
  return child;
}

test('SIGKILL under load, a restart, retransmissions: every request answered, none run twice', async () => {
  const port = await server.listen('127.0.0.1', 0);
  pair = (await ptyPairs(scratch.dir, ['l1'])).get('l1')!;
  const config = join(scratch.dir, 'router.json');
  writeFileSync(
    config,
    JSON.stringify({
      router: 'restart-test',
      stateDir: 'state',
      status: { listen: '127.0.0.1:0' },
      lines: [{ name: 'l1', path: pair.routerPath, maxOutstanding: 8 }],
      servers: [{ name: 'ds1', tcp: `127.0.0.1:${port}`, slots: 4, insecure: true }],
      ops: { certificate: { ttlMs: 30_000, retry: false } },
    }),
  );
  const first = startRouter(config);
  await waitFor('first router serving', () => /server\.available/.test(output) && /line\.open/.test(output), 60_000);
  station = await new StationPeer(pair.peerPath, 'native').open();
  const send = (id: number) => station.request(id, 'certificate', { n: id });
  for (let id = 1; id <= 8; id++) send(id);
  let next = 9;
  // Keep 8 outstanding until a few are answered and four are at the server, then kill the router.
  await waitFor('work at the server mid-load', () => {
    while (next <= TOTAL && next - 1 - answeredCount() < 8) send(next++);
    return answeredCount() >= 4 && running >= 2;
  }, 60_000);
  first.kill('SIGKILL');
  await new Promise((r) => first.once('exit', r));
  release(); // what the dead router sent is finished at the server: its answers go nowhere
  const sentBeforeKill = next - 1;
  while (next <= TOTAL) send(next++);

  startRouter(config);
  await waitFor('second router serving', () => (output.match(/server\.available/g) ?? []).length >= 2, 60_000);
  // The station retransmits what it has no answer for, as a station does after a silence.
  const missing = () => [...Array(TOTAL).keys()].map((i) => i + 1).filter((id) => final(id) === undefined);
  const retransmit = setInterval(() => missing().forEach(send), 500);
  try {
    await waitFor('every request answered', () => missing().length === 0, 60_000);
  } finally {
    clearInterval(retransmit);
  }
  const twice = [...executions].filter(([, count]) => count > 1).map(([n]) => n);
  assert.equal(twice, [], `run twice: ${twice.join(', ')}`);
  const codes = [...Array(TOTAL).keys()].map((i) => final(i + 1)!).map((r) => (r.ok ? 'ok' : r.err.code));
  assert.ok(codes.every((c) => c === 'ok' || c === 'server-lost'), codes.join(','));
  assert.ok(codes.includes('server-lost'), 'what the first run had sent was answered server-lost after the restart');
  assert.ok(sentBeforeKill >= 8);
  assert.match(output, /journal\.open .*live=[1-9]/, 'the second run read the first run\'s fingerprints back');
});

/** The answer that settles a request: `overloaded` only says "ask again later" (PROTOCOL.md 2.1). */
function final(id: number) {
  return station.answers(id).find((r) => r.ok || r.err.code !== 'overloaded');
}

function answeredCount(): number {
  let n = 0;
  for (let id = 1; id <= TOTAL; id++) if (final(id)) n++;
  return n;
}

test.run();
