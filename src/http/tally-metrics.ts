// The tallies (tally.ts) handed to prom-client at scrape time, so /metrics
// reads exactly as when the events called prom-client themselves: same names,
// HELP, TYPE, labels, series order, cumulative buckets, +Inf, _sum, _count.
import { Counter, type Metric, type Registry } from 'prom-client';
import type { Count, Distribution, SeriesIndex } from './tally.js';

/** A counter whose series are the tally's, copied in at each scrape (prom-client's public `collect` + `reset` + `inc`). */
export function tallyCounter(registry: Registry, name: string, help: string, tally: SeriesIndex<Count>): void {
  new Counter({
    name,
    help,
    labelNames: tally.labelNames,
    registers: [registry],
    collect() {
      this.reset();
      for (const s of tally.series) this.inc(s.labels, s.value);
    },
  });
}

/** A counter without labels whose value is read at each scrape. */
export function totalCounter(registry: Registry, name: string, help: string, read: () => number): void {
  new Counter({
    name,
    help,
    registers: [registry],
    collect() {
      this.reset();
      this.inc(read());
    },
  });
}

/** One sample as a prom-client Histogram's `get()` gives it (what `Registry.getMetricsAsJSON` returns), fields in its order; buckets carry `exemplar: null`, _sum and _count `exemplar: undefined`. */
interface SampleValue {
  readonly value: number;
  readonly metricName: string;
  readonly exemplar: null | undefined;
  readonly labels: Readonly<Record<string, string | number>>;
}

/**
 * A histogram whose series are the tally's. prom-client has no public way to
 * set bucket counts (a Histogram only learns through `observe`, and its
 * series live in an internal field), so instead of reaching into a Histogram
 * this is a metric object of our own, registered with the public
 * `registry.registerMetric`: `get()` returns the same `{name, help, type,
 * values, aggregator}` a Histogram's `get()` returns, and the registry
 * renders it as it renders its own (it reads `getForPromString`, an internal
 * Histogram method, only when a metric has one; this one does not).
 * `registerMetric`'s type names prom-client's four classes, hence the one cast.
 */
class TallyHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly tally: SeriesIndex<Distribution>,
  ) {}

  async get(): Promise<{ name: string; help: string; type: string; values: SampleValue[]; aggregator: string }> {
    const values: SampleValue[] = [];
    const bucket = `${this.name}_bucket`;
    for (const s of this.tally.series) {
      let below = 0;
      // `le` first, then the series' labels: the order prom-client writes them in.
      s.bounds.forEach((le, i) => {
        below += s.inBucket[i]!;
        values.push({ value: below, metricName: bucket, exemplar: null, labels: { le, ...s.labels } });
      });
      values.push({ value: s.count, metricName: bucket, exemplar: null, labels: { le: '+Inf', ...s.labels } });
      values.push({ value: s.sum, metricName: `${this.name}_sum`, exemplar: undefined, labels: s.labels });
      values.push({ value: s.count, metricName: `${this.name}_count`, exemplar: undefined, labels: s.labels });
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }

  /** `registry.resetMetrics()` calls it; like the tallied counters (refilled at each scrape), the tally is the truth, so nothing to clear here. */
  reset(): void {}
}

/** Registers a histogram read from `tally` at each scrape. */
export function tallyHistogram(registry: Registry, name: string, help: string, tally: SeriesIndex<Distribution>): void {
  registry.registerMetric(new TallyHistogram(name, help, tally) as unknown as Metric);
}
