// A site as the capacity model and the simulator both see it: how many
// stations, how long each spends on a card away from the servers, which
// requests a card needs and how long a server takes for each, and the
// servers. `persomux size` and `persomux sim` read the same description
// (from flags or a site file, src/site/site-file.ts), so a prediction and a
// simulated run can be compared.
import { CARD_FILES } from '../sim/card/card-files.js';

export interface OpDemand {
  /** Requests of this op per card. */
  readonly perCard: number;
  /** A data server's mean time for one (ms, site time). */
  readonly serviceMs: number;
}

export type ServiceShape = 'exp' | 'fixed';

export interface Site {
  readonly machines: number;
  readonly stationsPerMachine: number;
  /** A station's own time per card (mechanics, chip writing), away from the servers: one value per machine (ms). */
  readonly localMs: readonly number[];
  /** The requests of one card, by op. */
  readonly ops: ReadonlyMap<string, OpDemand>;
  /** How service times vary around their mean: exponential or fixed. */
  readonly serviceShape: ServiceShape;
  readonly servers: number;
  readonly slots: number;
  /** Per server: 1 = nominal; 0.5 takes twice as long for every op. */
  readonly serverSpeed: readonly number[];
}

/** The requests of one card of the simulator's virtual cards (src/sim/card/personalization.ts). */
export const SIM_CARD_PLAN: ReadonlyMap<string, number> = new Map([
  ['transport-key', 1],
  ['session-keys', 1],
  ['certificate', CARD_FILES.length],
]);

/** What `persomux sim` runs when told nothing: a site made to keep the servers busy. */
export const DEFAULT_SITE: Site = {
  machines: 4,
  stationsPerMachine: 6,
  localMs: [30, 30, 30, 30],
  ops: new Map([...SIM_CARD_PLAN].map(([op, perCard]) => [op, { perCard, serviceMs: 40 }])),
  serviceShape: 'exp',
  servers: 2,
  slots: 4,
  serverSpeed: [1, 1],
};

export const stationCount = (site: Site): number => site.machines * site.stationsPerMachine;

export function requestsPerCard(site: Site): number {
  let n = 0;
  for (const d of site.ops.values()) n += d.perCard;
  return n;
}

/** The mean service time of a request, weighted by how many of each op a card needs (ms). */
export function meanServiceMs(site: Site): number {
  let total = 0;
  for (const d of site.ops.values()) total += d.perCard * d.serviceMs;
  return total / requestsPerCard(site);
}

/** Each station's own time per card, in line order (machine by machine). */
export function stationLocalMs(site: Site): number[] {
  const out: number[] = [];
  for (let m = 0; m < site.machines; m++) for (let s = 0; s < site.stationsPerMachine; s++) out.push(site.localMs[m]!);
  return out;
}

/** Static binding, the one rule for the simulator and the model: line i (in line order) is bound to server i mod servers (0-based). */
export const staticServerIndex = (lineIndex: number, servers: number): number => lineIndex % servers;
