// make bench, part (d): `persomux size`'s predicted cards/hour against the
// simulator's measured ones for several site shapes, and dynamic dispatch
// against static binding. Simulated time runs TIME_SCALE times faster than
// site time (say so in the output); figures are given back at site time.
import { silentLogger } from '../../src/log/logger.js';
import { DEFAULT_SIM, runSimulation, type SimResult } from '../../src/sim/sim.js';
import { simOptionsFromSite, type Binding } from '../../src/sim/site-options.js';
import { DEFAULT_SITE, meanServiceMs, requestsPerCard, stationCount, stationLocalMs, type Site } from '../../src/site/site.js';
import { predictDynamic, predictStatic } from '../../src/size/predict.js';
import { figuresOf } from '../../src/sim/compare-report.js';

export const TIME_SCALE = 5;

const ops = (transportKey: number, sessionKeys: number, certificate: number): Site['ops'] =>
  new Map([
    ['transport-key', { perCard: 1, serviceMs: transportKey }],
    ['session-keys', { perCard: 1, serviceMs: sessionKeys }],
    ['certificate', { perCard: 4, serviceMs: certificate }],
  ]);

const shape = (machines: number, stationsPerMachine: number, localMs: number | number[], servers: number, slots: number, o: Site['ops'], serverSpeed?: number[]): Site => ({
  ...DEFAULT_SITE,
  machines,
  stationsPerMachine,
  localMs: Array.isArray(localMs) ? localMs : Array.from({ length: machines }, () => localMs),
  ops: o,
  servers,
  slots,
  serverSpeed: serverSpeed ?? Array.from({ length: servers }, () => 1),
});

/** The shapes: each names what it shows. Times are site times (ms). */
export const SHAPES: readonly { name: string; site: Site; bindings: readonly Binding[] }[] = [
  { name: 'A: 8 stations, one HSM with 2 slots', site: shape(1, 8, 6000, 1, 2, ops(100, 150, 200)), bindings: ['dynamic'] },
  { name: 'B: 24 stations, 2 servers x 1 slot (saturated)', site: shape(4, 6, 6000, 2, 1, ops(100, 150, 200)), bindings: ['dynamic'] },
  { name: 'C: 36 stations, 3 servers x 2 slots (the knee)', site: shape(6, 6, 10_000, 3, 2, ops(150, 200, 250)), bindings: ['dynamic', 'static'] },
  { name: 'D: uneven: m1 twice as busy, ds2 at 0.4 speed', site: shape(4, 6, [4000, 8000, 8000, 8000], 2, 2, ops(100, 150, 200), [1, 0.4]), bindings: ['dynamic', 'static'] },
];

export interface CapacityRow {
  readonly shape: string;
  readonly binding: Binding;
  readonly stations: number;
  readonly servers: number;
  readonly slots: number;
  readonly predictedCardsPerHour: number;
  /** Answered requests / requests per card (a card in progress counts in part), at site time. */
  readonly measuredCardsPerHour: number;
  readonly cardsCompleted: number;
  readonly deviation: number;
  /** The model on the times this run delivered (see delivered()). */
  readonly predictedOnDelivered: number;
  readonly serviceStretch: number;
  readonly ownTimeStretch: number;
  readonly predictedWaitMs: number;
  readonly measuredWaitMs: number;
  readonly seconds: number;
}

const mean = (xs: readonly number[]): number => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length);

/**
 * The site as this run delivered it: on a busy machine a slot is held longer
 * than the nominal service time (timers fire late, the op's own CPU work, the
 * link to the server) and a station's cycle has more than its own time (the
 * pty, the router). Measured on the router's clock: hold = answer time - wait
 * per request; own time per request = stations x run time / requests - answer
 * time. The factors stretch the nominal site to match, to show how much of a
 * deviation is the machine rather than the model.
 */
function delivered(site: Site, r: SimResult): { site: Site; serviceFactor: number; localFactor: number } {
  const answerMs = mean(r.roundTripsMs);
  const holdMs = answerMs - mean(r.waitsMs);
  const requests = r.stations.reduce((n, s) => n + s.requests, 0);
  const ownMs = (r.stations.length * r.elapsedS * 1000) / requests - answerMs;
  const served = [...r.served.counts];
  const total = served.reduce((n, [, c]) => n + c, 0);
  const nominalHold = served.reduce((sum, [name, c]) => sum + (c * meanServiceMs(site)) / (site.serverSpeed[Number(name.slice(2)) - 1] ?? 1), 0) / total / TIME_SCALE;
  const local = stationLocalMs(site);
  const nominalOwn = r.stations.reduce((sum, s, i) => sum + (s.requests * local[i]!) / requestsPerCard(site), 0) / requests / TIME_SCALE;
  const serviceFactor = holdMs / nominalHold;
  const localFactor = ownMs / nominalOwn;
  return {
    serviceFactor,
    localFactor,
    site: { ...site, localMs: site.localMs.map((ms) => ms * localFactor), ops: new Map([...site.ops].map(([op, d]) => [op, { ...d, serviceMs: d.serviceMs * serviceFactor }])) },
  };
}

function measured(site: Site, r: SimResult): { cardsPerHour: number; waitMs: number; cards: number } {
  const requests = r.stations.reduce((n, s) => n + s.requests, 0);
  const f = figuresOf('', r);
  return { cardsPerHour: ((requests / requestsPerCard(site) / r.elapsedS) * 3600) / TIME_SCALE, waitMs: f.waitMeanMs, cards: f.cards };
}

export async function capacityBench(seconds: number, log: (line: string) => void): Promise<CapacityRow[]> {
  const rows: CapacityRow[] = [];
  log(`\nCapacity (d): size's prediction against the simulator, ${seconds} s per run; simulated time runs ${TIME_SCALE}x faster than site time`);
  log(`(a station's 6 s of own work per card runs as ${6000 / TIME_SCALE} ms, a 200 ms certificate as ${200 / TIME_SCALE} ms); figures below are at site time.`);
  log('"stretch": how much longer than nominal this machine held a slot per request / took a station\'s own time per request (timers, CPU, ptys);');
  log('"on the times delivered": the model fed with those stretched times, to tell the machine\'s share of a difference from the model\'s.\n');
  log(`  ${''.padEnd(48)} ${''.padEnd(8)} ${'cards/hour'.padStart(10)}                       wait/request     on the times delivered:`);
  log(`  ${'shape'.padEnd(48)} ${'binding'.padEnd(8)} ${'predicted'.padStart(10)} ${'measured'.padStart(10)} ${'diff'.padStart(7)}   predicted, measured   stretch   predicted  diff`);
  for (const { name, site, bindings } of SHAPES) {
    for (const binding of bindings) {
      const options = { ...simOptionsFromSite(site, DEFAULT_SIM, { timeScale: TIME_SCALE, binding }), seconds };
      const result = await runSimulation(options, silentLogger, () => {});
      const predicted = binding === 'static' ? predictStatic(site, site.servers) : predictDynamic(site, site.servers);
      const m = measured(site, result);
      const d = delivered(site, result);
      const onDelivered = (binding === 'static' ? predictStatic(d.site, site.servers) : predictDynamic(d.site, site.servers)).cardsPerHour;
      const row: CapacityRow = {
        shape: name,
        binding,
        stations: stationCount(site),
        servers: site.servers,
        slots: site.slots,
        predictedCardsPerHour: predicted.cardsPerHour,
        measuredCardsPerHour: m.cardsPerHour,
        cardsCompleted: m.cards,
        deviation: m.cardsPerHour / predicted.cardsPerHour - 1,
        predictedOnDelivered: onDelivered,
        serviceStretch: d.serviceFactor,
        ownTimeStretch: d.localFactor,
        predictedWaitMs: predicted.waitMs,
        measuredWaitMs: m.waitMs,
        seconds: result.elapsedS,
      };
      rows.push(row);
      const int = (n: number): string => Math.round(n).toLocaleString('en-US');
      const pct = (x: number): string => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`;
      const waits = `${int(row.predictedWaitMs)} ms, ${int(row.measuredWaitMs)} ms`;
      const stretch = `x${row.serviceStretch.toFixed(2)}/x${row.ownTimeStretch.toFixed(2)}`;
      log(`  ${name.padEnd(48)} ${binding.padEnd(8)} ${int(row.predictedCardsPerHour).padStart(10)} ${int(row.measuredCardsPerHour).padStart(10)} ${pct(row.deviation).padStart(7)}   ${waits.padEnd(18)}  ${stretch.padEnd(11)} ${int(onDelivered).padStart(8)} ${pct(m.cardsPerHour / onDelivered - 1).padStart(6)}`);
    }
  }
  for (const name of new Set(rows.map((r) => r.shape))) {
    const dyn = rows.find((r) => r.shape === name && r.binding === 'dynamic');
    const stat = rows.find((r) => r.shape === name && r.binding === 'static');
    const pct = (x: number): string => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`;
    if (dyn && stat) {
      log(`  ${name.slice(0, 2)} dynamic dispatch against static binding: ${pct(dyn.measuredCardsPerHour / stat.measuredCardsPerHour - 1)} cards/hour measured (${pct(dyn.predictedCardsPerHour / stat.predictedCardsPerHour - 1)} predicted), wait per request ${Math.round(dyn.measuredWaitMs)} ms against ${Math.round(stat.measuredWaitMs)} ms`);
    }
  }
  return rows;
}
