// A server whose link stays open but stops answering pings is taken down
// after 3 unanswered pings (PROTOCOL.md 2.2 rule 2); its requests are settled.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer, type Server, type Socket } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeFrame } from '../../src/wire/frame.js';
import { encodeMessage } from '../../src/wire/messages.js';
import { loadConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/log/logger.js';
import { Router } from '../../src/router/router.js';
import { ptyPairs, scratchDir, type PtyPair } from '../../src/sim/pty-pair.js';
import { StationPeer } from '../support/station-peer.js';
import { waitFor } from '../support/wait.js';

let mute: Server;
const sockets: Socket[] = [];
let router: Router;
let station: StationPeer;
let pair: PtyPair;
const scratch = scratchDir('silent');
const logLines: string[] = [];

test.before(async () => {
  // A server peer that announces itself, accepts work, and then says nothing at all.
  mute = createServer((socket) => {
    sockets.push(socket);
    socket.on('error', () => {});
    socket.write(encodeFrame(encodeMessage({ t: 'ready', slots: 2, ops: ['echo'] })));
  });
  await new Promise<void>((r) => mute.listen(0, '127.0.0.1', r));
  const port = (mute.address() as { port: number }).port;
  pair = (await ptyPairs(scratch.dir, ['l1'])).get('l1')!;
  const file = join(scratch.dir, 'router.json');
  writeFileSync(file, JSON.stringify({
    router: 'box',
    defaults: { pingIntervalMs: 100 },
    lines: [{ name: 'l1', path: pair.routerPath }],
    servers: [{ name: 'mute', tcp: `127.0.0.1:${port}`, insecure: true, slots: 2 }],
    ops: { echo: { ttlMs: 5000, retry: false } },
  }));
  router = new Router(loadConfig(file), createLogger({ level: 'debug', write: (l) => logLines.push(l) }));
  router.start();
  await waitFor('mute server available', () => router.snapshot().dispatch.servers.some((s) => s.available));
  station = await new StationPeer(pair.peerPath).open();
});

test.after(async () => {
  await station?.close();
  router?.stop();
  for (const s of sockets) s.destroy();
  await new Promise((r) => mute.close(r));
  await pair?.kill();
  scratch.remove();
});

test('3 unanswered pings: the server is down and its request answered server-lost', async () => {
  const started = Date.now();
  station.request(1, 'echo', 'x');
  const res = await station.answer(1, 3000);
  assert.ok(!res.ok && res.err.code === 'server-lost', JSON.stringify(res));
  // 3 pings at 100 ms, the 4th tick declares it down: ~300-450 ms, far below the 5 s ttl.
  assert.ok(Date.now() - started < 2000);
  assert.ok(logLines.some((l) => /link\.waiting server=mute .*why="no answer to 3 pings"/.test(l)), 'the reason is logged');
});

test.run();
