// Runs of the same site side by side (dynamic dispatch against static
// binding): cards/hour and the stations' waits for a server.
import type { SimResult } from './sim.js';
import { cardsPerHour } from './report.js';
import { percentile } from './stats.js';

export interface RunFigures {
  readonly label: string;
  readonly cards: number;
  /** Measured, in simulated time. */
  readonly cardsPerHour: number;
  /** Measured cards/hour at site time (divided by the time scale). */
  readonly siteCardsPerHour: number;
  /** Wait for a server per request, in site time (ms). */
  readonly waitMeanMs: number;
  readonly waitP50Ms: number;
  readonly waitP95Ms: number;
  /** Requests dispatched per server. */
  readonly perServer: ReadonlyMap<string, number>;
}

export function figuresOf(label: string, r: SimResult): RunFigures {
  const scale = r.options.timeScale ?? 1;
  const cards = r.stations.reduce((n, s) => n + s.cards, 0);
  const cph = cardsPerHour(cards, r.elapsedS);
  const mean = r.waitsMs.length === 0 ? 0 : r.waitsMs.reduce((a, b) => a + b, 0) / r.waitsMs.length;
  return {
    label,
    cards,
    cardsPerHour: cph,
    siteCardsPerHour: cph / scale,
    waitMeanMs: mean * scale,
    waitP50Ms: (percentile(r.waitsMs, 50) ?? 0) * scale,
    waitP95Ms: (percentile(r.waitsMs, 95) ?? 0) * scale,
    perServer: new Map(r.served.counts),
  };
}

const int = (n: number): string => Math.round(n).toLocaleString('en-US');

export function formatComparison(runs: readonly RunFigures[], timeScale: number): string {
  const out: string[] = [''];
  const scaled = timeScale === 1 ? '' : `; times run ${timeScale}x faster than at the site, figures below are at site time`;
  out.push(`Dynamic dispatch against static binding (same site, servers and load${scaled}):`);
  out.push('');
  out.push(`  ${'mode'.padEnd(10)} ${'cards'.padStart(7)} ${'cards/hour'.padStart(11)}   wait for a server: mean, p50, p95   work per server`);
  for (const r of runs) {
    const waits = `${int(r.waitMeanMs)} ms, ${int(r.waitP50Ms)} ms, ${int(r.waitP95Ms)} ms`;
    out.push(`  ${r.label.padEnd(10)} ${int(r.cards).padStart(7)} ${int(r.siteCardsPerHour).padStart(11)}   ${waits.padEnd(33)}  ${[...r.perServer].map(([s, n]) => `${s} ${int(n)}`).join(', ')}`);
  }
  const [a, b] = runs;
  if (a && b && b.siteCardsPerHour > 0) {
    const gain = (a.siteCardsPerHour / b.siteCardsPerHour - 1) * 100;
    out.push('', `  ${a.label} makes ${Math.abs(gain).toFixed(1)}% ${gain >= 0 ? 'more' : 'fewer'} cards/hour than ${b.label} (runs of a few seconds differ by a few % by chance).`);
  }
  out.push('');
  return out.join('\n');
}
