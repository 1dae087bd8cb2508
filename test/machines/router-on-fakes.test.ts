// The whole router on a fake clock: a station on an in-memory port, a data
// server's accepting end on an in-memory link. The dispatcher's decisions
// (expire a ttl, reset a server holding work past it, drain) reach the edges
// as effects, with no real time passing.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Duplex } from 'node:stream';
import { Router } from '../../src/router/router.js';
import { AcceptedLink, type Work } from '../../src/links/accepted-link.js';
import { validateConfig } from '../../src/config/validate.js';
import type { RouterConfig } from '../../src/config/types.js';
import { createLogger } from '../../src/log/logger.js';
import { OVERDUE_GRACE_MS } from '../../src/dispatch/dispatcher.js';
import { encodeFrame } from '../../src/wire/frame.js';
import { encodeMessage, type RouterToStation } from '../../src/wire/messages.js';
import { FrameReader } from '../../src/wire/frame-reader.js';
import { parseRouterToStation } from '../../src/wire/parse.js';
import { FakeScheduler } from '../support/fake-scheduler.js';
import { MemoryDevices, memoryPair, settle } from '../support/memory-transport.js';

function config(): RouterConfig {
  const result = validateConfig('/fake/router.json', {
    router: 'r1',
    defaults: { pingIntervalMs: 100 },
    lines: [{ name: 'l1', path: '/dev/fake-l1' }],
    servers: [{ name: 'ds1', tcp: '127.0.0.1:9', slots: 1, insecure: true }],
    ops: { echo: { ttlMs: 1000, retry: false } },
    status: { listen: '127.0.0.1:0' },
  });
  if (!('config' in result)) throw new Error(JSON.stringify(result.problems));
  return result.config;
}

/** A data server's accepting end that records requests and answers only when told. */
function serverSide(clock: FakeScheduler = new FakeScheduler()) {
  const held: Work[] = [];
  let connections = 0;
  let current: AcceptedLink | undefined;
  const connector = async (): Promise<Duplex> => {
    connections++;
    const [near, far] = memoryPair();
    const link: AcceptedLink = new AcceptedLink(
      far,
      'tcp',
      4096,
      { kind: 'insecure' },
      { open: () => link.send({ t: 'ready', slots: 1, ops: ['echo'] }), authenticated: () => {}, request: (w) => held.push(w), closed: () => {} },
      createLogger({ write: () => {} }),
      clock,
    );
    current = link;
    return near;
  };
  return { connector, held, connections: () => connections, answer: (w: Work) => current!.send({ t: 'res', id: w.id, ok: true, body: w.body ?? Buffer.of(0xf6) }) };
}

async function site() {
  const clock = new FakeScheduler();
  const devices = new MemoryDevices();
  // The server's end keeps its own clock: only the router's timers run on the test's.
  const server = serverSide();
  const logs: string[] = [];
  const router = new Router(config(), createLogger({ write: (l) => logs.push(l) }), { scheduler: clock, lineDevices: devices, connector: server.connector });
  router.start();
  await settle(10);
  const port = () => devices.device('/dev/fake-l1').port!;
  const reader = new FrameReader(4096);
  const heard = (): RouterToStation[] =>
    port()
      .written.flatMap((b) => reader.push(b))
      .flatMap((e) => (e.kind === 'frame' ? [parseRouterToStation(e.body)] : []))
      .flatMap((p) => (p.ok ? [p.msg] : []));
  const request = (id: number) => port().fromStation(encodeFrame(encodeMessage({ t: 'req', id, op: 'echo', body: Buffer.of(0x01) })));
  /** Lets `ms` pass in ping-sized steps, so pongs (delivered on later turns) keep the link up as on a real one. */
  const pass = async (ms: number) => {
    for (let left = ms; left > 0; left -= Math.min(50, left)) {
      s.clock.advance(Math.min(50, left));
      await settle();
    }
  };
  const s = { clock, router, server, logs, request, heard, port, pass };
  return s;
}

const test = suite('router on a fake clock');

test('a request the server sits on is answered timeout at its ttl, and the server is reset past the grace', async () => {
  const s = await site();
  assert.ok(s.router.snapshot().dispatch.servers.some((x) => x.available), 'ds1 ready');
  s.request(1);
  await settle();
  assert.is(s.server.held.length, 1);
  s.port().written.length = 0;
  await s.pass(999);
  assert.equal(s.heard(), [], 'nothing before the ttl');
  await s.pass(1);
  const res = s.heard().find((m) => m.t === 'res');
  assert.ok(res && res.t === 'res' && !res.ok && res.err.code === 'timeout', JSON.stringify(s.heard()));
  assert.is(s.server.connections(), 1);
  // The server still holds the request: its slot is lost until its link is reset.
  await s.pass(OVERDUE_GRACE_MS - 1);
  assert.is(s.server.connections(), 1, 'not reset before the grace');
  await s.pass(1);
  assert.ok(s.logs.some((l) => /server\.overdue server=ds1/.test(l)), 'the reset is logged with its reason');
  await s.pass(1000);
  assert.ok(s.server.connections() >= 2, 'the link was reset and reconnected');
  s.router.stop();
});

test("an operator's drain sends nothing new to the server; undrain sends the waiting request", async () => {
  const s = await site();
  assert.ok(s.router.drain('ds1', 'test'));
  assert.is(s.router.snapshot().servers[0]!.drainedBy, 'operator');
  s.request(2);
  await settle();
  assert.is(s.server.held.length, 0, 'drained: nothing sent');
  assert.ok(s.router.undrain('ds1', 'test'));
  await settle();
  assert.is(s.server.held.length, 1);
  s.server.answer(s.server.held[0]!);
  await settle();
  const res = s.heard().find((m) => m.t === 'res');
  assert.ok(res && res.t === 'res' && res.ok);
  s.router.stop();
  assert.is(s.clock.armed, 0, 'a stopped router leaves no timer');
});

test.run();
