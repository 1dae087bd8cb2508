// The status interface of a real router over a simulated site (station lines
// on socat ptys, reference data servers on loopback TCP), seen the way people
// and Prometheus see it: the page in headless Chromium (one launch for every
// page case), /metrics through a text-format parser, actions with and
// without credentials, `persomux status` as a real process, and a restart
// that keeps the page's totals. About 8 s here, for three reasons: Chromium's
// start (~1 s, once for every case), `persomux status` as a real process
// (tsx compiles the CLI at its start: ~3 s on this machine), and the page's
// own pace (a view at most every 250 ms).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { chromium, type Browser, type Page } from 'playwright-core';
import { loadConfig } from '../../src/config/load.js';
import type { RouterConfig } from '../../src/config/types.js';
import { startStatusInterface, type StatusInterface } from '../../src/http/status-interface.js';
import { Router } from '../../src/router/router.js';
import type { StatusView } from '../../src/status/view.js';
import { scratchDir } from '../../src/sim/pty-pair.js';
import { Site } from '../support/site.js';
import { parseExposition, sampleValue, sumOf } from '../support/prom-text.js';
import { waitFor } from '../support/wait.js';

const ARTIFACTS = join(process.cwd(), 'test-artifacts');
const USER = 'operator';
const PASSWORD = 'correct horse battery';
const BASIC = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;

// startsCard on echo: each ok echo counts one card.
const ops = { echo: { ttlMs: 3000, retry: true, startsCard: true } };
let site: Site;
let config: RouterConfig;
let status: StatusInterface;
let browser: Browser;
let page: Page;
const scratch = scratchDir('status-page');
/** Which server each request went to, from the router's own notes. */
const dispatchedTo: { id: number; server: string }[] = [];

test.before(async () => {
  site = await new Site({ lines: [{ name: 'l1' }, { name: 'l2' }], servers: [{ name: 'ds1', slots: 2 }, { name: 'ds2', slots: 2 }], ops }).start();
  site.router.onNote((n) => {
    if (n.event === 'dispatched') dispatchedTo.push({ id: n.id, server: n.server });
  });
  const credentials = join(scratch.dir, 'operators');
  writeFileSync(credentials, `# who may act on this box\n${USER}:${PASSWORD}\n`);
  chmodSync(credentials, 0o600);
  const file = join(scratch.dir, 'router.json');
  const raw = JSON.parse(readFileSync(site.configFile, 'utf8')) as Record<string, unknown>;
  writeFileSync(file, JSON.stringify({ ...raw, status: { listen: '127.0.0.1:0', credentialsFile: 'operators' }, stateDir: 'state', snapshotSchedule: '0 0 1 1 *' }));
  config = loadConfig(file);
  status = await startStatusInterface(site.router, config, site.log);
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const context = await browser.newContext({ httpCredentials: { username: USER, password: PASSWORD }, viewport: { width: 1280, height: 720 } });
  page = await context.newPage();
  await page.goto(status.url!);
});

test.after(async () => {
  await browser?.close();
  await status?.close();
  await site?.stop();
  scratch.remove();
});

const url = (path: string): string => new URL(path, status.url).toString();
const json = async <T>(path: string): Promise<T> => (await (await fetch(url(path))).json()) as T;
const row = (line: string, state: string): string => `tr[data-line="${line}"][data-state="${state}"]`;
const lamp = (id: string): Promise<string | null> => page.getAttribute(`[data-lamp="${id}"]`, 'data-pattern');
let nextId = 1;

async function echo(line: string, count: number): Promise<number[]> {
  const ids = Array.from({ length: count }, () => nextId++);
  for (const id of ids) site.station(line).request(id, 'echo', `x${id}`);
  for (const id of ids) assert.ok((await site.station(line).answer(id)).ok, `request ${id} answered ok`);
  return ids;
}

test('the page draws every line and server; a station request changes its row and lamp', async () => {
  await page.waitForSelector('tr[data-line="l1"]');
  await page.waitForSelector('tr[data-server="ds1"][data-state="ready"]');
  await page.waitForSelector('tr[data-server="ds2"][data-state="ready"]');
  assert.is(await page.textContent(`tr[data-line="l1"] td[data-field="requests"]`), '0');
  assert.is(await page.textContent('#router-state'), 'running');
  const trafficBefore = await page.getAttribute('[data-lamp="line:l1"]', 'data-traffic-at');

  site.station('l1').send({ t: 'hello', v: 1, station: 'press <b>7</b>' });
  await echo('l1', 3);
  await page.waitForSelector(row('l1', 'idle'));
  await page.waitForSelector('tr[data-line="l1"] td[data-field="requests"]:text-is("3")');
  assert.is(await page.textContent(`tr[data-line="l1"] td[data-field="answers"]`), 'ok 3');
  // The lamp stays on (a station that spoke, nothing pending) and shows the frames as the box does: a flicker per frame.
  assert.is(await lamp('line:l1'), 'on');
  assert.is.not(await page.getAttribute('[data-lamp="line:l1"]', 'data-traffic-at'), trafficBefore);
  // The station's name is shown as text, never run as markup.
  assert.ok((await page.textContent('tr[data-line="l1"]'))!.includes('press <b>7</b>'));
  assert.is(await page.$$eval('tr[data-line="l1"] b', (b) => b.length), 0);
  await page.waitForSelector('#cards-total:text-is("3")');
});

test('/metrics, parsed as Prometheus would, counts exactly the requests sent', async () => {
  await echo('l2', 2);
  const res = await fetch(url('/metrics'));
  assert.ok(res.headers.get('content-type')!.startsWith('text/plain'));
  const m = parseExposition(await res.text());
  assert.is(sampleValue(m, 'persomux_requests_total', { line: 'l1', op: 'echo' }), 3);
  assert.is(sampleValue(m, 'persomux_requests_total', { line: 'l2', op: 'echo' }), 2);
  assert.is(sampleValue(m, 'persomux_answers_total', { line: 'l1', op: 'echo', code: 'ok' }), 3);
  assert.is(sampleValue(m, 'persomux_cards_total'), 5);
  assert.is(sampleValue(m, 'persomux_time_to_answer_seconds_count', { op: 'echo' }), 5);
  assert.is(sampleValue(m, 'persomux_wait_for_server_seconds_count', { op: 'echo' }), 5);
  assert.is(sampleValue(m, 'persomux_queue_depth', { op: 'echo' }) ?? 0, 0);
  assert.is(sampleValue(m, 'persomux_server_slots', { server: 'ds1', state: 'free' }), 2);
  assert.is(sampleValue(m, 'persomux_link_state', { server: 'ds1', state: 'open' }), 1);
  assert.is(sampleValue(m, 'persomux_link_state', { server: 'ds1', state: 'waiting' }), 0);
  assert.is(m.types.get('persomux_requests_total'), 'counter');
  assert.is(m.types.get('persomux_time_to_answer_seconds'), 'histogram');
  assert.ok(sumOf(m, 'process_cpu_seconds_total') > 0, "prom-client's default process metrics are there");
  // Only the allowed label names, whatever the series.
  const allowed = new Set(['line', 'server', 'op', 'code', 'reason', 'state', 'le']);
  for (const s of m.samples.filter((x) => x.name.startsWith('persomux_'))) for (const k of Object.keys(s.labels)) assert.ok(allowed.has(k), `${s.name} has label ${k}`);
  // An op nobody configured or announced is counted as 'other', never as a new series.
  site.station('l2').request(nextId, 'launch-missiles');
  await site.station('l2').answer(nextId++);
  const after = parseExposition(await (await fetch(url('/metrics'))).text());
  assert.is(sampleValue(after, 'persomux_answers_total', { line: 'l2', op: 'other', code: 'unknown-op' }), 1);
  assert.ok(!after.samples.some((s) => s.labels.op === 'launch-missiles'));
});

test('an action without credentials is refused; with them it is done, and the drained server gets no new work', async () => {
  const bare = await fetch(url('/servers/ds1/drain'), { method: 'POST' });
  assert.is(bare.status, 401);
  assert.ok(bare.headers.get('www-authenticate')?.startsWith('Basic'));
  const wrong = await fetch(url('/servers/ds1/drain'), { method: 'POST', headers: { authorization: `Basic ${Buffer.from(`${USER}:guess-guess`).toString('base64')}` } });
  assert.is(wrong.status, 401);
  assert.is((await fetch(url('/servers/ds1/drain'))).status, 405, 'GET never acts');
  assert.is((await json<StatusView>('/status.json')).servers.find((s) => s.name === 'ds1')!.state, 'ready');

  const done = await fetch(url('/servers/ds1/drain'), { method: 'POST', headers: { authorization: BASIC } });
  assert.is(done.status, 200);
  assert.equal(await done.json(), { ok: true, action: 'drain', server: 'ds1', by: USER });
  assert.ok(site.logLines.some((l) => l.includes('status.action') && l.includes('action=drain') && l.includes(`by=${USER}`)), 'logged with who asked');
  assert.not.ok(site.logLines.some((l) => l.includes(PASSWORD)), 'the password is never logged');
  await page.waitForSelector('tr[data-server="ds1"][data-state="draining"]');

  const before = dispatchedTo.length;
  const ids = await echo('l1', 6);
  const sent = dispatchedTo.slice(before).filter((d) => ids.includes(d.id));
  assert.is(sent.length, 6);
  assert.ok(sent.every((d) => d.server === 'ds2'), `every request went to ds2: ${JSON.stringify(sent)}`);

  // The page's own button (the browser holds the operator's credentials) undrains it.
  await page.click('tr[data-server="ds1"] button');
  await page.waitForSelector('tr[data-server="ds1"][data-state="ready"]');
  await page.waitForSelector('#message:has-text("done (by operator)")');
});

test('persomux status, run against the live router, shows the same states as the page', async () => {
  const { stdout } = await promisify(execFile)('bin/persomux', ['status', '--url', status.url!], { encoding: 'utf8' });
  const view = await json<StatusView>('/status.json');
  const words = (name: string): string[] => stdout.split('\n').find((l) => l.split(/\s+/)[1] === name)?.split(/\s+/) ?? [];
  for (const l of view.lines) assert.is(words(l.name)[2], l.state, `line ${l.name}: ${stdout}`);
  for (const s of view.servers) assert.is(words(s.name)[2], s.state, `server ${s.name}: ${stdout}`);
  assert.is(words('l1')[0], '●', 'the lamp of an idle line is on');
  assert.ok(stdout.includes(`requests ${view.site.requestsTotal}`), stdout);
});

test("a line's row and lamp change when its pty disappears; a screenshot is kept", async () => {
  await site.station('l2').close();
  await site.pairs.get('l2')!.kill();
  assert.is.not(await lamp('line:l2'), 'off');
  await page.waitForSelector(row('l2', 'device-missing'));
  assert.is(await lamp('line:l2'), 'off');
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, 'status-page.png'), fullPage: true });
});

let totalsBefore: StatusView;

test('the page notices the router stopping, then its being gone', async () => {
  totalsBefore = status.view();
  site.router.stop();
  await page.waitForSelector('body[data-router="stopping"]');
  await status.close();
  await page.waitForSelector('body[data-connection="lost"]');
  assert.ok((await page.textContent('#banner'))!.includes('The router is gone'));
});

test('a restart keeps the page totals from the snapshot; /metrics starts again at 0', async () => {
  const router = new Router(config, site.log);
  router.start();
  const again = await startStatusInterface(router, config, site.log);
  try {
    const view = await (await fetch(new URL('/status.json', again.url))).json() as StatusView;
    assert.is(view.site.requestsTotal, totalsBefore.site.requestsTotal);
    assert.is(view.site.cardsTotal, totalsBefore.site.cardsTotal);
    assert.ok(view.site.cardsTotal >= 11);
    const line = (v: StatusView, name: string) => v.lines.find((l) => l.name === name)!;
    assert.is(line(view, 'l1').requests, line(totalsBefore, 'l1').requests);
    assert.equal(line(view, 'l1').answers, line(totalsBefore, 'l1').answers);
    assert.is(view.servers.find((s) => s.name === 'ds2')!.requests, totalsBefore.servers.find((s) => s.name === 'ds2')!.requests);
    const m = parseExposition(await (await fetch(new URL('/metrics', again.url))).text());
    assert.is(sampleValue(m, 'persomux_requests_total', { line: 'l1', op: 'echo' }), 0);
  } finally {
    router.stop();
    await again.close();
  }
});

test.run();
