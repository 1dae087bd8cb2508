// The statistics snapshot, format version 1: the page's totals, cards/hour
// and per-op service times, as one JSON document in the state directory
// (README "Statistics snapshot" documents every field; issue 13 reads
// `serviceTimes`). A reader refuses a version it does not know, by name and
// number, rather than guess at fields whose meaning may have changed.
import { SERVICE_BUCKETS_MS, type OpServiceTimes } from './service-times.js';

export const SNAPSHOT_FORMAT = 'persomux-statistics';
export const SNAPSHOT_VERSION = 1;
export const SNAPSHOT_FILE = 'statistics.json';

export interface LineTotals {
  requests: number;
  answers: Record<string, number>;
  drops: Record<string, number>;
  bytesIn: number;
  bytesOut: number;
}

export interface ServerTotals {
  requests: number;
  errors: number;
  handshakes: number;
  drops: Record<string, number>;
}

export interface Totals {
  cards: number;
  requests: number;
  lines: Record<string, LineTotals>;
  servers: Record<string, ServerTotals>;
}

export interface StatisticsSnapshot {
  format: typeof SNAPSHOT_FORMAT;
  version: typeof SNAPSHOT_VERSION;
  router: string;
  /** Wall-clock time of writing, ISO 8601. */
  writtenAt: string;
  /** Since the first start with this state directory. */
  totals: Totals;
  /** The site's rate when the snapshot was written. */
  cardsPerHour: number;
  serviceTimes: { bucketsMs: readonly number[]; byOp: Record<string, OpServiceTimes> };
}

export class SnapshotError extends Error {
  override readonly name = 'SnapshotError';
}

export const emptyTotals = (): Totals => ({ cards: 0, requests: 0, lines: {}, servers: {} });

/** Parses a snapshot file's text; a newer or unknown format, or a damaged file, is refused with the reason. */
export function parseSnapshot(text: string): StatisticsSnapshot {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new SnapshotError(`is not JSON (${(e as Error).message})`);
  }
  const o = record(raw, '(file)');
  if (o.format !== SNAPSHOT_FORMAT) throw new SnapshotError(`is not a persomux statistics snapshot (format ${JSON.stringify(o.format)})`);
  if (typeof o.version !== 'number' || !Number.isInteger(o.version)) throw new SnapshotError('has no format version');
  if (o.version > SNAPSHOT_VERSION) {
    throw new SnapshotError(`was written by a newer persomux (format version ${o.version}; this one reads version ${SNAPSHOT_VERSION}): not read, so its figures are not misread`);
  }
  if (o.version !== SNAPSHOT_VERSION) throw new SnapshotError(`has format version ${o.version}, which no persomux release wrote`);
  const t = record(o.totals, 'totals');
  const st = record(o.serviceTimes, 'serviceTimes');
  const buckets = st.bucketsMs;
  if (!Array.isArray(buckets) || buckets.length !== SERVICE_BUCKETS_MS.length || buckets.some((b, i) => b !== SERVICE_BUCKETS_MS[i])) {
    throw new SnapshotError('serviceTimes.bucketsMs: differ from this release\'s buckets');
  }
  const byOp = record(st.byOp, 'serviceTimes.byOp');
  return {
    format: SNAPSHOT_FORMAT,
    version: SNAPSHOT_VERSION,
    router: text_(o.router, 'router'),
    writtenAt: text_(o.writtenAt, 'writtenAt'),
    cardsPerHour: count(o.cardsPerHour, 'cardsPerHour'),
    totals: {
      cards: count(t.cards, 'totals.cards'),
      requests: count(t.requests, 'totals.requests'),
      lines: mapOf(t.lines, 'totals.lines', (v, f) => {
        const l = record(v, f);
        return { requests: count(l.requests, `${f}.requests`), answers: counts(l.answers, `${f}.answers`), drops: counts(l.drops, `${f}.drops`), bytesIn: count(l.bytesIn, `${f}.bytesIn`), bytesOut: count(l.bytesOut, `${f}.bytesOut`) };
      }),
      servers: mapOf(t.servers, 'totals.servers', (v, f) => {
        const x = record(v, f);
        return { requests: count(x.requests, `${f}.requests`), errors: count(x.errors, `${f}.errors`), handshakes: count(x.handshakes, `${f}.handshakes`), drops: counts(x.drops, `${f}.drops`) };
      }),
    },
    serviceTimes: {
      bucketsMs: SERVICE_BUCKETS_MS,
      byOp: mapOf(byOp, 'serviceTimes.byOp', (v, f) => {
        const x = record(v, f);
        const c = x.counts;
        if (!Array.isArray(c) || c.length !== SERVICE_BUCKETS_MS.length + 1) throw new SnapshotError(`${f}.counts: must have ${SERVICE_BUCKETS_MS.length + 1} entries`);
        return { count: count(x.count, `${f}.count`), sumMs: amount(x.sumMs, `${f}.sumMs`), sumSquaresMs2: amount(x.sumSquaresMs2, `${f}.sumSquaresMs2`), counts: c.map((n, i) => count(n, `${f}.counts[${i}]`)) };
      }),
    },
  };
}

function record(v: unknown, field: string): Record<string, unknown> {
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as Record<string, unknown>;
  throw new SnapshotError(`${field}: must be an object`);
}

function count(v: unknown, field: string): number {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return v;
  throw new SnapshotError(`${field}: must be a whole number >= 0`);
}

function amount(v: unknown, field: string): number {
  if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return v;
  throw new SnapshotError(`${field}: must be a number >= 0`);
}

function text_(v: unknown, field: string): string {
  if (typeof v === 'string') return v;
  throw new SnapshotError(`${field}: must be a string`);
}

const counts = (v: unknown, field: string): Record<string, number> => mapOf(v, field, count);

function mapOf<T>(v: unknown, field: string, each: (v: unknown, field: string) => T): Record<string, T> {
  const o = record(v, field);
  // A map keyed by names from the file: no prototype to pollute.
  const out = Object.create(null) as Record<string, T>;
  for (const [k, x] of Object.entries(o)) out[k] = each(x, `${field}.${k}`);
  return out;
}
