// Time as the data server sees it: a clock and one-shot timers, injected so
// that the key-store probe and the service timers run on a fake clock in
// tests (test/dataserver/fake-scheduler.ts) and on Node's timers otherwise.

/** An armed timer, only good for handing back to `clearTimeout`. */
export type TimerHandle = { readonly __timer: unique symbol };

export interface Scheduler {
  /** Milliseconds on a monotonic clock (only differences mean anything). */
  now(): number;
  setTimeout(fire: () => void, ms: number): TimerHandle;
  /** Disarms a timer; a handle already fired or cleared, or none, is fine. */
  clearTimeout(handle: TimerHandle | undefined): void;
}

export const systemScheduler: Scheduler = {
  now: () => performance.now(),
  setTimeout: (fire, ms) => setTimeout(fire, ms) as unknown as TimerHandle,
  clearTimeout: (handle) => clearTimeout(handle as unknown as NodeJS.Timeout | undefined),
};
