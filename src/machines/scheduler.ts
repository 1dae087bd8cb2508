// Time as the edges' state machines see it: a monotonic clock and one-shot
// timers, injected. The system scheduler (src/timers/) is the real one; tests
// pass a fake one they move by hand, so a timeout takes no real time.
export interface Timer {
  cancel(): void;
}

/** A timer from `after`. */
export interface OneShot extends Timer {
  /**
   * Arms it again, its `ms` from now, with the same function, whether it has
   * fired or not (after `cancel` it does nothing): a timer re-armed every half second
   * per line costs no new timer object each time (named-timers.ts).
   */
  refresh(): void;
}

export interface Scheduler {
  /** Monotonic milliseconds: NTP stepping the wall clock must not fire a timeout. */
  now(): number;
  /** Calls `fn` once, `ms` from now (0 or less: on a later turn, never synchronously). */
  after(ms: number, fn: () => void): OneShot;
}
