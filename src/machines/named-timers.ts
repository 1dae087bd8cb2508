// A machine's timers by name: arming one replaces only that one, so a
// handshake timeout, a ready timeout and a reconnect never share a handle.
import type { Scheduler, Timer } from './scheduler.js';

export class NamedTimers<N extends string> {
  private readonly armed = new Map<N, Timer>();

  constructor(private readonly scheduler: Scheduler) {}

  arm(name: N, ms: number, fire: () => void): void {
    this.armed.get(name)?.cancel();
    const timer = this.scheduler.after(ms, () => {
      if (this.armed.get(name) !== timer) return;
      this.armed.delete(name);
      fire();
    });
    this.armed.set(name, timer);
  }

  disarm(name: N): void {
    this.armed.get(name)?.cancel();
    this.armed.delete(name);
  }

  disarmAll(): void {
    for (const timer of this.armed.values()) timer.cancel();
    this.armed.clear();
  }

  isArmed(name: N): boolean {
    return this.armed.has(name);
  }
}
