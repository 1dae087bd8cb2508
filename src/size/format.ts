// What `persomux size` prints: the site it understood, then one row per count
// of servers, dynamic dispatch beside static binding, and the answer.
import { meanServiceMs, requestsPerCard, stationCount, type Site } from '../site/site.js';
import type { Sizing } from './sizing.js';

const int = (n: number): string => Math.round(n).toLocaleString('en-US');
const ms = (n: number): string => (n < 10 ? `${n.toFixed(1)} ms` : `${int(n)} ms`);
const secs = (n: number): string => `${(n / 1000).toFixed(n < 10_000 ? 2 : 1)} s`;

export function describeSite(site: Site): string[] {
  const local = [...new Set(site.localMs)].map(secs).join(' / ');
  const ops = [...site.ops].map(([op, d]) => `${op} ${d.perCard} x ${ms(d.serviceMs)}`).join(', ');
  const speeds = site.serverSpeed.some((s) => s !== 1) ? `; server speeds ${site.serverSpeed.join(', ')} (the pool is taken at their mean)` : '';
  return [
    `  ${stationCount(site)} stations (${site.machines} x ${site.stationsPerMachine}), own time per card ${local}`,
    `  ${requestsPerCard(site)} requests per card (${ops}), mean service ${ms(meanServiceMs(site))}`,
    `  ${site.slots} slot(s) per data server${speeds}`,
  ];
}

export function formatSizing(site: Site, sizing: Sizing): string {
  const out = ['persomux size: the closed finite-source model M/M/c//N (machine repair), c = servers x slots', ''];
  out.push(...describeSite(site), '');
  out.push('                    dynamic dispatch (persomux)                     static binding');
  out.push('  servers  slots   cards/hour  utilisation  wait/request   wait/card   cards/hour  wait/request');
  for (const { dynamic: d, static: s } of sizing.rows) {
    const mark = sizing.needed?.servers === d.servers ? ' <' : '';
    out.push(
      `  ${String(d.servers).padStart(7)}  ${String(d.servers * site.slots).padStart(5)}   ${int(d.cardsPerHour).padStart(10)}  ${`${(d.utilisation * 100).toFixed(0)}%`.padStart(11)}  ${ms(d.waitMs).padStart(12)}  ${secs(d.waitPerCardMs).padStart(10)}   ${int(s.cardsPerHour).padStart(10)}  ${ms(s.waitMs).padStart(12)}${mark}`,
    );
  }
  out.push('', `  No count of servers makes more than ${int(sizing.ceiling)} cards/hour: every station would then wait for nothing but its own work and its answers.`);
  if (sizing.target !== undefined) {
    if (sizing.needed) {
      const n = sizing.needed;
      out.push(`  Target ${int(sizing.target)} cards/hour: ${n.servers} data server(s) (${int(n.cardsPerHour)} cards/hour predicted, margin ${n.margin >= 0 ? '+' : ''}${(n.margin * 100).toFixed(1)}%).`);
    } else if (sizing.target > sizing.ceiling) {
      out.push(`  Target ${int(sizing.target)} cards/hour: not reachable with these stations, whatever the servers; more stations or a shorter own time per card are needed.`);
    } else {
      out.push(`  Target ${int(sizing.target)} cards/hour: not met with up to ${sizing.rows.length} servers.`);
    }
  }
  out.push('');
  return out.join('\n');
}
