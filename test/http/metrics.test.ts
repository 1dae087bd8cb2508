// /metrics' series from router events over an in-memory seam: counters
// follow the events, gauges follow the snapshot at each scrape, and label
// values stay bounded whatever stations and servers send.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Note } from '../../src/dispatch/types.js';
import { MAX_VALUES } from '../../src/http/label-values.js';
import { createMetrics } from '../../src/http/metrics.js';
import type { RouterEvent, RouterSnapshot } from '../../src/router/events.js';
import { parseExposition, sampleValue, sumOf } from '../support/prom-text.js';

let snapshot: RouterSnapshot = {
  router: 'box',
  phase: 'running',
  lines: [{ name: 'l1', path: '/dev/x', protocol: 'native', phase: 'open' }],
  servers: [{ name: 'ds1', address: 'a', sealed: true, phase: 'open' }],
  cardOps: ['transport-key'],
  dispatch: { queued: new Map([['echo', 3]]), servers: [{ name: 'ds1', available: true, draining: false, slots: 4, busy: 1, ops: ['echo'] }], lines: [{ name: 'l1', up: true, inFlight: 1 }] },
};
const listeners: ((e: RouterEvent, now: number) => void)[] = [];
const source = { snapshot: () => snapshot, onEvent: (l: (e: RouterEvent, now: number) => void) => (listeners.push(l), () => listeners.splice(listeners.indexOf(l), 1)) };
const emit = (e: RouterEvent): void => listeners.forEach((l) => l(e, 0));
const note = (n: Note): void => emit({ kind: 'note', note: n });

const metrics = createMetrics(source, ['echo', 'transport-key']);
const scrape = async () => parseExposition(await (await metrics.registry()).metrics());

test('configured series start at 0; requests, answers, cards and times follow the notes', async () => {
  let m = await scrape();
  assert.is(sampleValue(m, 'persomux_requests_total', { line: 'l1', op: 'echo' }), 0);
  assert.is(sampleValue(m, 'persomux_link_handshakes_total', { server: 'ds1' }), 0);
  note({ event: 'queued', line: 'l1', id: 1, op: 'transport-key', ahead: 0 });
  note({ event: 'dispatched', line: 'l1', id: 1, op: 'transport-key', server: 'ds1', waitMs: 20 });
  note({ event: 'answered', line: 'l1', id: 1, op: 'transport-key', outcome: 'ok', totalMs: 70 });
  note({ event: 'rejected', line: 'l1', id: 2, op: 'echo', code: 'overloaded', why: 'x' });
  note({ event: 'rejected', line: 'l1', id: null, code: 'bad-request', why: 'x' });
  emit({ kind: 'traffic', line: 'l1', direction: 'in', bytes: 30 });
  emit({ kind: 'line-drop', line: 'l1', reason: 'crc' });
  emit({ kind: 'handshake', server: 'ds1' });
  m = await scrape();
  assert.is(sampleValue(m, 'persomux_requests_total', { line: 'l1', op: 'transport-key' }), 1);
  assert.is(sampleValue(m, 'persomux_requests_total', { line: 'l1', op: 'echo' }), 1);
  assert.is(sampleValue(m, 'persomux_requests_total', { line: 'l1', op: 'other' }), 1, 'a request without an op');
  assert.is(sampleValue(m, 'persomux_answers_total', { line: 'l1', op: 'echo', code: 'overloaded' }), 1);
  assert.is(sampleValue(m, 'persomux_cards_total'), 1);
  assert.is(sampleValue(m, 'persomux_wait_for_server_seconds_sum', { op: 'transport-key' }), 0.02);
  assert.is(sampleValue(m, 'persomux_time_to_answer_seconds_bucket', { op: 'transport-key', le: '0.1' }), 1);
  assert.is(sampleValue(m, 'persomux_time_to_answer_seconds_bucket', { op: 'transport-key', le: '0.05' }), 0);
  assert.is(sampleValue(m, 'persomux_line_received_bytes_total', { line: 'l1' }), 30);
  assert.is(sampleValue(m, 'persomux_frames_dropped_total', { line: 'l1', reason: 'crc' }), 1);
  assert.is(sampleValue(m, 'persomux_link_handshakes_total', { server: 'ds1' }), 1);
});

test('what happens before the first scrape is counted: the registry is built then, from the tallies, and kept', async () => {
  const late = createMetrics(source, ['echo']);
  note({ event: 'queued', line: 'l1', id: 7, op: 'echo', ahead: 0 });
  note({ event: 'answered', line: 'l1', id: 7, op: 'echo', outcome: 'ok', totalMs: 3 });
  const first = await late.registry();
  const m = parseExposition(await first.metrics());
  assert.is(sampleValue(m, 'persomux_requests_total', { line: 'l1', op: 'echo' }), 1);
  assert.is(sampleValue(m, 'persomux_answers_total', { line: 'l1', op: 'echo', code: 'ok' }), 1);
  assert.is(await late.registry(), first, 'one registry for the life of the router');
  late.close();
});

test('a registry that fails to load fails that scrape only; the next scrape loads it', async () => {
  let attempts = 0;
  const flaky = createMetrics(source, ['echo'], async () => {
    if (++attempts === 1) throw new Error('EMFILE: too many open files');
    return import('../../src/http/metrics-registry.js');
  });
  const first = await flaky.registry().then(
    () => 'loaded',
    (e: Error) => e.message,
  );
  assert.match(first, /EMFILE/);
  const r = await flaky.registry();
  assert.ok((await r.metrics()).includes('persomux_requests_total'));
  assert.is(attempts, 2);
  flaky.close();
});

test('gauges are read from the snapshot at each scrape', async () => {
  let m = await scrape();
  assert.is(sampleValue(m, 'persomux_queue_depth', { op: 'echo' }), 3);
  assert.is(sampleValue(m, 'persomux_server_slots', { server: 'ds1', state: 'busy' }), 1);
  assert.is(sampleValue(m, 'persomux_server_slots', { server: 'ds1', state: 'free' }), 3);
  assert.is(sampleValue(m, 'persomux_line_state', { line: 'l1', state: 'open' }), 1);
  snapshot = { ...snapshot, servers: [{ ...snapshot.servers[0]!, phase: 'waiting', drainedBy: 'operator' }], dispatch: { ...snapshot.dispatch, queued: new Map() } };
  m = await scrape();
  assert.is(sampleValue(m, 'persomux_link_state', { server: 'ds1', state: 'waiting' }), 1);
  assert.is(sampleValue(m, 'persomux_link_state', { server: 'ds1', state: 'open' }), 0);
  assert.is(sampleValue(m, 'persomux_server_draining', { server: 'ds1' }), 1);
  assert.is(sumOf(m, 'persomux_queue_depth'), 0);
});

test('ops: configured or announced, others are "other"; server error codes are capped', async () => {
  note({ event: 'queued', line: 'l1', id: 3, op: 'sign', ahead: 0 });
  note({ event: 'server-available', server: 'ds1', slots: 4, ops: ['sign'] });
  note({ event: 'queued', line: 'l1', id: 4, op: 'sign', ahead: 0 });
  for (let i = 0; i < MAX_VALUES + 5; i++) note({ event: 'answered', line: 'l1', id: 100 + i, op: 'echo', outcome: `odd-code-${i}`, totalMs: 1 });
  const m = await scrape();
  assert.is(sampleValue(m, 'persomux_requests_total', { line: 'l1', op: 'other' }), 2, 'before it was announced, and the op-less bad request');
  assert.is(sampleValue(m, 'persomux_requests_total', { line: 'l1', op: 'sign' }), 1);
  const codes = new Set(m.samples.filter((s) => s.name === 'persomux_answers_total').map((s) => s.labels.code));
  assert.ok(codes.size <= MAX_VALUES + 1, `${codes.size} codes`);
  assert.ok(codes.has('other'));
});

test.after(() => metrics.close());
test.run();
