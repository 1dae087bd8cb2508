// `persomux status`'s text: one row per line and per server, states as words
// and the lamp's pattern as a symbol (the legend says which). Pure: a view in,
// lines of text out.
import type { LedPattern, StatusView } from '../status/view.js';

export const PATTERN_SYMBOL: Record<LedPattern, string> = { off: '○', on: '●', 'slow-blink': '◐', 'fast-blink': '◉', locate: '◆' };
const LEGEND = `lamps: ${Object.entries(PATTERN_SYMBOL).map(([p, s]) => `${s} ${p}`).join('  ')}`;

export function formatStatus(v: StatusView): string {
  const s = v.site;
  const queued = Object.entries(s.queuedByOp).map(([op, n]) => `${op} ${n}`).join(', ') || 'none';
  const head = [
    `${PATTERN_SYMBOL[s.pattern]} ${s.router}  ${s.state}  up ${duration(s.uptimeMs)}  persomux ${s.version}  (${v.wallTime})`,
    `  cards ${num(s.cardsTotal)} (${num(s.cardsPerHour)}/hour)  requests ${num(s.requestsTotal)} (${s.requestsPerSecond}/s)  queued ${queued}`,
  ];
  const lines = table(
    ['', 'LINE', 'STATE', 'STATION', 'REQUESTS', 'ANSWERS', 'DROPPED', 'P50/P99 MS', 'LAST ERROR'],
    v.lines.map((l) => [
      PATTERN_SYMBOL[l.pattern],
      l.name,
      l.state + (l.queued ? ` (${l.queued} queued)` : ''),
      l.station ?? '-',
      num(l.requests),
      pairs(l.answers),
      pairs(l.drops),
      l.p50Ms === undefined ? '-' : `${Math.round(l.p50Ms)}/${Math.round(l.p99Ms ?? l.p50Ms)}`,
      l.lastError ? `${l.lastError.what} (${Math.round((v.at - l.lastError.at) / 1000)} s ago)` : '-',
    ]),
  );
  const servers = table(
    ['', 'SERVER', 'STATE', 'ADDRESS', 'BUSY/SLOTS', 'REQUESTS', 'ERRORS', 'HANDSHAKES', 'DROPPED'],
    v.servers.map((x) => [
      PATTERN_SYMBOL[x.pattern],
      x.name,
      x.state + (x.drainedBy ? ` (${x.drainedBy})` : ''),
      x.address + (x.sealed ? '' : ' (plaintext)'),
      `${x.busy}/${x.slots}`,
      num(x.requests),
      num(x.errors),
      num(x.handshakes),
      pairs(x.drops),
    ]),
  );
  return [...head, '', ...lines, '', ...servers, '', LEGEND].join('\n') + '\n';
}

/** Left-aligned columns, two spaces apart; control characters from a station's name are shown escaped. */
function table(header: string[], rows: string[][]): string[] {
  const all = [header, ...rows.map((r) => r.map(clean))];
  const widths = header.map((_, i) => Math.max(...all.map((r) => [...(r[i] ?? '')].length)));
  return all.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd());
}

// eslint-disable-next-line no-control-regex
const clean = (s: string): string => s.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
const num = (n: number): string => n.toLocaleString('en');
const pairs = (o: Readonly<Record<string, number>>): string => Object.entries(o).map(([k, n]) => `${k} ${num(n)}`).join(', ') || '-';

function duration(ms: number): string {
  const s = Math.floor(ms / 1000);
  const d = Math.floor(s / 86_400);
  const hms = [Math.floor((s % 86_400) / 3600), Math.floor((s % 3600) / 60), s % 60].map((n) => String(n).padStart(2, '0')).join(':');
  return d > 0 ? `${d}d ${hms}` : hms;
}
