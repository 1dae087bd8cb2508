// The router at a glance, for the one-line status an operator reads in the
// journal every minute: lines open, servers available, busy slots, queue,
// answers by outcome.
import type { RouterSnapshot } from './events.js';

export function summaryOf(s: RouterSnapshot, outcomes: ReadonlyMap<string, number>): Record<string, string | number> {
  const available = s.dispatch.servers.filter((x) => x.available);
  const queued = [...s.dispatch.queued.values()].reduce((a, b) => a + b, 0);
  const errors = [...outcomes].filter(([k]) => k !== 'ok');
  return {
    lines: `${s.lines.filter((l) => l.phase === 'open').length}/${s.lines.length}`,
    servers: `${available.length}/${s.servers.length}`,
    slots: `${available.reduce((n, x) => n + x.busy, 0)}/${available.reduce((n, x) => n + x.slots, 0)}`,
    queued,
    answered: outcomes.get('ok') ?? 0,
    errors: errors.length === 0 ? 'none' : errors.map(([k, v]) => `${k}:${v}`).join(','),
  };
}
