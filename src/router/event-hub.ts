// The status seam's fan-out: every router event, with the monotonic time it
// happened at, to every view that subscribed. Costs nothing without views.
import type { Scheduler } from '../machines/scheduler.js';
import type { RouterEvent, RouterEventListener } from './events.js';

export class EventHub {
  private readonly listeners: RouterEventListener[] = [];

  constructor(private readonly scheduler: Scheduler) {}

  /** Returns an unsubscribe. */
  on(listener: RouterEventListener): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  emit(event: RouterEvent): void {
    if (this.listeners.length === 0) return;
    const now = this.scheduler.now();
    for (const listener of this.listeners) listener(event, now);
  }
}
