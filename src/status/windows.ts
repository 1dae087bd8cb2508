// Bounded memory for "in the last minute" and "over recent answers": counts
// kept in fixed time buckets, latencies in a fixed ring. A garbage storm on
// a line costs a counter increment, never a growing array.

/** Events counted in `buckets` buckets of `bucketMs` each: the sum over the last `buckets * bucketMs` ms. */
export class RecentCount {
  private readonly counts: number[];
  private readonly stamps: number[];

  constructor(
    private readonly bucketMs: number,
    buckets: number,
  ) {
    this.counts = new Array<number>(buckets).fill(0);
    this.stamps = new Array<number>(buckets).fill(-1);
  }

  get windowMs(): number {
    return this.bucketMs * this.counts.length;
  }

  add(now: number, n = 1): void {
    const b = Math.floor(now / this.bucketMs);
    const i = b % this.counts.length;
    if (this.stamps[i] !== b) {
      this.stamps[i] = b;
      this.counts[i] = 0;
    }
    this.counts[i]! += n;
  }

  /** The count over the window ending at `now` (whole buckets: up to one bucket more than the window's exact edge). */
  total(now: number): number {
    const b = Math.floor(now / this.bucketMs);
    let sum = 0;
    for (let i = 0; i < this.counts.length; i++) {
      const stamp = this.stamps[i]!;
      if (stamp >= 0 && stamp > b - this.counts.length && stamp <= b) sum += this.counts[i]!;
    }
    return sum;
  }
}

/** The last `size` latencies, for p50/p99. */
export class LatencyRing {
  private readonly values: number[] = [];
  private next = 0;

  constructor(private readonly size: number) {}

  add(ms: number): void {
    if (this.values.length < this.size) this.values.push(ms);
    else this.values[this.next] = ms;
    this.next = (this.next + 1) % this.size;
  }

  /** Nearest-rank percentiles (each p in 0..100), one sort for all; undefined before the first value. */
  percentiles(...ps: number[]): (number | undefined)[] {
    if (this.values.length === 0) return ps.map(() => undefined);
    const sorted = Float64Array.from(this.values).sort();
    return ps.map((p) => sorted[Math.max(1, Math.ceil((p / 100) * sorted.length)) - 1]);
  }
}
