// The lines of the simulator's report that describe a site shape: binding,
// per-op service times, server speeds, own time per card, time scale.
import { describeServiceTime } from '../dataserver/service-time.js';
import { SIM_CARD_PLAN } from '../site/site.js';
import type { SimOptions } from './sim.js';

const round = (n: number): string => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2));

export function siteShapeLines(o: SimOptions): string[] {
  const out: string[] = [];
  const requests = [...SIM_CARD_PLAN.values()].reduce((a, b) => a + b, 0);
  if (o.binding === 'static') out.push('  binding: static, each station bound to one data server (line i to server i mod servers)');
  const same = [...(o.opServiceTimes?.values() ?? [])].every((t) => describeServiceTime(t) === describeServiceTime(o.serviceTime));
  if (o.opServiceTimes && !same) out.push(`  service time per op: ${[...o.opServiceTimes].map(([op, t]) => `${op} ${describeServiceTime(t)}`).join(', ')}`);
  if (o.serverSpeed?.some((s) => s !== 1)) out.push(`  server speed: ${o.serverSpeed.map((s, i) => `ds${i + 1} x${s}`).join(', ')}`);
  const local = (o.stationChipMs ?? [o.chipMs]).map((ms) => ms * requests);
  const distinct = [...new Set(local)];
  out.push(`  station's own time per card: ${distinct.map((ms) => `${round(ms)} ms`).join(' / ')} (spread over its ${requests} requests)`);
  if ((o.timeScale ?? 1) !== 1) out.push(`  time runs ${o.timeScale}x faster than at the site: divide cards/hour by ${o.timeScale}, multiply times by ${o.timeScale} for site figures`);
  return out;
}
