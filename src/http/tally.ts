// Plain tallies for /metrics: what the router's events add to, with nothing
// but Map lookups and number fields. A profile of the router under full load
// put prom-client's per-call work (label validation, label hashing, a closure
// per `observe`) at ~6.7% of its CPU; these tallies do none of that per event
// and are handed to prom-client only when /metrics is scraped (see
// tally-metrics.ts). No prom-client import here.

/** Label values of one series, by label name, made once when the series is first seen. */
export type Labels = Readonly<Record<string, string>>;

/** One counter series: a running total. */
export class Count {
  value = 0;
  constructor(readonly labels: Labels) {}
}

/**
 * One histogram series: a count per bucket (not cumulative; the exposition
 * sums them), the sum and the count of every observed value. A value above
 * the last bound is only in `count` (the exposition's `+Inf` bucket).
 */
export class Distribution {
  readonly inBucket: number[];
  sum = 0;
  count = 0;

  constructor(
    readonly labels: Labels,
    readonly bounds: readonly number[],
  ) {
    this.inBucket = bounds.map(() => 0);
  }

  observe(value: number): void {
    // A time that is not a number would make `sum` NaN for good: left out.
    if (!Number.isFinite(value)) return;
    const bounds = this.bounds;
    for (let i = 0; i < bounds.length; i++) {
      if (value <= bounds[i]!) {
        this.inBucket[i]!++;
        break;
      }
    }
    this.sum += value;
    this.count++;
  }
}

type Level = Map<string, unknown>;

/**
 * The series of one metric, found by their label values: one Map level per
 * label, so a lookup builds no key string and no label object. A series is
 * made on first sight and listed in that order, the order prom-client showed
 * them in. Up to three labels, passed in the order of `labelNames`.
 */
export class SeriesIndex<S> {
  private readonly root: Level = new Map();
  private readonly made: S[] = [];

  constructor(
    readonly labelNames: readonly string[],
    private readonly make: (labels: Labels) => S,
  ) {
    if (labelNames.length < 1 || labelNames.length > 3) throw new RangeError(`a series index takes 1 to 3 labels, not ${labelNames.length}`);
  }

  /** Every series so far, in the order they were first seen. */
  get series(): readonly S[] {
    return this.made;
  }

  /** The series for these label values, made (at 0) when new. */
  at(a: string, b?: string, c?: string): S {
    const depth = this.labelNames.length;
    let level = this.root;
    if (depth > 1) level = this.below(level, a);
    if (depth > 2) level = this.below(level, b!);
    const last = depth === 1 ? a : depth === 2 ? b! : c!;
    const found = level.get(last) as S | undefined;
    if (found !== undefined) return found;
    const values = [a, b, c];
    const labels: Record<string, string> = {};
    this.labelNames.forEach((name, i) => (labels[name] = values[i]!));
    const series = this.make(labels);
    level.set(last, series);
    this.made.push(series);
    return series;
  }

  private below(level: Level, key: string): Level {
    let next = level.get(key) as Level | undefined;
    if (next === undefined) level.set(key, (next = new Map()));
    return next;
  }
}

/** Counter series by label values. */
export const counts = (labelNames: readonly string[]): SeriesIndex<Count> => new SeriesIndex(labelNames, (labels) => new Count(labels));

/** Histogram series by label values, every one with the same bucket bounds (ascending). */
export function distributions(labelNames: readonly string[], bounds: readonly number[]): SeriesIndex<Distribution> {
  for (let i = 1; i < bounds.length; i++) if (!(bounds[i]! > bounds[i - 1]!)) throw new RangeError(`bucket bounds must ascend: ${bounds.join(', ')}`);
  return new SeriesIndex(labelNames, (labels) => new Distribution(labels, bounds));
}
