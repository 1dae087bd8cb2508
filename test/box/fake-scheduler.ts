// A clock the test moves: timers run in due order as time advances; `stall`
// moves time without running anything, as a blocked event loop does.
import type { Scheduler } from '../../src/box/scheduler.js';

interface Timer { due: number; seq: number; fn: () => void; cancelled: boolean }

export class FakeScheduler implements Scheduler {
  private t = 0;
  private seq = 0;
  private timers: Timer[] = [];

  now(): number {
    return this.t;
  }

  after(ms: number, fn: () => void): () => void {
    const timer: Timer = { due: this.t + ms, seq: this.seq++, fn, cancelled: false };
    this.timers.push(timer);
    return () => {
      timer.cancelled = true;
    };
  }

  /** Runs every timer due within the next ms, each at its own time. */
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      this.timers = this.timers.filter((x) => !x.cancelled);
      const next = this.timers.filter((x) => x.due <= end).sort((a, b) => a.due - b.due || a.seq - b.seq)[0];
      if (!next) break;
      this.t = Math.max(this.t, next.due);
      next.cancelled = true;
      next.fn();
    }
    this.t = end;
  }

  /** The loop was blocked for ms: time passes, nothing runs; overdue timers run late afterwards. */
  stall(ms: number): void {
    this.t += ms;
  }

  pending(): number {
    return this.timers.filter((x) => !x.cancelled).length;
  }
}
