// `persomux leds`: --locate through the status interface (POST
// /actions/locate, an operator action: a real HTTP server on loopback with
// credentials, the panel's locate), and
// --test on the console backend. The lamp test runs on real time by design
// (1 s all on + 0.25 s per lamp: 1.75 s for the 3 lamps here).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type AddressInfo } from 'node:net';
import { runLeds } from '../../src/cli/leds.js';
import { digestPassword } from '../../src/config/credentials-file.js';
import { startStatusServer, type StatusSource } from '../../src/http/status-server.js';
import { createLogger } from '../../src/log/logger.js';
import { startFrontPanel } from '../../src/panel/start-panel.js';
import type { RouterEventListener, RouterSnapshot } from '../../src/router/events.js';
import { snapshot } from '../status/helpers.js';
import { FakeScheduler } from './fake-scheduler.js';

const quiet = createLogger({ write: () => {} });

/** A router's status seam, enough for the panel and the status server. */
function fakeRouter(snap: RouterSnapshot): StatusSource & { onEvent(l: RouterEventListener): () => void } {
  return { snapshot: () => snap, health: () => ({ healthy: true, phase: 'running' }), onEvent: () => () => {} };
}

/** Runs a command in this process, capturing what it prints. */
async function capture(run: () => Promise<number>): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const write = { out: process.stdout.write.bind(process.stdout), err: process.stderr.write.bind(process.stderr) };
  process.stdout.write = ((s: string) => ((out += s), true)) as typeof process.stdout.write;
  process.stderr.write = ((s: string) => ((err += s), true)) as typeof process.stderr.write;
  try {
    return { code: await run(), out, err };
  } finally {
    process.stdout.write = write.out;
    process.stderr.write = write.err;
  }
}

function configFile(dir: string, port: number, panel: object = { backend: 'none' }): string {
  const file = join(dir, 'router.json');
  writeFileSync(file, JSON.stringify({ router: 'box', lines: [{ name: 'm1-s3', path: '/dev/null' }], servers: [{ name: 'ds1', tcp: '127.0.0.1:9', insecure: true }], status: { listen: `127.0.0.1:${port}` }, panel }));
  return file;
}

const credentials = [{ user: 'ana', passwordDigest: digestPassword('s3cret-pass') }];
const basic = { authorization: `Basic ${Buffer.from('ana:s3cret-pass').toString('base64')}` };

test('locate: POST /actions/locate sets the line blinking for 30 s; no credentials, wrong method, no line, unknown line refused', async () => {
  const clock = new FakeScheduler(5_000);
  const router = fakeRouter(snapshot(['m1-s3'], ['ds1']));
  const panel = await startFrontPanel({ backend: 'none', board: undefined }, router, quiet, { scheduler: clock });
  const server = await startStatusServer(
    { listen: { host: '127.0.0.1', port: 0 }, credentials },
    { source: router, actions: { locate: panel.locate, drain: () => false, undrain: () => false } },
    quiet,
  );
  const dir = mkdtempSync(join(tmpdir(), 'persomux-leds-'));
  try {
    const url = `http://127.0.0.1:${server.port}/actions/locate`;
    assert.is((await fetch(`${url}?line=m1-s3`, { method: 'POST' })).status, 401, 'an operator action');
    const ok = await fetch(`${url}?line=m1-s3`, { method: 'POST', headers: basic });
    assert.equal([ok.status, await ok.json()], [200, { ok: true, action: 'locate', line: 'm1-s3', by: 'ana', seconds: 30 }]);
    const line = panel.model.view(clock.now()).lines[0]!;
    assert.equal([line.pattern, line.locateUntil], ['locate', 35_000]);
    assert.is((await fetch(`${url}?line=m1-s3`)).status, 405);
    assert.is((await fetch(url, { method: 'POST', headers: basic })).status, 400);
    const unknown = await fetch(`${url}?line=m9`, { method: 'POST', headers: basic });
    assert.equal([unknown.status, ((await unknown.json()) as { error: string }).error], [404, "no line named 'm9'"]);
    assert.is((await fetch(`http://127.0.0.1:${server.port}/healthz`)).status, 200, 'the other routes still answer');

    const anonymous = await capture(() => runLeds(['--config', configFile(dir, server.port!), '--locate', 'm1-s3']));
    assert.equal([anonymous.code, anonymous.err], [1, 'the router refused: 401 credentials required: give --user NAME with PERSOMUX_PASSWORD set\n']);
    process.env.PERSOMUX_PASSWORD = 's3cret-pass';
    const cli = await capture(() => runLeds(['--config', configFile(dir, server.port!), '--locate', 'm1-s3', '--user', 'ana']));
    assert.equal([cli.code, cli.out], [0, "m1-s3's lamp blinks (double flash) for 30 s\n"]);
    const bad = await capture(() => runLeds(['--config', configFile(dir, server.port!), '--locate', 'nope', '--user', 'ana']));
    assert.equal([bad.code, bad.err], [1, "the router refused: 404 no line named 'nope'\n"]);
    delete process.env.PERSOMUX_PASSWORD;
  } finally {
    await server.close();
    await panel.stop();
  }
  // A port nobody listens on (not the closed server's: fetch keeps its connection pooled).
  const free = await new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
  const none = await capture(() => runLeds(['--config', configFile(dir, free), '--locate', 'm1-s3']));
  assert.is(none.code, 1);
  assert.match(none.err, /ECONNREFUSED/, none.err);
  assert.match(none.err, /no router answers at http:\/\/127\.0\.0\.1:\d+\/actions\/locate\?line=m1-s3 \(ECONNREFUSED\): is 'persomux run --config .*' running\?/);
  rmSync(dir, { recursive: true, force: true });
});

test('leds --test on the console: all on, each in turn, all off', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'persomux-leds-'));
  try {
    const r = await capture(() => runLeds(['--config', configFile(dir, 8080, { backend: 'console' }), '--test']));
    assert.is(r.code, 0, r.err);
    assert.match(r.out, /system +● lamp-test\nm1 +● s3 lamp-test\nservers +● ds1 lamp-test/, 'all on');
    assert.match(r.out, /system +○ lamp-test\nm1 +● s3 lamp-test\nservers +○ ds1 lamp-test/, 'the line lamp alone');
    assert.match(r.out, /system +○ lamp-test\nm1 +○ s3 lamp-test\nservers +● ds1 lamp-test/, 'the server lamp alone');
    assert.match(r.out, /system +○ stopped\nm1 +○ s3 stopped\nservers +○ ds1 stopped\nlamp test done on the console panel\n$/);
    const none = await capture(() => runLeds(['--config', configFile(dir, 8080, { backend: 'none' }), '--test']));
    assert.equal([none.code, none.err.includes("panel.backend is 'none'")], [1, true]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
