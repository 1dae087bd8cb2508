// A scheduler whose clock moves only when a test says so: timers fire, in
// due order, inside `advance`. No real time passes.
import type { Scheduler, TimerHandle } from '../../src/dataserver/scheduler.js';

interface Pending {
  readonly id: number;
  readonly due: number;
  readonly fire: () => void;
}

export class FakeScheduler implements Scheduler {
  private clock = 0;
  private nextId = 1;
  private pending: Pending[] = [];

  now(): number {
    return this.clock;
  }

  setTimeout(fire: () => void, ms: number): TimerHandle {
    const id = this.nextId++;
    this.pending.push({ id, due: this.clock + Math.max(0, ms), fire });
    return id as unknown as TimerHandle;
  }

  clearTimeout(handle: TimerHandle | undefined): void {
    this.pending = this.pending.filter((p) => p.id !== (handle as unknown as number));
  }

  /** Timers armed and not yet fired. */
  get armed(): number {
    return this.pending.length;
  }

  /** Moves the clock by `ms`, firing each timer that falls due (also ones armed by a timer that fired). */
  advance(ms: number): void {
    const until = this.clock + ms;
    for (;;) {
      const next = this.pending.filter((p) => p.due <= until).sort((a, b) => a.due - b.due || a.id - b.id)[0];
      if (!next) break;
      this.pending = this.pending.filter((p) => p !== next);
      this.clock = next.due;
      next.fire();
    }
    this.clock = until;
  }
}
