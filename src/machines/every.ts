// A periodic tick over a Scheduler's one-shot timers (the panel's lamp tick).
// Ticks stay on the grid start + k*ms, so they do not drift by the timers'
// own lateness; ticks missed while the loop was blocked are skipped, not
// run in a burst: a periodic job wants the present, not the backlog.
import type { Scheduler, Timer } from './scheduler.js';

/** Calls `fn` every `ms` (first time `ms` from now) until the returned timer is cancelled, also from inside `fn`. */
export function every(scheduler: Scheduler, ms: number, fn: () => void): Timer {
  if (!(ms > 0)) throw new RangeError(`every: the period must be a positive number of ms, got ${ms}`);
  let due = scheduler.now() + ms;
  let timer: Timer;
  const arm = (): void => {
    timer = scheduler.after(due - scheduler.now(), tick);
  };
  const tick = (): void => {
    const now = scheduler.now();
    // The next point of the grid after now: k = 1 when on time, more after a stall.
    due += ms * Math.max(1, Math.floor((now - due) / ms) + 1);
    // Armed before fn runs, so a cancel from inside fn cancels the next tick too.
    arm();
    fn();
  };
  arm();
  return { cancel: () => timer.cancel() };
}
