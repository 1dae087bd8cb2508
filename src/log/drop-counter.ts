// Counts what a line or link drops, by reason, and says so without flooding
// the log: a warning at the 1st, 10th, 100th... drop of a reason, the rest at
// debug, and all of it within the source's log budget (rate-limit.ts). The
// budget belongs to the source of the input, not to this counter: a line's
// counter gets the line's, and the counters of a listener's connections share
// the listener's (pass it as `budget`, or give the counter a logger that
// already spends it), so that new connections never start a fresh allowance
// (issue 11 item 4).
import type { Fields, Logger } from './logger.js';
import { isRateLimited, rateLimited } from './rate-limit.js';

export class DropCounter<R extends string> {
  readonly counts = new Map<R, number>();
  private readonly out: Logger;

  constructor(
    log: Logger,
    private readonly event: string,
    /** The source's rate-limited logger; by default `log` if it is one, else this counter gets a budget of its own. */
    budget?: Logger,
  ) {
    this.out = budget ?? (isRateLimited(log) ? log : rateLimited(log, {}));
  }

  record(reason: R, fields: Fields = {}): void {
    const n = (this.counts.get(reason) ?? 0) + 1;
    this.counts.set(reason, n);
    this.out[isPowerOfTen(n) ? 'warn' : 'debug'](this.event, { reason, ...fields, dropped: n });
  }

  get(reason: R): number | undefined {
    return this.counts.get(reason);
  }
}

/** 1, 10, 100, ...: when a repeated event is worth a line of its own. */
export function isPowerOfTen(n: number): boolean {
  return n >= 1 && Number.isInteger(Math.log10(n));
}
