// The page's totals across restarts: what a view counts since this process
// started, plus what the snapshot read at start had counted before. The
// status model never knows about snapshots; this adds the two.
import type { LineView, ServerView, StatusView } from '../status/view.js';
import type { LineTotals, ServerTotals, Totals } from './snapshot-format.js';

/** The totals a view shows (written to the snapshot). */
export function totalsOf(view: StatusView): Totals {
  return {
    cards: view.site.cardsTotal,
    requests: view.site.requestsTotal,
    lines: Object.fromEntries(view.lines.map((l): [string, LineTotals] => [l.name, { requests: l.requests, answers: { ...l.answers }, drops: { ...l.drops }, bytesIn: l.bytesIn, bytesOut: l.bytesOut }])),
    servers: Object.fromEntries(view.servers.map((s): [string, ServerTotals] => [s.name, { requests: s.requests, errors: s.errors, handshakes: s.handshakes, drops: { ...s.drops } }])),
  };
}

/** The view with the earlier totals added; a line or server no longer configured is left out. */
export function withBaseline(view: StatusView, base: Totals): StatusView {
  return {
    ...view,
    site: { ...view.site, cardsTotal: view.site.cardsTotal + base.cards, requestsTotal: view.site.requestsTotal + base.requests },
    lines: view.lines.map((l): LineView => {
      const b = base.lines[l.name];
      if (!b) return l;
      return { ...l, requests: l.requests + b.requests, answers: sum(l.answers, b.answers), drops: sum(l.drops, b.drops), bytesIn: l.bytesIn + b.bytesIn, bytesOut: l.bytesOut + b.bytesOut };
    }),
    servers: view.servers.map((s): ServerView => {
      const b = base.servers[s.name];
      if (!b) return s;
      return { ...s, requests: s.requests + b.requests, errors: s.errors + b.errors, handshakes: s.handshakes + b.handshakes, drops: sum(s.drops, b.drops) };
    }),
  };
}

function sum(a: Readonly<Record<string, number>>, b: Readonly<Record<string, number>>): Record<string, number> {
  const out: Record<string, number> = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = (out[k] ?? 0) + v;
  return out;
}
