// Sizing inputs from a running router's statistics snapshot
// (<stateDir>/statistics.json, src/stats/snapshot-format.ts, format
// `persomux-statistics` version 1). Only the fields below are read, each
// defensively (one that is missing or of another type is skipped and
// reported, never guessed):
//
//   format, version            another format, or a version above 1, is refused
//   totals.lines               its entries are the stations (lines that made requests)
//   totals.cards               cards since the statistics began
//   cardsPerHour               the site's rate when the snapshot was written
//   serviceTimes.byOp.<op>     count and sumMs: requests per card = count / cards,
//                              mean service = sumMs / count (dispatch to answer,
//                              as the router sees it: the server's work and the link)
//   totals.servers             its entries are the servers (the snapshot holds no slots)
//
// Derived: the stations' own time per card by the response time law,
// stations x 1 h / cardsPerHour - sum(perCard x mean service). The snapshot
// holds no queue waits, so this is an upper bound: close on a site that does
// not queue, too high on one that does (then give --local-ms).
import { readFileSync } from 'node:fs';
import type { OpDemand, Site } from '../site/site.js';

export const SNAPSHOT_FORMAT = 'persomux-statistics';
export const SNAPSHOT_VERSION = 1;

export class SnapshotError extends Error {
  constructor(readonly file: string, reason: string) {
    super(`${file}: ${reason}`);
  }
}

export interface SnapshotReading {
  /** What the snapshot gave, to lay over a base site. */
  readonly site: Partial<Pick<Site, 'machines' | 'stationsPerMachine' | 'localMs' | 'ops' | 'servers' | 'slots'>>;
  /** One line per value read or derived, for the person reading the output. */
  readonly read: readonly string[];
  /** Fields that were missing or unusable. */
  readonly missing: readonly string[];
}

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined);
const first = (o: Obj | undefined, ...keys: string[]): number | undefined => {
  for (const k of keys) {
    const v = num(o?.[k]);
    if (v !== undefined) return v;
  }
  return undefined;
};

export function readSnapshot(json: unknown, file: string): SnapshotReading {
  if (!isObject(json)) throw new SnapshotError(file, 'is not a statistics snapshot (a JSON object)');
  if (json.format !== undefined && json.format !== SNAPSHOT_FORMAT) throw new SnapshotError(file, `is not a persomux statistics snapshot (format ${JSON.stringify(json.format)})`);
  const version = num(json.version);
  if (version !== undefined && version > SNAPSHOT_VERSION) throw new SnapshotError(file, `was written by a newer release (snapshot version ${version}; this one reads up to ${SNAPSHOT_VERSION})`);
  const read: string[] = [];
  const missing: string[] = [];
  const site: { -readonly [K in keyof SnapshotReading['site']]: SnapshotReading['site'][K] } = {};
  const totals = isObject(json.totals) ? json.totals : undefined;

  const lines = isObject(totals?.lines) ? Object.values(totals.lines).filter((l) => !isObject(l) || num(l.requests) !== 0).length : undefined;
  const stations = lines !== undefined && lines > 0 ? lines : undefined;
  if (stations !== undefined) {
    Object.assign(site, { machines: 1, stationsPerMachine: stations });
    read.push(`stations ${stations} (lines that made requests)`);
  } else missing.push('stations (totals.lines)');

  const cards = first(totals, 'cards');
  const byOp = isObject(json.serviceTimes) && isObject(json.serviceTimes.byOp) ? json.serviceTimes.byOp : undefined;
  const ops = new Map<string, OpDemand>();
  if (byOp && cards !== undefined && cards > 0) {
    for (const [op, v] of Object.entries(byOp)) {
      const o = isObject(v) ? v : undefined;
      const count = first(o, 'count');
      const sumMs = first(o, 'sumMs');
      if (count === undefined || sumMs === undefined || count === 0 || sumMs === 0) {
        missing.push(`serviceTimes.byOp.${op} (count and sumMs)`);
        continue;
      }
      const perCard = Math.max(1, Math.round(count / cards));
      ops.set(op, { perCard, serviceMs: sumMs / count });
      read.push(`${op}: ${perCard} per card (${count} over ${cards} cards), ${(sumMs / count).toFixed(1)} ms mean service`);
    }
    if (ops.size > 0) site.ops = ops;
  } else missing.push(cards === undefined || cards === 0 ? 'totals.cards' : 'serviceTimes.byOp');

  const cph = first(json, 'cardsPerHour');
  if (stations !== undefined && cph !== undefined && cph > 0 && ops.size > 0) {
    let inService = 0;
    for (const d of ops.values()) inService += d.perCard * d.serviceMs;
    const local = (stations * 3_600_000) / cph - inService;
    if (local >= 0) {
      site.localMs = [local];
      read.push(`own time per card at most ${(local / 1000).toFixed(2)} s (from ${cph.toFixed(0)} cards/hour; the snapshot holds no queue waits)`);
    } else missing.push('own time per card (cardsPerHour and service times disagree)');
  } else missing.push('own time per card (needs cardsPerHour, stations and service times)');

  const servers = isObject(totals?.servers) ? Object.keys(totals.servers).length : 0;
  if (servers > 0) {
    site.servers = servers;
    read.push(`servers ${servers}`);
  } else missing.push('servers (totals.servers)');
  missing.push('slots per server (not in a snapshot: --slots)');
  return { site, read, missing };
}

export function loadSnapshot(file: string): SnapshotReading {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new SnapshotError(file, code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder, not a snapshot' : `cannot be read (${code ?? (e as Error).message})`);
  }
  try {
    return readSnapshot(JSON.parse(text), file);
  } catch (e) {
    if (e instanceof SnapshotError) throw e;
    throw new SnapshotError(file, `is not valid JSON (${(e as Error).message})`);
  }
}
