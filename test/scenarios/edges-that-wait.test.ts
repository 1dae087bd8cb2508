// Edges that do not give up: a peer port whose address is taken binds once
// it is free (reported once, retried quietly), and a data server's serial
// line whose device is missing at start is opened when it appears, with a
// real router then served through it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Router } from '../../src/router/router.js';
import { loadConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/log/logger.js';
import { DataServer } from '../../src/dataserver/dataserver.js';
import { PtyPair, ptyPairs, scratchDir } from '../../src/sim/pty-pair.js';
import { waitFor } from '../support/wait.js';

const scratch = scratchDir('edges');
const cleanup: (() => Promise<void> | void)[] = [];
test.after(async () => {
  for (const c of cleanup.reverse()) await c();
  scratch.remove();
});

function routerFrom(name: string, raw: object, logs: string[]): Router {
  const file = join(scratch.dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(raw));
  const router = new Router(loadConfig(file), createLogger({ level: 'debug', write: (l) => logs.push(l) }));
  cleanup.push(() => router.stop());
  return router;
}

test('a peer port whose address is taken binds once the address is free', async () => {
  const blocker = createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
  const port = (blocker.address() as { port: number }).port;
  const pairs = await ptyPairs(scratch.dir, ['p1']);
  cleanup.push(() => pairs.get('p1')!.kill());
  const logs: string[] = [];
  const router = routerFrom('peer-retry', {
    router: 'box-b',
    lines: [{ name: 'p1', path: pairs.get('p1')!.routerPath }],
    servers: [{ name: 'ds1', tcp: '127.0.0.1:9', slots: 1, insecure: true }],
    peerPort: { listen: `127.0.0.1:${port}`, lendSlots: 1, peers: [{ name: 'box-a', insecure: true }] },
  }, logs);
  router.start();
  await waitFor('two failed attempts', () => logs.filter((l) => /peers\.cannot-listen/.test(l)).length >= 2, 10_000);
  const errors = logs.filter((l) => /error +peers\.cannot-listen/.test(l));
  assert.is(errors.length, 1, 'reported once at error, then quietly');
  assert.match(errors[0]!, new RegExp(`address=127\\.0\\.0\\.1:${port} error=EADDRINUSE retryInMs=250`));
  await new Promise((r) => blocker.close(r));
  assert.is(await router.peerPortNumber(), port, 'bound once free');
  assert.ok(logs.some((l) => /peers\.listening/.test(l)));
});

test("a data server's serial line missing at start is opened when the device appears; a router is served through it", async () => {
  const serverLogs: string[] = [];
  const server = new DataServer({ name: 'ds-serial', slots: 2, serviceTime: { kind: 'fixed', ms: 1 }, log: createLogger({ level: 'debug', write: (l) => serverLogs.push(l) }) });
  cleanup.push(() => server.close());
  const serverEnd = join(scratch.dir, 'ds.peer');
  const routerEnd = join(scratch.dir, 'ds.router');
  let opened = false;
  void server.openSerial({ path: serverEnd, baudRate: 115200, dataBits: 8, parity: 'none', stopBits: 1, rtscts: false }).then(() => (opened = true));
  const lines = await ptyPairs(scratch.dir, ['s1']);
  cleanup.push(() => lines.get('s1')!.kill());
  const logs: string[] = [];
  const router = routerFrom('serial-server', {
    router: 'box-1',
    lines: [{ name: 's1', path: lines.get('s1')!.routerPath }],
    servers: [{ name: 'ds1', serial: routerEnd, slots: 2, insecure: true }],
  }, logs);
  router.start();
  // What this test is about: both ends fail to open the missing device and wait to try again.
  await waitFor('the data server waiting for its device', () => serverLogs.some((l) => /dataserver\.serial\.waiting .*why="cannot open/.test(l)), 10_000);
  await waitFor('the router waiting for its link', () => logs.some((l) => /link\.waiting .*server=ds1/.test(l) || /server=ds1 .*link\.waiting/.test(l)), 10_000);
  assert.not.ok(opened, 'the device is not there yet');
  const device = await new PtyPair(routerEnd, serverEnd).start();
  cleanup.push(() => device.kill());
  await waitFor('the data server opened its line', () => opened, 10_000);
  await waitFor('the router sees the server available', () => router.snapshot().dispatch.servers.some((s) => s.name === 'ds1' && s.available), 15_000);
});

test.run();
