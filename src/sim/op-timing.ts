// Per-op service times for the simulator's data servers: each op handler is
// given a delay before it runs, drawn from that op's service time and
// stretched by the server's speed (0.5 = twice as long), while the request
// holds its slot (the data server frees the slot only when the handler has
// answered). The server's own --service-time is then 0, so the time a slot
// is held is this delay plus the real work of the op (CMAC, ECDSA).
import type { OpHandler } from '../dataserver/ops/op.js';
import { sampleServiceMs, type ServiceTime } from '../dataserver/service-time.js';
import type { Random } from '../util/random.js';

/** The timer the delays run on: Node's by default, a fake one in tests. */
export interface Timers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

const NODE_TIMERS: Timers = { set: (fn, ms) => setTimeout(fn, ms), clear: (h) => clearTimeout(h as NodeJS.Timeout) };

export interface OpTiming {
  /** Service time by op; ops not named take `fallback`. */
  readonly byOp: ReadonlyMap<string, ServiceTime>;
  readonly fallback: ServiceTime;
  /** 1 = nominal. */
  readonly speed: number;
  readonly random: Random;
  readonly timers?: Timers;
}

export interface TimedOps {
  readonly ops: Map<string, OpHandler>;
  /** Drops the delays not yet run (the run is over): their work never starts, their promises never settle. */
  stop(): void;
}

export function timedOps(ops: ReadonlyMap<string, OpHandler>, timing: OpTiming): TimedOps {
  const timers = timing.timers ?? NODE_TIMERS;
  const pending = new Set<unknown>();
  let stopped = false;
  const wrapped = new Map<string, OpHandler>();
  for (const [op, handler] of ops) {
    const time = timing.byOp.get(op) ?? timing.fallback;
    wrapped.set(
      op,
      (body, context) =>
        new Promise((resolve, reject) => {
          if (stopped) return;
          const handle = timers.set(() => {
            pending.delete(handle);
            Promise.resolve()
              .then(() => handler(body, context))
              .then(resolve, reject);
          }, sampleServiceMs(time, timing.random) / timing.speed);
          pending.add(handle);
        }),
    );
  }
  return {
    ops: wrapped,
    stop: () => {
      stopped = true;
      for (const h of pending) timers.clear(h);
      pending.clear();
    },
  };
}
