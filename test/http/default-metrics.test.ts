// The router registers prom-client's default metrics one by one, all but
// the GC histogram (src/http/default-metrics.ts): the same set as
// collectDefaultMetrics, less exactly that one, so a new prom-client with a
// new default metric fails here instead of losing it quietly.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { LEFT_OUT_DEFAULT_METRICS, registerDefaultMetrics } from '../../src/http/default-metrics.js';

const names = async (r: Registry) => (await r.getMetricsAsJSON()).map((m) => m.name).sort();

test("the router's default metrics are prom-client's, less the GC histogram", async () => {
  const theirs = new Registry();
  collectDefaultMetrics({ register: theirs });
  const ours = new Registry();
  registerDefaultMetrics(ours);
  const expected = (await names(theirs)).filter((n) => !(LEFT_OUT_DEFAULT_METRICS as readonly string[]).includes(n));
  assert.equal(await names(ours), expected);
  assert.ok(expected.length >= 10, `${expected.length} default metrics`);
  assert.ok((await names(theirs)).includes('nodejs_gc_duration_seconds'), 'the one left out is one prom-client has');
});

test('they read real values: CPU time, resident memory, heap', async () => {
  const ours = new Registry();
  registerDefaultMetrics(ours);
  const text = await ours.metrics();
  const value = (name: string) => Number(new RegExp(`^${name} (\\S+)`, 'm').exec(text)?.[1]);
  assert.ok(value('process_cpu_seconds_total') > 0);
  assert.ok(value('process_resident_memory_bytes') > 10e6);
  assert.ok(value('nodejs_heap_size_used_bytes') > 1e6);
});

test.run();
