// The router's one dispatcher timer: armed for the dispatcher's next
// deadline (a ttl, a server overdue, a re-handshake drain's limit), re-armed
// after every batch of effects, on the injected scheduler.
//
// A later deadline keeps the timer that is already set: it fires early, the
// dispatcher finds nothing due, and the timer is set again for the deadline
// then in force. Under load the earliest deadline moves with nearly every
// answer (the oldest request is usually the one answered), and cancelling and
// setting a timer each time was a timer pair per request (README, "The
// router's cost per request"); an earlier deadline still re-arms at once.
import type { Scheduler, Timer } from '../machines/scheduler.js';

export class DeadlineTimer {
  private timer: Timer | undefined;
  /** When the timer set now fires (never later than the deadline it was set for). */
  private at: number | undefined;

  constructor(
    private readonly scheduler: Scheduler,
    private readonly due: (now: number) => void,
  ) {}

  /** Makes sure `due` runs no later than `next` (monotonic ms); undefined disarms. */
  arm(next: number | undefined): void {
    if (next === undefined) return this.disarm();
    if (this.at !== undefined && this.at <= next) return;
    this.timer?.cancel();
    this.at = next;
    this.timer = this.scheduler.after(next - this.scheduler.now(), () => {
      this.at = undefined;
      this.timer = undefined;
      this.due(this.scheduler.now());
    });
  }

  disarm(): void {
    this.timer?.cancel();
    this.timer = undefined;
    this.at = undefined;
  }
}
