// A site (src/site/) as the simulator runs it: the same stations, own times,
// per-op service times and servers that `persomux size` predicts from, with
// every time divided by `timeScale` so a long shift runs in seconds
// (site time = simulated time x timeScale; cards/hour at site time =
// simulated cards/hour / timeScale).
import type { ServiceTime } from '../dataserver/service-time.js';
import { meanServiceMs, SIM_CARD_PLAN, stationLocalMs, type Site } from '../site/site.js';
import type { SimOptions } from './sim.js';

export type Binding = 'dynamic' | 'static';

export class SiteNotSimulable extends Error {}

/** The simulator's cards make a fixed set of requests: a site that asks for others cannot be simulated. */
function checkCardPlan(site: Site): void {
  for (const [op, d] of site.ops) {
    const planned = SIM_CARD_PLAN.get(op);
    if (planned === undefined) throw new SiteNotSimulable(`the simulator's cards never ask for op '${op}' (they ask for ${[...SIM_CARD_PLAN.keys()].join(', ')})`);
    if (planned !== d.perCard) throw new SiteNotSimulable(`the simulator's cards make ${planned} '${op}' request(s) each, the site says ${d.perCard}`);
  }
}

export function simOptionsFromSite(site: Site, base: SimOptions, run: { readonly timeScale: number; readonly binding: Binding }): SimOptions {
  checkCardPlan(site);
  const scale = run.timeScale;
  const time = (meanMs: number): ServiceTime => (site.serviceShape === 'exp' ? { kind: 'exp', meanMs: meanMs / scale } : { kind: 'fixed', ms: meanMs / scale });
  // Every planned op gets a time: one the site leaves out takes the site's mean.
  const opServiceTimes = new Map<string, ServiceTime>();
  for (const op of SIM_CARD_PLAN.keys()) opServiceTimes.set(op, time(site.ops.get(op)?.serviceMs ?? meanServiceMs(site)));
  const requests = [...SIM_CARD_PLAN.values()].reduce((a, b) => a + b, 0);
  return {
    ...base,
    machines: site.machines,
    stationsPerMachine: site.stationsPerMachine,
    servers: site.servers,
    slots: site.slots,
    serviceTime: time(meanServiceMs(site)),
    opServiceTimes,
    // The station works alone before each request of its card: its own time per card, spread evenly.
    chipMs: site.localMs[0]! / requests / scale,
    stationChipMs: stationLocalMs(site).map((ms) => ms / requests / scale),
    serverSpeed: site.serverSpeed,
    binding: run.binding,
    timeScale: scale,
  };
}
