// The answer to "how many data servers does this site need": predictions for
// 1, 2, 3... servers, dynamic dispatch beside static binding, and the
// smallest count that meets a cards/hour target, with its margin.
import type { Site } from '../site/site.js';
import { ceilingCardsPerHour, predictDynamic, predictStatic, type Prediction } from './predict.js';

export interface SizingRow {
  readonly dynamic: Prediction;
  readonly static: Prediction;
}

export interface Sizing {
  readonly rows: readonly SizingRow[];
  /** Cards/hour with a free slot for every request: no count of servers gives more. */
  readonly ceiling: number;
  readonly target?: number;
  /** The smallest count of servers whose dynamic prediction meets the target. */
  readonly needed?: { readonly servers: number; readonly cardsPerHour: number; /** (predicted - target) / target */ readonly margin: number };
}

export const MAX_SERVERS = 64;

/**
 * Rows from 1 server up to the largest of: the site's own count, the count
 * that meets the target (plus one, to show what one more buys), and the
 * count that comes within 1% of the ceiling; at least 3, at most maxServers.
 */
export function size(site: Site, options: { target?: number; maxServers?: number } = {}): Sizing {
  const maxServers = Math.min(options.maxServers ?? MAX_SERVERS, MAX_SERVERS);
  const ceiling = ceilingCardsPerHour(site);
  const rows: SizingRow[] = [];
  let needed: Sizing['needed'];
  for (let s = 1; s <= maxServers; s++) {
    const row = { dynamic: predictDynamic(site, s), static: predictStatic(site, s) };
    rows.push(row);
    const cph = row.dynamic.cardsPerHour;
    if (options.target !== undefined && needed === undefined && cph >= options.target) needed = { servers: s, cardsPerHour: cph, margin: cph / options.target - 1 };
    if (s < Math.max(3, site.servers)) continue;
    const flat = cph >= 0.99 * ceiling;
    if (options.target === undefined ? flat : needed ? s > needed.servers : flat && options.target > ceiling) break;
  }
  return { rows, ceiling, ...(options.target === undefined ? {} : { target: options.target }), ...(needed ? { needed } : {}) };
}
