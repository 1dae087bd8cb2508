// A Scheduler the test moves by hand: `advance(ms)` fires every timer that
// falls due, in time order, including timers armed by the timers it fires;
// `stall(ms)` moves time without running anything, as a blocked event loop
// does, so overdue timers run late on the next `advance`.
import type { OneShot, Scheduler } from '../../src/machines/scheduler.js';

interface Pending {
  readonly at: number;
  readonly seq: number;
  readonly fn: () => void;
  cancelled: boolean;
}

export class FakeScheduler implements Scheduler {
  private time: number;
  private seq = 0;
  private pending: Pending[] = [];

  /** `start`: the clock's first reading (a monotonic clock rarely starts at 0). */
  constructor(start = 0) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  after(ms: number, fn: () => void): OneShot {
    let p: Pending = { at: this.time + Math.max(0, ms), seq: this.seq++, fn, cancelled: false };
    this.pending.push(p);
    return {
      cancel: () => (p.cancelled = true),
      refresh: () => {
        if (p.cancelled) return; // as Node's timeout.refresh() after clearTimeout: nothing
        p.cancelled = true;
        p = { at: this.time + Math.max(0, ms), seq: this.seq++, fn, cancelled: false };
        this.pending.push(p);
      },
    };
  }

  /** Moves time forward by `ms`, firing what falls due on the way (an overdue timer at the current time). */
  advance(ms: number): void {
    const until = this.time + ms;
    for (;;) {
      this.pending = this.pending.filter((p) => !p.cancelled);
      const next = this.pending.filter((p) => p.at <= until).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!next) break;
      this.pending.splice(this.pending.indexOf(next), 1);
      this.time = Math.max(this.time, next.at);
      next.fn();
    }
    this.time = until;
  }

  /** The loop was blocked for `ms`: time passes, nothing runs; overdue timers run late on the next `advance`. */
  stall(ms: number): void {
    this.time += ms;
  }

  /** Timers still to fire. */
  get armed(): number {
    return this.pending.filter((p) => !p.cancelled).length;
  }
}
