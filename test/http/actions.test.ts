// Operators' actions through a real HTTP server on loopback, over an
// in-memory router seam: who may act, where, and how it is refused.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { digestPassword } from '../../src/config/credentials-file.js';
import type { StatusConfig } from '../../src/config/types.js';
import type { ActionTargets } from '../../src/http/actions.js';
import { startStatusServer, type StatusSource } from '../../src/http/status-server.js';
import { createLogger } from '../../src/log/logger.js';
import type { RouterSnapshot } from '../../src/router/events.js';
import { scratchDir } from '../../src/sim/pty-pair.js';
import { selfSigned } from './self-signed.js';

const snapshot: RouterSnapshot = {
  router: 'box-1',
  phase: 'running',
  lines: [{ name: 'l1', path: '/dev/null', protocol: 'native', phase: 'open' }],
  servers: [{ name: 'ds1', address: '127.0.0.1:1', sealed: true, phase: 'open' }],
  cardOps: [],
  dispatch: { queued: new Map(), servers: [], lines: [] },
};
const source: StatusSource = { snapshot: () => snapshot, health: () => ({ healthy: true, phase: 'running' }) };
const credentials = [{ user: 'ana', passwordDigest: digestPassword('s3cret-pass') }];
const basic = (user: string, password: string): string => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

function recorder(): ActionTargets & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    locate: (line) => (calls.push(`locate ${line}`), line === 'l1' ? { until: 30_000, ms: 30_000 } : undefined),
    drain: (server, by) => (calls.push(`drain ${server} by ${by}`), server === 'ds1'),
    undrain: (server, by) => (calls.push(`undrain ${server} by ${by}`), server === 'ds1'),
  };
}

async function withServer(config: StatusConfig, body: (base: string, targets: ReturnType<typeof recorder>, log: string[]) => Promise<void>): Promise<void> {
  const log: string[] = [];
  const targets = recorder();
  const server = await startStatusServer(config, { source, actions: targets }, createLogger({ write: (l) => log.push(l) }));
  try {
    await body(`http://127.0.0.1:${server.port}`, targets, log);
  } finally {
    await server.close();
  }
}

const post = (url: string, headers: Record<string, string> = {}): Promise<Response> => fetch(url, { method: 'POST', headers });

test('on loopback with credentials: refused without them, done with them, each logged with who asked', () =>
  withServer({ listen: { host: '127.0.0.1', port: 0 }, credentials }, async (base, targets, log) => {
    assert.is((await post(`${base}/lines/l1/locate`)).status, 401);
    assert.is((await post(`${base}/lines/l1/locate`, { authorization: basic('ana', 'wrong-pass') })).status, 401);
    assert.is((await post(`${base}/lines/l1/locate`, { authorization: basic('bob', 's3cret-pass') })).status, 401);
    assert.is((await post(`${base}/lines/l1/locate`, { authorization: 'Bearer x' })).status, 401);
    assert.equal(targets.calls, [], 'nothing done before the right credentials');
    const ok = await post(`${base}/lines/l1/locate`, { authorization: basic('ana', 's3cret-pass') });
    assert.is(ok.status, 200);
    assert.equal(await ok.json(), { ok: true, action: 'locate', line: 'l1', by: 'ana', seconds: 30 });
    assert.is((await post(`${base}/servers/ds1/drain`, { authorization: basic('ana', 's3cret-pass') })).status, 200);
    assert.is((await post(`${base}/servers/ds1/undrain`, { authorization: basic('ana', 's3cret-pass') })).status, 200);
    assert.equal(targets.calls, ['locate l1', 'drain ds1 by ana', 'undrain ds1 by ana']);
    // `persomux leds --locate` asks the same action by its older path, under the same rules.
    assert.is((await post(`${base}/actions/locate?line=l1`)).status, 401);
    assert.is((await post(`${base}/actions/locate?line=l1`, { authorization: basic('ana', 's3cret-pass') })).status, 200);
    assert.is((await post(`${base}/actions/locate`, { authorization: basic('ana', 's3cret-pass') })).status, 400);
    assert.is((await post(`${base}/servers/ds9/drain`, { authorization: basic('ana', 's3cret-pass') })).status, 404);
    assert.is((await post(`${base}/lines/ds1/drain`, { authorization: basic('ana', 's3cret-pass') })).status, 404, 'a line cannot be drained');
    assert.is((await fetch(`${base}/servers/ds1/drain`)).status, 405, 'GET never acts');
    assert.ok(log.some((l) => /info\s+status\.action action=drain target=ds1 by=ana from=/.test(l)), log.join('\n'));
    assert.ok(log.some((l) => /warn\s+status\.action-refused action=locate target=l1 .*why="wrong credentials"/.test(l)), log.join('\n'));
    assert.not.ok(log.some((l) => l.includes('s3cret') || l.includes('wrong-pass')), 'no password in the log');
  }));

test('a request from a page of another origin is refused, even with credentials', () =>
  withServer({ listen: { host: '127.0.0.1', port: 0 }, credentials }, async (base, targets) => {
    const res = await post(`${base}/servers/ds1/drain`, { authorization: basic('ana', 's3cret-pass'), origin: 'http://evil.example' });
    assert.is(res.status, 403);
    assert.equal(targets.calls, []);
    const same = await post(`${base}/servers/ds1/drain`, { authorization: basic('ana', 's3cret-pass'), origin: base });
    assert.is(same.status, 200);
  }));

test('on a non-loopback address over plain HTTP, actions are refused whatever the credentials', () =>
  withServer({ listen: { host: '0.0.0.0', port: 0 }, credentials }, async (base, targets, log) => {
    const res = await post(`${base}/servers/ds1/drain`, { authorization: basic('ana', 's3cret-pass') });
    assert.is(res.status, 403);
    assert.match(((await res.json()) as { error: string }).error, /plain HTTP on 0\.0\.0\.0.*status\.tls/);
    assert.equal(targets.calls, []);
    assert.ok(log.some((l) => l.includes('status.actions-refused')), 'said at start too');
    assert.is((await fetch(`${base}/healthz`)).status, 200, 'reading stays open');
  }));

test('without credentials configured, actions are disabled', () =>
  withServer({ listen: { host: '127.0.0.1', port: 0 }, credentials: [] }, async (base, targets) => {
    const res = await post(`${base}/lines/l1/locate`, { authorization: basic('ana', 's3cret-pass') });
    assert.is(res.status, 403);
    assert.match(((await res.json()) as { error: string }).error, /disabled.*status\.credentialsFile/);
    assert.equal(targets.calls, []);
  }));

test('on a non-loopback address over HTTPS (status.tls), actions are done', async () => {
  const scratch = scratchDir('status-tls');
  try {
    const files = selfSigned(scratch.dir);
    const tls = { certFile: files.cert, cert: readFileSync(files.cert), key: readFileSync(files.key) };
    await withServer({ listen: { host: '0.0.0.0', port: 0 }, credentials, tls }, async (base, targets) => {
      const port = new URL(base).port;
      const status = await new Promise<number>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, path: '/servers/ds1/drain', method: 'POST', ca: tls.cert, headers: { authorization: basic('ana', 's3cret-pass') } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end();
      });
      assert.is(status, 200);
      assert.equal(targets.calls, ['drain ds1 by ana']);
    });
  } finally {
    scratch.remove();
  }
});

test.run();
