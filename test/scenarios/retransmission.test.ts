// A station retransmits: the request runs once at the data server, the
// station gets ack again while it is in flight, and the same answer, byte
// for byte, once it was answered.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Site } from '../support/site.js';
import { sleep, waitFor } from '../support/wait.js';

let site: Site;
test.before(async () => {
  site = await new Site({ servers: [{ name: 'ds1', slots: 2, serviceTime: { kind: 'fixed', ms: 800 } }] }).start();
});
test.after(() => site?.stop());

test('retransmitted while in flight: acked twice, executed once, answered once', async () => {
  const st = site.station();
  st.request(5, 'echo', { card: 'A', step: 1 });
  await sleep(50);
  st.request(5, 'echo', { card: 'A', step: 1 });
  await st.answer(5);
  await sleep(100);
  assert.is(st.acks(5), 2);
  assert.is(st.answers(5).length, 1);
  assert.is(site.dataServer().executions.get('echo'), 1);
});

test('retransmitted after the answer: the same res byte for byte, not executed again', async () => {
  const st = site.station();
  const framesBefore = st.frames.length;
  st.request(5, 'echo', { card: 'A', step: 1 });
  await waitFor('second answer', () => st.answers(5).length === 2);
  const resFrames = st.frames.filter((f) => f.includes(Buffer.from('res')));
  const [first, second] = resFrames.slice(-2);
  assert.ok(st.frames.length > framesBefore);
  assert.is(second!.toString('hex'), first!.toString('hex'));
  assert.is(site.dataServer().executions.get('echo'), 1);
});

test('the same id with another body is a new request, executed', async () => {
  const st = site.station();
  st.request(5, 'echo', { card: 'B', step: 1 });
  await waitFor('answer for card B', () => st.answers(5).length === 3);
  const last = st.answers(5)[2]!;
  assert.ok(last.ok);
  assert.is(site.dataServer().executions.get('echo'), 2);
});

test('after hello the router forgets the ids: the same request runs again', async () => {
  const st = site.station();
  st.send({ t: 'hello', v: 1 });
  await waitFor('welcome', () => st.received.some((m) => m.t === 'welcome'));
  st.request(5, 'echo', { card: 'B', step: 1 });
  await waitFor('fourth answer', () => st.answers(5).length === 4);
  assert.is(site.dataServer().executions.get('echo'), 3);
});

test.run();
