// /metrics' counters and histograms as exact text: the events add to plain
// tallies and prom-client renders them at the scrape, and the rendered lines
// must be those prom-client wrote when the events called it directly (same
// names, HELP, TYPE, label order, series order, cumulative buckets, +Inf,
// _sum and _count). The expected lines follow from the events by hand; the
// comments say how.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Note } from '../../src/dispatch/types.js';
import { createMetrics } from '../../src/http/metrics.js';
import type { RouterEvent, RouterSnapshot } from '../../src/router/events.js';

const BOUNDS = ['0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '2.5', '5', '10', '30'];

function site() {
  const snapshot: RouterSnapshot = {
    router: 'box',
    phase: 'running',
    lines: [{ name: 'l1', path: '/dev/x', protocol: 'native', phase: 'open' }, { name: 'l2', path: '/dev/y', protocol: 'native', phase: 'open' }],
    servers: [{ name: 'ds1', address: 'a', sealed: true, phase: 'open' }],
    cardOps: ['transport-key'],
    dispatch: { queued: new Map(), servers: [], lines: [] },
  };
  const listeners: ((e: RouterEvent, now: number) => void)[] = [];
  const metrics = createMetrics({ snapshot: () => snapshot, onEvent: (l) => (listeners.push(l), () => listeners.splice(listeners.indexOf(l), 1)) }, ['echo', 'transport-key']);
  const emit = (e: RouterEvent): void => listeners.forEach((l) => l(e, 0));
  const note = (n: Note): void => emit({ kind: 'note', note: n });
  /** The text of one metric family, from its HELP line to the line before the next family. */
  const family = async (name: string): Promise<string> => {
    const blocks = (await (await metrics.registry()).metrics()).split('\n\n');
    const found = blocks.filter((b) => b.startsWith(`# HELP ${name} `));
    assert.is(found.length, 1, `one ${name} family`);
    return found[0]!.trimEnd();
  };
  return { metrics, emit, note, family };
}

/** The lines of one histogram series, from per-bucket counts (not cumulative) and the values' sum. */
function histogramLines(name: string, op: string, inBucket: readonly number[], overLast: number, sum: string): string[] {
  let below = 0;
  const lines = BOUNDS.map((le, i) => `${name}_bucket{le="${le}",op="${op}"} ${(below += inBucket[i] ?? 0)}`);
  const count = below + overLast;
  return [...lines, `${name}_bucket{le="+Inf",op="${op}"} ${count}`, `${name}_sum{op="${op}"} ${sum}`, `${name}_count{op="${op}"} ${count}`];
}

test('before any event: the configured series at 0, empty families as HELP and TYPE alone', async () => {
  const { metrics, family } = site();
  assert.is(
    await family('persomux_requests_total'),
    [
      '# HELP persomux_requests_total Requests taken from station lines (and peers), retransmissions not counted',
      '# TYPE persomux_requests_total counter',
      'persomux_requests_total{line="l1",op="echo"} 0',
      'persomux_requests_total{line="l1",op="transport-key"} 0',
      'persomux_requests_total{line="l2",op="echo"} 0',
      'persomux_requests_total{line="l2",op="transport-key"} 0',
    ].join('\n'),
  );
  assert.is(await family('persomux_cards_total'), '# HELP persomux_cards_total Cards made: ok answers to ops marked startsCard\n# TYPE persomux_cards_total counter\npersomux_cards_total 0');
  assert.is(await family('persomux_link_handshakes_total'), '# HELP persomux_link_handshakes_total Completed handshakes of sealed server links\n# TYPE persomux_link_handshakes_total counter\npersomux_link_handshakes_total{server="ds1"} 0');
  assert.is(await family('persomux_wait_for_server_seconds'), '# HELP persomux_wait_for_server_seconds Time from a request arriving to its dispatch to a server\n# TYPE persomux_wait_for_server_seconds histogram');
  assert.is(await family('persomux_answers_total'), '# HELP persomux_answers_total Answers sent to station lines, by code (ok or an error code)\n# TYPE persomux_answers_total counter');
  metrics.close();
});

test('after a known set of events: every counter and histogram line, in first-seen order', async () => {
  const { metrics, emit, note, family } = site();
  note({ event: 'queued', line: 'l2', id: 1, op: 'echo', ahead: 0 });
  note({ event: 'queued', line: 'l1', id: 2, op: 'transport-key', ahead: 0 });
  note({ event: 'rejected', line: 'l1', id: null, code: 'bad-request', why: 'x' });
  note({ event: 'queued', line: 'l2', id: 3, op: 'echo', ahead: 1 });
  note({ event: 'dispatched', line: 'l1', id: 2, op: 'transport-key', server: 'ds1', waitMs: 100 });
  note({ event: 'dispatched', line: 'l2', id: 1, op: 'echo', server: 'ds1', waitMs: 40_000 });
  note({ event: 'dispatched', line: 'l2', id: 3, op: 'echo', server: 'ds1', waitMs: 5 });
  note({ event: 'dispatched', line: 'l2', id: 3, op: 'echo', server: 'ds1', waitMs: 0.3 });
  note({ event: 'answered', line: 'l1', id: 2, op: 'transport-key', outcome: 'ok', totalMs: 70 });
  note({ event: 'answered', line: 'l2', id: 1, op: 'echo', outcome: 'timeout', totalMs: 300 });
  note({ event: 'answered', line: 'l2', id: 3, op: 'echo', outcome: 'ok', totalMs: 0.1 });
  note({ event: 'answered', line: 'l1', id: 4, op: 'transport-key', outcome: 'ok', totalMs: 0.2 });
  emit({ kind: 'traffic', line: 'l2', direction: 'out', bytes: 12 });
  emit({ kind: 'traffic', line: 'l1', direction: 'in', bytes: 30 });
  emit({ kind: 'traffic', line: 'l1', direction: 'in', bytes: 0 });
  emit({ kind: 'traffic', line: 'l2', direction: 'in', bytes: 5 });
  emit({ kind: 'line-drop', line: 'l2', reason: 'crc' });
  emit({ kind: 'line-drop', line: 'l1', reason: 'too-long' });
  emit({ kind: 'line-drop', line: 'l2', reason: 'crc' });
  emit({ kind: 'link-drop', server: 'ds1', reason: 'mac' });
  emit({ kind: 'handshake', server: 'ds2' });

  // The configured series first (created at start), then those the events made, in the order they came.
  assert.is(
    await family('persomux_requests_total'),
    [
      '# HELP persomux_requests_total Requests taken from station lines (and peers), retransmissions not counted',
      '# TYPE persomux_requests_total counter',
      'persomux_requests_total{line="l1",op="echo"} 0',
      'persomux_requests_total{line="l1",op="transport-key"} 1',
      'persomux_requests_total{line="l2",op="echo"} 2',
      'persomux_requests_total{line="l2",op="transport-key"} 0',
      'persomux_requests_total{line="l1",op="other"} 1',
    ].join('\n'),
  );
  assert.is(
    await family('persomux_answers_total'),
    [
      '# HELP persomux_answers_total Answers sent to station lines, by code (ok or an error code)',
      '# TYPE persomux_answers_total counter',
      'persomux_answers_total{line="l1",op="other",code="bad-request"} 1',
      'persomux_answers_total{line="l1",op="transport-key",code="ok"} 2',
      'persomux_answers_total{line="l2",op="echo",code="timeout"} 1',
      'persomux_answers_total{line="l2",op="echo",code="ok"} 1',
    ].join('\n'),
  );
  // Two ok answers to transport-key, the card op.
  assert.is((await family('persomux_cards_total')).split('\n')[2], 'persomux_cards_total 2');

  // Waits: 0.1 s lands in le=0.1 (a bound is inclusive); 40 s is above 30, so only in +Inf;
  // 0.005 s in le=0.005 and 0.0003 s as well. Sums as JavaScript adds them: 40 + 0.005 + 0.0003.
  const wait = 'persomux_wait_for_server_seconds';
  assert.is(
    await family(wait),
    [
      `# HELP ${wait} Time from a request arriving to its dispatch to a server`,
      `# TYPE ${wait} histogram`,
      ...histogramLines(wait, 'transport-key', [0, 0, 0, 0, 1], 0, '0.1'),
      ...histogramLines(wait, 'echo', [2], 1, String(40 + 0.005 + 0.0003)),
    ].join('\n'),
  );
  // Answers: transport-key 0.07 (le=0.1) then 0.0002 (le=0.005); echo 0.3 (le=0.5) then 0.0001 (le=0.005).
  const answer = 'persomux_time_to_answer_seconds';
  assert.is(
    await family(answer),
    [
      `# HELP ${answer} Time from a request arriving to its answer`,
      `# TYPE ${answer} histogram`,
      ...histogramLines(answer, 'transport-key', [1, 0, 0, 0, 1], 0, String(0.07 + 0.0002)),
      ...histogramLines(answer, 'echo', [1, 0, 0, 0, 0, 0, 1], 0, String(0.3 + 0.0001)),
    ].join('\n'),
  );

  const counterLines = async (name: string): Promise<string[]> => (await family(name)).split('\n').slice(2);
  assert.equal(await counterLines('persomux_frames_dropped_total'), ['persomux_frames_dropped_total{line="l2",reason="crc"} 2', 'persomux_frames_dropped_total{line="l1",reason="too-long"} 1']);
  assert.equal(await counterLines('persomux_line_received_bytes_total'), ['persomux_line_received_bytes_total{line="l1"} 30', 'persomux_line_received_bytes_total{line="l2"} 5']);
  assert.equal(await counterLines('persomux_line_sent_bytes_total'), ['persomux_line_sent_bytes_total{line="l2"} 12']);
  assert.equal(await counterLines('persomux_link_handshakes_total'), ['persomux_link_handshakes_total{server="ds1"} 0', 'persomux_link_handshakes_total{server="ds2"} 1']);
  assert.equal(await counterLines('persomux_link_drops_total'), ['persomux_link_drops_total{server="ds1",reason="mac"} 1']);
  metrics.close();
});

test('scrapes read the tallies, never reset them; registry.resetMetrics() (the router never calls it) leaves them too', async () => {
  const { metrics, note, family } = site();
  note({ event: 'queued', line: 'l1', id: 1, op: 'echo', ahead: 0 });
  const first = await family('persomux_requests_total');
  assert.is(await family('persomux_requests_total'), first, 'same text without events in between');
  note({ event: 'queued', line: 'l1', id: 2, op: 'echo', ahead: 0 });
  assert.ok((await family('persomux_requests_total')).includes('persomux_requests_total{line="l1",op="echo"} 2'));
  (await metrics.registry()).resetMetrics();
  assert.ok((await family('persomux_requests_total')).includes('persomux_requests_total{line="l1",op="echo"} 2'), 'the tally stays the truth: a Counter with collect() is refilled at each scrape');
  metrics.close();
});

test('the histograms read as JSON as a prom-client Histogram gives them', async () => {
  const { metrics, note } = site();
  note({ event: 'dispatched', line: 'l1', id: 1, op: 'echo', server: 'ds1', waitMs: 20 });
  const json = await (await metrics.registry()).getMetricsAsJSON();
  const wait = json.find((m) => m.name === 'persomux_wait_for_server_seconds')!;
  assert.is(String(wait.type), 'histogram');
  assert.is(wait.aggregator, 'sum');
  assert.equal(wait.values[2], { value: 1, metricName: 'persomux_wait_for_server_seconds_bucket', exemplar: null, labels: { le: 0.025, op: 'echo' } });
  assert.equal(wait.values.at(-2), { value: 0.02, metricName: 'persomux_wait_for_server_seconds_sum', exemplar: undefined, labels: { op: 'echo' } });
  metrics.close();
});

test('after close, events no longer count', async () => {
  const { metrics, note, family } = site();
  metrics.close();
  note({ event: 'queued', line: 'l1', id: 1, op: 'echo', ahead: 0 });
  assert.ok((await family('persomux_requests_total')).includes('persomux_requests_total{line="l1",op="echo"} 0'));
});

test.run();
