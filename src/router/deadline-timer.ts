// The router's one dispatcher timer: armed for the dispatcher's next
// deadline (a ttl, a server overdue, a re-handshake drain's limit), re-armed
// after every batch of effects, on the injected scheduler.
import type { Scheduler, Timer } from '../machines/scheduler.js';

export class DeadlineTimer {
  private timer: Timer | undefined;
  private at: number | undefined;

  constructor(
    private readonly scheduler: Scheduler,
    private readonly due: (now: number) => void,
  ) {}

  /** Fires `due` at `next` (monotonic ms); undefined disarms. Unchanged deadlines keep their timer. */
  arm(next: number | undefined): void {
    if (next === this.at) return;
    this.timer?.cancel();
    this.timer = undefined;
    this.at = next;
    if (next === undefined) return;
    this.timer = this.scheduler.after(next - this.scheduler.now(), () => {
      this.at = undefined;
      this.timer = undefined;
      this.due(this.scheduler.now());
    });
  }

  disarm(): void {
    this.arm(undefined);
  }
}
