// A scheduler for the panel tests: time moves only when told.
import type { Scheduler } from '../../src/panel/scheduler.js';

/** A scheduler for tests: time moves only when `advance` is called, running due callbacks in order. */
export class FakeScheduler implements Scheduler {
  private t: number;
  private readonly timers = new Set<{ ms: number; next: number; fn: () => void }>();

  constructor(start = 0) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  every(ms: number, fn: () => void): () => void {
    const timer = { ms, next: this.t + ms, fn };
    this.timers.add(timer);
    return () => this.timers.delete(timer);
  }

  get pending(): number {
    return this.timers.size;
  }

  advance(ms: number): void {
    const until = this.t + ms;
    for (;;) {
      let due: { ms: number; next: number; fn: () => void } | undefined;
      for (const timer of this.timers) if (timer.next <= until && (!due || timer.next < due.next)) due = timer;
      if (!due) break;
      this.t = due.next;
      due.next += due.ms;
      due.fn();
    }
    this.t = until;
  }
}
