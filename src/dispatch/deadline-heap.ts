// The deadlines of the requests in flight, earliest first: a binary min-heap
// with lazy deletion. The dispatcher asks for the next deadline after every
// batch of effects; scanning every request in flight for it cost ~4% of the
// router's main thread under full load (README, "The router's cost per
// request"). Here a push is O(log n), and the earliest deadline is at the top.
//
// A request that gets its answer is not taken out (that would need its place
// in the heap): whoever reads the top passes `isLive`, and dead entries are
// dropped when they reach the top. So that answered requests are not kept
// alive until their ttl would have run out (10 s of traffic at thousands of
// requests a second), the heap is rebuilt from its live entries whenever it
// has doubled since the last rebuild: O(1) per push, amortized, and never
// more than about twice the requests in flight (or a few dozen) held.
// Pure: plain values, no clock.

/** Ties on the deadline keep the order of insertion (first come, first served). */
interface Entry<T> {
  readonly at: number;
  readonly order: number;
  readonly item: T;
}

/** Rebuilds below this size cost more than the dead entries they drop. */
const MIN_REBUILD_SIZE = 64;

export class DeadlineHeap<T> {
  private entries: Entry<T>[] = [];
  private inserted = 0;
  /** The size at which the next rebuild drops the dead entries. */
  private rebuildAt = MIN_REBUILD_SIZE;

  constructor(private readonly isLive: (item: T) => boolean) {}

  /** Entries held, dead ones included (for tests and the rebuild rule). */
  get size(): number {
    return this.entries.length;
  }

  push(item: T, at: number): void {
    this.entries.push({ at, order: this.inserted++, item });
    this.up(this.entries.length - 1);
    if (this.entries.length >= this.rebuildAt) this.rebuild();
  }

  /** The earliest deadline of a live item; undefined when none is alive. */
  next(): number | undefined {
    this.dropDeadTop();
    return this.entries[0]?.at;
  }

  /**
   * The live items due by `now`, earliest first, taken out. The caller may
   * end the life of later items while it handles these: each is checked as it
   * is reached, so hand them over one at a time.
   */
  *due(now: number): Generator<T> {
    for (;;) {
      this.dropDeadTop();
      const top = this.entries[0];
      if (!top || top.at > now) return;
      this.pop();
      yield top.item;
    }
  }

  private dropDeadTop(): void {
    while (this.entries.length > 0 && !this.isLive(this.entries[0]!.item)) this.pop();
  }

  private rebuild(): void {
    this.entries = this.entries.filter((e) => this.isLive(e.item));
    for (let i = (this.entries.length >> 1) - 1; i >= 0; i--) this.down(i);
    this.rebuildAt = Math.max(MIN_REBUILD_SIZE, 2 * this.entries.length);
  }

  private pop(): void {
    const last = this.entries.pop()!;
    if (this.entries.length === 0) return;
    this.entries[0] = last;
    this.down(0);
  }

  private before(a: Entry<T>, b: Entry<T>): boolean {
    return a.at < b.at || (a.at === b.at && a.order < b.order);
  }

  private up(i: number): void {
    const e = this.entries;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(e[i]!, e[parent]!)) return;
      [e[i], e[parent]] = [e[parent]!, e[i]!];
      i = parent;
    }
  }

  private down(i: number): void {
    const e = this.entries;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let least = i;
      if (left < e.length && this.before(e[left]!, e[least]!)) least = left;
      if (right < e.length && this.before(e[right]!, e[least]!)) least = right;
      if (least === i) return;
      [e[i], e[least]] = [e[least]!, e[i]!];
      i = least;
    }
  }
}
