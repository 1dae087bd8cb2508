// Sizing inputs from a running router's statistics snapshot (written to its
// state directory by the status work, issue 9). The snapshot's format belongs
// to that work; this reads only the fields below, each defensively (a field
// that is missing or of another type is skipped and reported, never guessed):
//
//   version          number; above SNAPSHOT_VERSION the file is refused
//   stations         number of lines with a station (else: the length of `lines`)
//   cards            cards counted since the statistics began (else `totals.cards`)
//   cardsPerHour     the site's measured rate
//   ops.<op>.count           requests of the op answered ok (else `requests`)
//   ops.<op>.meanServiceMs   mean time a server held one (else `serviceMs`)
//   ops.<op>.meanAnswerMs    mean time from request to answer (else `answerMs`)
//   servers          a list (or an object by name) whose entries have `slots`
//
// Derived: requests per card = count / cards; the stations' own time per card
// by the response time law, N x 1 h / cardsPerHour - sum(perCard x meanAnswerMs).
import { readFileSync } from 'node:fs';
import type { OpDemand, Site } from '../site/site.js';

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
  const version = num(json.version);
  if (version !== undefined && version > SNAPSHOT_VERSION) throw new SnapshotError(file, `was written by a newer release (snapshot version ${version}; this one reads up to ${SNAPSHOT_VERSION})`);
  const read: string[] = [];
  const missing: string[] = [];
  const site: { -readonly [K in keyof SnapshotReading['site']]: SnapshotReading['site'][K] } = {};

  const stations = num(json.stations) ?? (Array.isArray(json.lines) ? json.lines.length : isObject(json.lines) ? Object.keys(json.lines).length : undefined);
  if (stations !== undefined && Number.isInteger(stations) && stations > 0) {
    Object.assign(site, { machines: 1, stationsPerMachine: stations });
    read.push(`stations ${stations}`);
  } else missing.push('stations');

  const cards = first(json, 'cards') ?? first(isObject(json.totals) ? json.totals : undefined, 'cards');
  const ops = new Map<string, OpDemand>();
  const answerMs = new Map<string, number>();
  if (isObject(json.ops) && cards !== undefined && cards > 0) {
    for (const [op, v] of Object.entries(json.ops)) {
      const o = isObject(v) ? v : undefined;
      const count = first(o, 'count', 'requests');
      const serviceMs = first(o, 'meanServiceMs', 'serviceMs');
      if (count === undefined || serviceMs === undefined || count === 0 || serviceMs === 0) {
        missing.push(`ops.${op} (count and meanServiceMs)`);
        continue;
      }
      const perCard = Math.max(1, Math.round(count / cards));
      ops.set(op, { perCard, serviceMs });
      read.push(`${op}: ${perCard} per card (${count} over ${cards} cards), ${serviceMs.toFixed(1)} ms mean service`);
      const answer = first(o, 'meanAnswerMs', 'answerMs');
      if (answer !== undefined) answerMs.set(op, answer);
    }
    if (ops.size > 0) site.ops = ops;
  } else missing.push(cards === undefined || cards === 0 ? 'cards' : 'ops');

  const cph = first(json, 'cardsPerHour');
  if (stations !== undefined && cph !== undefined && cph > 0 && ops.size > 0 && answerMs.size === ops.size) {
    let inRequests = 0;
    for (const [op, d] of ops) inRequests += d.perCard * answerMs.get(op)!;
    const local = (stations * 3_600_000) / cph - inRequests;
    if (local >= 0) {
      site.localMs = [local];
      read.push(`own time per card ${(local / 1000).toFixed(2)} s (from ${cph.toFixed(0)} cards/hour and the answer times)`);
    } else missing.push('own time per card (cardsPerHour and answer times disagree)');
  } else missing.push('own time per card (needs cardsPerHour and meanAnswerMs of every op)');

  const servers = Array.isArray(json.servers) ? json.servers : isObject(json.servers) ? Object.values(json.servers) : undefined;
  const slots = servers?.map((s) => (isObject(s) ? num(s.slots) : undefined)).filter((s): s is number => s !== undefined && s > 0);
  if (servers && slots && slots.length > 0) {
    site.servers = servers.length;
    site.slots = Math.round(slots.reduce((a, b) => a + b, 0) / slots.length);
    read.push(`servers ${servers.length}, ${site.slots} slots each${new Set(slots).size > 1 ? ' (mean of their slots)' : ''}`);
  } else missing.push('servers');
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
