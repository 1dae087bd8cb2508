// The real Scheduler: performance.now() and setTimeout. The one place the
// edges' machines get real time from.
import type { Scheduler } from '../machines/scheduler.js';

/** setTimeout's ceiling (2^31 - 1 ms); longer delays would fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export const systemScheduler: Scheduler = {
  now: () => Math.floor(performance.now()),
  after: (ms, fn) => {
    const handle = setTimeout(fn, Math.min(MAX_TIMER_MS, Math.max(0, ms)));
    return { cancel: () => clearTimeout(handle) };
  },
};
