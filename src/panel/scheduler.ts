// The panel's timer, behind an interface so tests drive it on a fake clock.
export interface Scheduler {
  /** Monotonic ms: the router's clock (events carry the same time). */
  now(): number;
  /** Calls `fn` every `ms` until the returned function is called. */
  every(ms: number, fn: () => void): () => void;
}

export const realScheduler: Scheduler = {
  now: () => Math.floor(performance.now()),
  every(ms, fn) {
    const timer = setInterval(fn, ms);
    return () => clearInterval(timer);
  },
};
