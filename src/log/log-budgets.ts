// The log budgets of a process, one per source of outside input (rate-limit.ts):
// `for('line', 'm1-s1')`, `for('listener', '0.0.0.0:7000')`. Asking twice for
// the same source gives the same budget, so every connection accepted by one
// listener, and every event of one line, draws on one allowance.
import type { Logger } from './logger.js';
import { rateLimited, type RateLimitedLogger, type RateLimitOptions } from './rate-limit.js';

export type SourceKind = 'line' | 'listener' | 'link';

export class LogBudgets {
  private readonly budgets = new Map<string, RateLimitedLogger>();

  constructor(
    private readonly log: Logger,
    private readonly options: RateLimitOptions = {},
  ) {}

  for(kind: SourceKind, name: string): RateLimitedLogger {
    const key = `${kind}\u0000${name}`;
    let budget = this.budgets.get(key);
    if (!budget) {
      budget = rateLimited(this.log.child({ [kind]: name }), {}, this.options);
      this.budgets.set(key, budget);
    }
    return budget;
  }

  /** Writes every pending summary and cancels their timers (at stop). */
  close(): void {
    for (const b of this.budgets.values()) b.close();
  }
}
