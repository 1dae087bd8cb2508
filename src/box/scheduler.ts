// Time for the notifier: the real one (timers that never keep the process
// alive) or a fake one in tests.

export interface Scheduler {
  /** Milliseconds, monotonic. */
  now(): number;
  /** Runs fn once after ms; the returned function cancels it. */
  after(ms: number, fn: () => void): () => void;
}

export const realScheduler: Scheduler = {
  now: () => performance.now(),
  after(ms, fn) {
    const timer = setTimeout(fn, ms);
    timer.unref();
    return () => clearTimeout(timer);
  },
};
