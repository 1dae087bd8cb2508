// The real Scheduler: performance.now() and setTimeout. The one place the
// code base gets real time from (machines, links, lines, dataserver, panel,
// box all take a Scheduler and default to these).
import type { Scheduler } from '../machines/scheduler.js';

/** setTimeout's ceiling (2^31 - 1 ms); longer delays would fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

function realScheduler(keepsProcessAlive: boolean): Scheduler {
  return {
    now: () => Math.floor(performance.now()),
    after: (ms, fn) => {
      const handle = setTimeout(fn, Math.min(MAX_TIMER_MS, Math.max(0, ms)));
      if (!keepsProcessAlive) handle.unref();
      return { cancel: () => clearTimeout(handle), refresh: () => void handle.refresh() };
    },
  };
}

export const systemScheduler: Scheduler = realScheduler(true);

/**
 * The same clock, with timers that never keep the process alive: for watchers
 * of the process itself (the systemd watchdog), which must not hold open a
 * process whose work is done.
 */
export const backgroundScheduler: Scheduler = realScheduler(false);
