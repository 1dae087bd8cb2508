// /healthz through a real HTTP server on loopback, reading a source that
// speaks the router's status seam (snapshot + health).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer } from 'node:net';
import { startStatusServer, type StatusSource } from '../../src/http/status-server.js';
import { createLogger } from '../../src/log/logger.js';
import type { RouterPhase, RouterSnapshot } from '../../src/router/events.js';

function source(phase: RouterPhase): StatusSource {
  const snapshot: RouterSnapshot = {
    router: 'box-1',
    phase,
    lines: [{ name: 'm1-s1', path: '/dev/null', protocol: 'native', phase: 'open' }],
    servers: [{ name: 'ds1', address: '127.0.0.1:1', sealed: true, phase: 'waiting' }],
    cardOps: [],
    dispatch: { queued: new Map(), servers: [], lines: [] },
  };
  return { snapshot: () => snapshot, health: () => ({ healthy: phase === 'running', phase }) };
}

const quiet = (lines: string[] = []) => createLogger({ write: (l) => lines.push(l) });

test('healthy: 200 with the lines and servers, a server down does not matter', async () => {
  const server = await startStatusServer({ listen: { host: '127.0.0.1', port: 0 }, credentials: [] }, { source: source('running') }, quiet());
  try {
    const res = await fetch(`http://127.0.0.1:${server.port}/healthz`);
    assert.is(res.status, 200);
    const body = (await res.json()) as Record<string, unknown>;
    assert.is(body.healthy, true);
    assert.match(String(body.version), /^\d+\.\d+\.\d+/);
    assert.is(body.pid, process.pid);
    assert.equal(body.lines, { 'm1-s1': 'open' });
    assert.equal(body.servers, { ds1: 'waiting' });
  } finally {
    await server.close();
  }
});

test('not yet started: 503', async () => {
  const server = await startStatusServer({ listen: { host: '127.0.0.1', port: 0 }, credentials: [] }, { source: source('starting') }, quiet());
  try {
    const res = await fetch(`http://127.0.0.1:${server.port}/healthz`);
    assert.is(res.status, 503);
    assert.is(((await res.json()) as { phase: string }).phase, 'starting');
    assert.is((await fetch(`http://127.0.0.1:${server.port}/nope`)).status, 404);
    assert.is((await fetch(`http://127.0.0.1:${server.port}/healthz`, { method: 'POST' })).status, 405);
  } finally {
    await server.close();
  }
});

test('a port already taken is logged by address and the caller goes on', async () => {
  const blocker = createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
  const port = (blocker.address() as { port: number }).port;
  const lines: string[] = [];
  const server = await startStatusServer({ listen: { host: '127.0.0.1', port }, credentials: [] }, { source: source('running') }, quiet(lines));
  assert.is(server.port, undefined);
  assert.ok(lines.some((l) => l.includes('status.cannot-listen') && l.includes(`127.0.0.1:${port}`) && l.includes('EADDRINUSE')), lines.join('\n'));
  await server.close();
  blocker.close();
});

test.run();
