// What a person reads during and after a simulated run.
import { describeServiceTime } from '../dataserver/service-time.js';
import type { Progress, SimResult } from './sim.js';
import { stationName } from './sim.js';
import { percentile } from './stats.js';
import { describeRejection, type RunRejection } from './card/rejections.js';
import { siteShapeLines } from './site-report.js';

const int = (n: number): string => Math.round(n).toLocaleString('en-US');
const ms = (n: number | undefined): string => (n === undefined ? '-' : `${n.toFixed(1)} ms`);

export function progressLine(p: Progress, perHour: (cards: number, s: number) => number = cardsPerHour): string {
  const servers = p.servers.map((s) => `${s.name} ${s.busy}/${s.slots}`).join('  ');
  return `t=${p.elapsedS.toFixed(0).padStart(3)}s  cards ${int(p.cards).padStart(6)} (${int(perHour(p.cards, p.elapsedS))}/h)${p.rejected ? `  rejected ${int(p.rejected)}` : ''}  requests ${int(p.requests).padStart(7)}  queue ${String(p.queued).padStart(3)}  busy slots: ${servers}`;
}

export function cardsPerHour(cards: number, seconds: number): number {
  return seconds > 0 ? (cards / seconds) * 3600 : 0;
}

export function formatReport(r: SimResult): string {
  const o = r.options;
  const cards = r.stations.reduce((n, s) => n + s.cards, 0);
  const requests = r.stations.reduce((n, s) => n + s.requests, 0);
  const retransmissions = r.stations.reduce((n, s) => n + s.retransmissions, 0);
  const foreign = r.stations.reduce((n, s) => n + s.foreign, 0);
  const errors = new Map<string, number>();
  for (const s of r.stations) for (const [code, n] of s.errors.counts) errors.set(code, (errors.get(code) ?? 0) + n);
  const errorText = errors.size === 0 ? 'none' : [...errors].map(([c, n]) => `${c} ${int(n)}`).join(', ');
  const rejected = new Map<RunRejection, number>();
  for (const s of r.stations) for (const [reason, n] of s.rejected.counts) rejected.set(reason, (rejected.get(reason) ?? 0) + n);
  const rejectedTotal = [...rejected.values()].reduce((a, b) => a + b, 0);
  const speeds = Array.from({ length: o.servers }, (_, i) => o.serverSpeed?.[i] ?? 1).reduce((a, b) => a + b, 0);
  const capacity = (speeds * o.slots * 1000) / (o.serviceTime.kind === 'fixed' ? Math.max(o.serviceTime.ms, 0.001) : o.serviceTime.meanMs);

  const out: string[] = [];
  out.push('');
  const boxes = o.boxes === 2 ? ', two cascaded routers (servers on box B)' : '';
  out.push(`persomux simulated site: ${o.machines} machines x ${o.stationsPerMachine} stations, ${o.servers} data servers x ${o.slots} slots (${describeServiceTime(o.serviceTime)})${boxes}, sealed links, ${r.elapsedS.toFixed(1)} s`);
  out.push(...siteShapeLines(o));
  out.push('');
  out.push(`  Cards personalized    ${int(cards)}   (${int(cardsPerHour(cards, r.elapsedS))} cards/hour, ${o.machines * o.stationsPerMachine} stations)`);
  if (o.boxes === 2) {
    for (const box of ['a', 'b'] as const) {
      const mine = r.stations.filter((s) => r.boxOf.get(s.name) === box);
      out.push(`    on box ${box.toUpperCase()}           ${int(mine.reduce((n, s) => n + s.cards, 0))}   (${mine.length} stations${box === 'a' ? ', served through box B' : ''})`);
    }
  }
  out.push(`  Cards rejected        ${int(rejectedTotal)}`);
  for (const [reason, n] of [...rejected].sort((a, b) => b[1] - a[1])) out.push(`    ${int(n).padStart(6)}  ${reason}: ${describeRejection(reason)}`);
  out.push(`  Requests              ${int(requests)}   (${int(requests / r.elapsedS)}/s; the servers' capacity is ~${int(capacity)}/s)`);
  out.push(`  Wait for a server${o.boxes === 2 ? '*' : ' '}    p50 ${ms(percentile(r.waitsMs, 50))}   p95 ${ms(percentile(r.waitsMs, 95))}   p99 ${ms(percentile(r.waitsMs, 99))}`);
  out.push(`  Request to answer     p50 ${ms(percentile(r.roundTripsMs, 50))}   p95 ${ms(percentile(r.roundTripsMs, 95))}   p99 ${ms(percentile(r.roundTripsMs, 99))}`);
  out.push(`  Errors by code        ${errorText}`);
  out.push(`  Retransmissions       ${int(retransmissions)}`);
  out.push(`  Answers to the wrong station: ${foreign}`);
  out.push(`  Work per server       ${[...r.served.counts].map(([name, n]) => `${name} ${int(n)}`).join(', ')}`);
  out.push(
    `  Audit trails          ${r.audits
      .map(({ server, result }) => (result.ok ? `${server} ${int(result.records)} records, ${result.checkpoints} signed checkpoints, intact` : `${server} BROKEN: ${result.message}`))
      .join('; ')}`,
  );
  if (o.boxes === 2) out.push('  * per router hop: box A waits for a slot of box B, box B for a slot of its servers');
  out.push('');
  out.push('  Line utilisation (share of the run with a request in flight on the line):');
  const header = Array.from({ length: o.stationsPerMachine }, (_, i) => `s${i + 1}`.padStart(6)).join('');
  out.push(`        ${header}`);
  const byName = new Map(r.stations.map((s) => [s.name, s]));
  for (let m = 1; m <= o.machines; m++) {
    const cells = Array.from({ length: o.stationsPerMachine }, (_, i) => {
      const s = byName.get(stationName(m, i + 1));
      return `${s ? Math.round((100 * s.busyMs) / (r.elapsedS * 1000)) : 0}%`.padStart(6);
    }).join('');
    out.push(`    m${m}  ${cells}`);
  }
  out.push('');
  return out.join('\n');
}
