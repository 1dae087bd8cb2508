// `persomux health`, the deploy's one question to the router: it asks the
// config's status.listen for /healthz and waits for a 200.
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { healthUrl, summarize } from '../../src/cli/health.js';
import { scratchDir } from '../../src/sim/pty-pair.js';
import { freePort } from '../support/free-port.js';

const ROOT = resolve(import.meta.dirname, '../..');

function health(config: string, wait: string): Promise<{ code: number | null; out: string }> {
  return new Promise((r) => {
    const child = spawn(join(ROOT, 'bin/persomux'), ['health', '--config', config, '--wait', wait], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.on('close', (code) => r({ code, out }));
  });
}

test('healthUrl: wildcard addresses are asked on loopback, IPv6 in brackets', () => {
  assert.is(healthUrl('0.0.0.0', 8080), 'http://127.0.0.1:8080/healthz');
  assert.is(healthUrl('::', 8080), 'http://[::1]:8080/healthz');
  assert.is(healthUrl('10.0.0.5', 81), 'http://10.0.0.5:81/healthz');
});

test('summarize: what a person reads of a /healthz body', () => {
  assert.is(summarize('{"router":"box-1","phase":"running","lines":{"m1-s1":"open"},"servers":{}}'), 'router box-1 phase running; lines m1-s1=open; servers none');
  assert.is(summarize('<html>'), 'the answer is not JSON');
});

test('waits through 503 for the 200; a router that is not there is named with its address', async () => {
  const s = scratchDir('health');
  const port = await freePort();
  let asked = 0;
  const server = createServer((_req, res) => {
    asked++;
    res.writeHead(asked < 3 ? 503 : 200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ healthy: asked >= 3, router: 'h', phase: asked < 3 ? 'starting' : 'running', lines: { s1: 'open' }, servers: {} }));
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  try {
    const config = join(s.dir, 'router.json');
    writeFileSync(config, JSON.stringify({ router: 'h', lines: [{ name: 's1', path: '/dev/null-line' }], servers: [], status: { listen: `127.0.0.1:${port}` } }));
    const ok = await health(config, '10');
    assert.is(ok.code, 0, ok.out);
    assert.is(ok.out, 'healthy: router h phase running; lines s1=open; servers none\n');
    assert.is(asked, 3);
    await new Promise<void>((r) => server.close(() => r()));
    const gone = await health(config, '0');
    assert.is(gone.code, 1);
    assert.is(gone.out, `not healthy: cannot reach http://127.0.0.1:${port}/healthz: ECONNREFUSED\n`);
  } finally {
    server.close();
    s.remove();
  }
});

test.run();
