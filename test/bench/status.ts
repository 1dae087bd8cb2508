// make bench, the status interface: what the router's events cost in the
// listeners it adds (metrics counters, the status model, the statistics'
// service times), and what one /metrics scrape and one view cost for a site
// of 24 lines and 5 ops. Figures, not assertions.
import { performance } from 'node:perf_hooks';
import type { Note } from '../../src/dispatch/types.js';
import { createMetrics } from '../../src/http/metrics.js';
import { silentLogger } from '../../src/log/logger.js';
import type { RouterEvent, RouterSnapshot } from '../../src/router/events.js';
import { Statistics } from '../../src/stats/statistics.js';
import { createStatusModel } from '../../src/status/model.js';

export async function benchStatus(rate: (label: string, n: number, body: () => void) => void): Promise<void> {
  const ops = ['echo', 'transport-key', 'session-keys', 'certificate', 'issuer-key'];
  const lines = Array.from({ length: 24 }, (_, i) => `m${1 + Math.floor(i / 6)}-s${1 + (i % 6)}`);
  const snapshot: RouterSnapshot = {
    router: 'bench',
    phase: 'running',
    lines: lines.map((name) => ({ name, path: `/dev/${name}`, protocol: 'native', phase: 'open' })),
    servers: [{ name: 'ds1', address: 'a', sealed: true, phase: 'open' }, { name: 'ds2', address: 'b', sealed: true, phase: 'open' }],
    cardOps: ['transport-key'],
    dispatch: { queued: new Map(ops.map((o) => [o, 1])), servers: [{ name: 'ds1', available: true, draining: false, slots: 4, busy: 2, ops }, { name: 'ds2', available: true, draining: false, slots: 4, busy: 3, ops }], lines: lines.map((name) => ({ name, up: true, inFlight: 1 })) },
  };
  const listeners: ((e: RouterEvent, now: number) => void)[] = [];
  const seam = { snapshot: () => snapshot, onEvent: (l: (e: RouterEvent, now: number) => void) => (listeners.push(l), () => {}) };
  const metrics = createMetrics(seam, ops);
  const model = createStatusModel(snapshot, { startedAt: 0 });
  seam.onEvent((e, now) => model.apply(e, now));
  const statistics = new Statistics({ stateDir: '/nonexistent', router: 'bench', log: silentLogger });
  statistics.attach(seam);
  const emit = (e: RouterEvent, now: number): void => {
    for (const l of listeners) l(e, now);
  };
  const note = (n: Note, now: number): void => emit({ kind: 'note', note: n }, now);
  let id = 0;
  let now = 0;
  rate('status listeners: one request (6 events)', 100_000, () => {
    id++;
    now += 1;
    const line = lines[id % 24]!;
    const op = ops[id % 5]!;
    emit({ kind: 'traffic', line, direction: 'in', bytes: 60 }, now);
    note({ event: 'queued', line, id, op, ahead: 0 }, now);
    note({ event: 'dispatched', line, id, op, server: 'ds1', waitMs: 3 }, now);
    note({ event: 'answered', line, id, op, outcome: 'ok', totalMs: 40 }, now + 40);
    emit({ kind: 'traffic', line, direction: 'out', bytes: 12 }, now);
    emit({ kind: 'traffic', line, direction: 'out', bytes: 80 }, now + 40);
  });
  const text = await (await metrics.registry()).metrics();
  const t0 = performance.now();
  for (let i = 0; i < 200; i++) await (await metrics.registry()).metrics();
  const scrapeMs = (performance.now() - t0) / 200;
  console.log(`${'/metrics scrape (24 lines x 5 ops)'.padEnd(52)} ${scrapeMs.toFixed(2).padStart(9)} ms  (${(text.length / 1024).toFixed(0)} kB, ${text.split('\n').filter((l) => l && !l.startsWith('#')).length} samples)`);
  rate('status view + JSON (24 lines, with snapshot totals)', 20_000, () => JSON.stringify(statistics.decorate(model.view(now))));
  metrics.close();
}
