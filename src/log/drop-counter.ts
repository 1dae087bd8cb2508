// Counts what a line or link drops, by reason, and says so without flooding
// the journal: a warning at the 1st, 10th, 100th... drop of a reason, the
// rest at debug. The one place for that rule.
import type { Fields, Logger } from './logger.js';

export class DropCounter<R extends string> {
  readonly counts = new Map<R, number>();

  constructor(
    private readonly log: Logger,
    private readonly event: string,
  ) {}

  record(reason: R, fields: Fields = {}): void {
    const n = (this.counts.get(reason) ?? 0) + 1;
    this.counts.set(reason, n);
    this.log[isPowerOfTen(n) ? 'warn' : 'debug'](this.event, { reason, ...fields, dropped: n });
  }

  get(reason: R): number | undefined {
    return this.counts.get(reason);
  }
}

/** 1, 10, 100, ...: when a repeated event is worth a line of its own. */
export function isPowerOfTen(n: number): boolean {
  return n >= 1 && Number.isInteger(Math.log10(n));
}
