// The router's own answers: ttl expiry, no-server, overloaded, unknown-op.
// Each is told apart by its code, and none costs a data server any work.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Site } from '../support/site.js';
import { sleep } from '../support/wait.js';

let site: Site;
test.before(async () => {
  site = await new Site({
    lines: [{ name: 'l1', maxOutstanding: 2 }, { name: 'l2' }],
    servers: [{ name: 'ds1', slots: 1, serviceTime: { kind: 'fixed', ms: 600 } }],
    ops: { echo: { ttlMs: 5000, retry: true }, 'session-keys': { ttlMs: 300 } },
  }).start();
});
test.after(() => site?.stop());

const code = (r: { ok: boolean; err?: { code: string } }): string => (r.ok ? 'ok' : r.err!.code);

test('ttl runs out while queued behind a slow request: timeout, and it is never sent', async () => {
  const st = site.station('l2');
  st.request(1, 'echo', 'slow');
  st.request(2, 'echo', 'late', 150);
  const res = await st.answer(2);
  assert.is(code(res), 'timeout');
  assert.is(code(await st.answer(1)), 'ok');
  const order = st.received.filter((m) => m.t === 'res').map((m) => (m as { id: number }).id);
  assert.equal(order.slice(0, 2), [2, 1], 'answered at its ttl, before the slow one finished');
  await sleep(100);
  assert.is(site.dataServer().executions.get('echo'), 1, 'the expired request never reached the server');
});

test('an op no server serves: no-server at the end of its ttl', async () => {
  const st = site.station('l2');
  st.request(3, 'session-keys', { csn: 'x' });
  assert.is(code(await st.answer(3)), 'no-server');
});

test('beyond maxOutstanding: overloaded at once', async () => {
  const st = site.station('l1');
  st.request(1, 'echo', 1);
  st.request(2, 'echo', 2);
  st.request(3, 'echo', 3);
  const res = await st.answer(3, 3000);
  assert.is(code(res), 'overloaded');
  assert.equal(st.answers(1), [], 'refused at once: before the requests ahead of it were answered');
  // 2.1 rule 1: ack, then the one res, even for a request refused at once.
  assert.equal(st.received.filter((m) => 'id' in m && m.id === 3).map((m) => m.t), ['ack', 'res']);
  assert.is(code(await st.answer(1)), 'ok');
  assert.is(code(await st.answer(2)), 'ok');
});

test('an op nobody knows: unknown-op at once, nothing sent', async () => {
  const before = site.dataServer().totalExecutions;
  const st = site.station('l2');
  st.request(4, 'format-disk', {});
  assert.is(code(await st.answer(4, 3000)), 'unknown-op');
  await sleep(50);
  assert.is(site.dataServer().totalExecutions, before);
});

test("the operator's status line counts each outcome by its code", () => {
  const summary = site.router.summary();
  assert.is(summary.lines, '2/2');
  assert.is(summary.servers, '1/1');
  for (const code of ['timeout', 'no-server', 'overloaded', 'unknown-op']) assert.match(String(summary.errors), new RegExp(`${code}:1`));
  assert.is(summary.answered, 3);
});

test.run();
