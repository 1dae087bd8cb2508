// Two routers in a cascade: box A has stations but no servers; it reaches
// box B's data servers through B's peer port, over a sealed link. A's stations are served, the
// server sees A's own station names, and service goes on when one of B's two
// server links dies.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load.js';
import { DataServer } from '../../src/dataserver/dataserver.js';
import { REFERENCE_OPS } from '../../src/dataserver/ops/echo.js';
import type { OpHandler } from '../../src/dataserver/ops/op.js';
import { createLogger } from '../../src/log/logger.js';
import { Router } from '../../src/router/router.js';
import { ptyPairs, scratchDir, type PtyPair } from '../../src/sim/pty-pair.js';
import { decodeCbor, encodeCbor } from '../../src/wire/cbor.js';
import { StationPeer } from '../support/station-peer.js';
import { writeKeyPair } from '../../src/keys/link-key-file.js';
import { sleep, waitFor } from '../support/wait.js';
import { connect } from 'node:net';
import { encodeFrame } from '../../src/wire/frame.js';
import { encodeMessage } from '../../src/wire/messages.js';

const scratch = scratchDir('cascade');
const logLines: string[] = [];
const log = createLogger({ level: 'debug', write: (l) => logLines.push(l) });
// Answers with who asked, so the test sees the `station` the server got.
const ops = new Map<string, OpHandler>([
  ...REFERENCE_OPS,
  ['whoami', (_body, ctx) => ({ ok: true, body: encodeCbor({ station: ctx.station }) })],
  // Slow work, to keep requests in flight at B while A's link drops.
  ['nap', async () => (await sleep(1500), { ok: true, body: encodeCbor('rested') })],
]);
const ds1 = new DataServer({ name: 'ds1', slots: 2, serviceTime: { kind: 'fixed', ms: 5 }, ops, log });
const ds2 = new DataServer({ name: 'ds2', slots: 2, serviceTime: { kind: 'fixed', ms: 5 }, ops, log });
let pairs: Map<string, PtyPair>;
let boxA: Router;
let boxB: Router;
let stationA: StationPeer;
let stationB: StationPeer;

function writeConfig(name: string, config: object): string {
  const file = join(scratch.dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(config));
  return file;
}

test.before(async () => {
  const [p1, p2] = [await ds1.listen('127.0.0.1', 0), await ds2.listen('127.0.0.1', 0)];
  // The peer link A -> B is sealed like a server link: A's key file names B, B's names A.
  writeKeyPair(join(scratch.dir, 'a-to-b.key'), join(scratch.dir, 'b-from-a.key'), Buffer.from('0a', 'hex'), Buffer.from('0b', 'hex'));
  pairs = await ptyPairs(scratch.dir, ['a1', 'b1']);
  boxB = new Router(
    loadConfig(writeConfig('box-b', {
      router: 'box-b',
      defaults: { pingIntervalMs: 200 },
      lines: [{ name: 'b1', path: pairs.get('b1')!.routerPath }],
      servers: [
        { name: 'ds1', tcp: `127.0.0.1:${p1}`, insecure: true, slots: 2 },
        { name: 'ds2', tcp: `127.0.0.1:${p2}`, insecure: true, slots: 2 },
      ],
      peerPort: { listen: '127.0.0.1:0', lendSlots: 3, peers: [{ name: 'box-a', keyFile: 'b-from-a.key' }] },
      ops: { echo: { retry: true }, whoami: { retry: true } },
    })),
    log.child({ box: 'B' }),
  );
  boxB.start();
  const peerPort = await boxB.peerPortNumber();
  boxA = new Router(
    loadConfig(writeConfig('box-a', {
      router: 'box-a',
      defaults: { pingIntervalMs: 200 },
      lines: [{ name: 'a1', path: pairs.get('a1')!.routerPath }],
      servers: [{ name: 'box-b', tcp: `127.0.0.1:${peerPort}`, keyFile: 'a-to-b.key', slots: 3 }],
    })),
    log.child({ box: 'A' }),
  );
  boxA.start();
  await waitFor('box A sees box B as a server with lent slots', () => boxA.snapshot().dispatch.servers.find((s) => s.name === 'box-b' && s.available && s.slots === 3));
  stationA = await new StationPeer(pairs.get('a1')!.peerPath).open();
  stationB = await new StationPeer(pairs.get('b1')!.peerPath).open();
});

test.after(async () => {
  await stationA?.close();
  await stationB?.close();
  boxA?.stop();
  boxB?.stop();
  await ds1.close();
  await ds2.close();
  for (const p of pairs?.values() ?? []) await p.kill();
  scratch.remove();
});

test("the peer link is sealed, and B announces its servers' ops to A", () => {
  assert.ok(logLines.some((l) => /info  peers\.connected .*peer=box-a .*sealed=true/.test(l)), 'B accepted A by its key');
  assert.ok(logLines.some((l) => /info  link\.open .*server=box-b .*sealed=true/.test(l)));
  const b = boxA.snapshot().dispatch.servers.find((s) => s.name === 'box-b')!;
  assert.equal([...b.ops].sort(), ['echo', 'nap', 'whoami']);
});

test("a station on the box without servers is served by the other box's servers, under its own name", async () => {
  stationA.request(1, 'whoami', {});
  const res = await stationA.answer(1);
  assert.ok(res.ok, JSON.stringify(res));
  if (res.ok) assert.equal(decodeCbor(res.body), { station: 'box-a/a1' });
  stationB.request(1, 'whoami', {});
  const resB = await stationB.answer(1);
  assert.ok(resB.ok, JSON.stringify(resB));
  if (resB.ok) assert.equal(decodeCbor(resB.body), { station: 'box-b/b1' });
});

test("a stranger's plaintext `open` with A's kid does not knock A off B's peer port", async () => {
  const port = (await boxB.peerPortNumber())!;
  const linkOpensBefore = logLines.filter((l) => /link\.open .*server=box-b/.test(l)).length;
  const stranger = connect({ host: '127.0.0.1', port });
  stranger.on('error', () => {});
  await new Promise((r) => stranger.once('connect', r));
  stranger.write(encodeFrame(encodeMessage({ t: 'open', v: 1, kid: Buffer.from('0a', 'hex'), r: Buffer.alloc(8, 9) })));
  await sleep(600);
  stranger.destroy();
  assert.is(logLines.filter((l) => /link\.open .*server=box-b/.test(l)).length, linkOpensBefore, "A's link to B never dropped");
  assert.is(logLines.filter((l) => /peers\.disconnected/.test(l)).length, 0);
  stationA.request(2, 'whoami', {});
  assert.ok((await stationA.answer(2)).ok);
});

test('when A reconnects to B, B forgets the old connection\'s ids: new requests are served, not refused', async () => {
  // Fill B's peer line (3 lent slots) with slow requests, and drop the link while B works on them.
  for (let id = 30; id < 33; id++) stationA.request(id, 'nap', { id });
  await waitFor('B working on all three', () => boxB.snapshot().dispatch.lines.find((l) => l.name === 'peer:box-a')?.inFlight === 3);
  assert.ok(boxA.resetServer('box-b', 'test: drop the peer link'));
  for (let id = 30; id < 33; id++) await stationA.answer(id);
  await waitFor('A sees B again', () => boxA.snapshot().dispatch.servers.find((s) => s.name === 'box-b')?.available, 10_000);
  for (let id = 40; id < 43; id++) stationA.request(id, 'echo', { id });
  for (let id = 40; id < 43; id++) {
    const res = await stationA.answer(id);
    assert.ok(res.ok, `request ${id}: ${JSON.stringify(res)}`);
  }
});

test("service goes on when one of B's two server links dies", async () => {
  await ds1.close();
  await waitFor('B sees ds1 down', () => !boxB.snapshot().dispatch.servers.some((s) => s.name === 'ds1' && s.available));
  for (let id = 10; id < 16; id++) stationA.request(id, 'echo', { id });
  for (let id = 10; id < 16; id++) {
    const res = await stationA.answer(id);
    assert.ok(res.ok, `request ${id}: ${JSON.stringify(res)}`);
  }
  assert.ok(ds2.totalExecutions >= 6);
});

test('with no server left, B lends 0 slots and A answers no-server', async () => {
  await ds2.close();
  await waitFor('A sees 0 slots from B', () => boxA.snapshot().dispatch.servers.find((s) => s.name === 'box-b')?.slots === 0);
  stationA.request(20, 'echo', 'x', 400);
  const res = await stationA.answer(20);
  assert.ok(!res.ok && res.err.code === 'no-server', JSON.stringify(res));
});

test.run();
