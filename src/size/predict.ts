// A site mapped onto the closed queueing model, for 1, 2, 3... servers.
//
// The mapping (README "Sizing the servers"): a station's card is a loop of R
// requests (R = the requests per card over all ops); before each it works
// alone for localMs / R, so it sends work at lambda = R / localMs; a request
// holds one slot for the mean service time S (weighted by how many of each op
// a card needs); every slot of every server is one server of the model
// (c = servers x slots), since a data server works on `slots` requests at
// once. The model counts requests; cards/hour = 3600 X / R.
//
// Dynamic dispatch (the router) is one pool of c slots. Static binding (each
// station tied to one server, line i to server i mod s, as the simulator
// binds them) is s separate pools of `slots`, each with its own stations.
import { meanServiceMs, requestsPerCard, stationLocalMs, staticServerIndex, type Site } from '../site/site.js';
import { stationGroups, type StationGroup } from './station-groups.js';

export interface Prediction {
  readonly servers: number;
  readonly cardsPerHour: number;
  /** Share of all slots busy. */
  readonly utilisation: number;
  /** Mean wait for a free slot, per request (ms). */
  readonly waitMs: number;
  /** The same summed over a card's requests (ms). */
  readonly waitPerCardMs: number;
}

/** A station's own time per request can be 0 (it sends at once): the model needs a finite rate. */
const MIN_LOCAL_MS = 1e-6;

const speedOf = (site: Site, server: number): number => site.serverSpeed[server] ?? 1;

/** Stations with the same own time form one group (exact product form over groups). */
function groupsOf(localMs: readonly number[], r: number): StationGroup[] {
  const counts = new Map<number, number>();
  for (const ms of localMs) counts.set(ms, (counts.get(ms) ?? 0) + 1);
  return [...counts].map(([ms, count]) => ({ count, lambda: (r * 1000) / Math.max(ms, MIN_LOCAL_MS) }));
}

function prediction(site: Site, servers: number, x: number, busySlots: number, waitWeighted: number): Prediction {
  const r = requestsPerCard(site);
  const waitMs = x > 0 ? (waitWeighted / x) * 1000 : 0;
  return { servers, cardsPerHour: (3600 * x) / r, utilisation: busySlots / (servers * site.slots), waitMs, waitPerCardMs: waitMs * r };
}

/**
 * The router: one pool of servers x slots. Servers of different speeds are
 * taken at their mean speed (the dispatcher spreads work by share of slots,
 * so busy slots are spread evenly): an approximation, exact when all are equal.
 */
export function predictDynamic(site: Site, servers: number): Prediction {
  const r = requestsPerCard(site);
  let speed = 0;
  for (let j = 0; j < servers; j++) speed += speedOf(site, j);
  const mu = ((speed / servers) * 1000) / meanServiceMs(site);
  const out = stationGroups(groupsOf(stationLocalMs(site), r), servers * site.slots, mu);
  return prediction(site, servers, out.x, out.x / mu, out.x * out.waitS);
}

/** Each station bound to one server, spread evenly (line i to server i mod servers). */
export function predictStatic(site: Site, servers: number): Prediction {
  const r = requestsPerCard(site);
  const bound: number[][] = Array.from({ length: servers }, () => []);
  stationLocalMs(site).forEach((ms, i) => bound[staticServerIndex(i, servers)]!.push(ms));
  let x = 0;
  let busy = 0;
  let waitWeighted = 0;
  bound.forEach((localMs, j) => {
    if (localMs.length === 0) return;
    const mu = (speedOf(site, j) * 1000) / meanServiceMs(site);
    const out = stationGroups(groupsOf(localMs, r), site.slots, mu);
    x += out.x;
    busy += out.x / mu;
    waitWeighted += out.x * out.waitS;
  });
  return prediction(site, servers, x, busy, waitWeighted);
}

/** With servers enough for every request at once: each station's card takes its own time plus its service. */
export function ceilingCardsPerHour(site: Site): number {
  const perCardServiceMs = requestsPerCard(site) * meanServiceMs(site);
  return stationLocalMs(site).reduce((sum, ms) => sum + 3_600_000 / (ms + perCardServiceMs), 0);
}
