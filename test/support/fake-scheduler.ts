// A Scheduler the test moves by hand: `advance(ms)` fires every timer that
// falls due, in time order, including timers armed by the timers it fires.
import type { Scheduler, Timer } from '../../src/machines/scheduler.js';

interface Pending {
  readonly at: number;
  readonly seq: number;
  readonly fn: () => void;
  cancelled: boolean;
}

export class FakeScheduler implements Scheduler {
  private time = 0;
  private seq = 0;
  private pending: Pending[] = [];

  now(): number {
    return this.time;
  }

  after(ms: number, fn: () => void): Timer {
    const p: Pending = { at: this.time + Math.max(0, ms), seq: this.seq++, fn, cancelled: false };
    this.pending.push(p);
    return { cancel: () => (p.cancelled = true) };
  }

  /** Moves time forward by `ms`, firing what falls due on the way. */
  advance(ms: number): void {
    const until = this.time + ms;
    for (;;) {
      this.pending = this.pending.filter((p) => !p.cancelled);
      const next = this.pending.filter((p) => p.at <= until).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!next) break;
      this.pending.splice(this.pending.indexOf(next), 1);
      this.time = next.at;
      next.fn();
    }
    this.time = until;
  }

  /** Timers still to fire. */
  get armed(): number {
    return this.pending.filter((p) => !p.cancelled).length;
  }
}
