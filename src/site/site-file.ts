// Reads a site file (JSON), the description `persomux size` and `persomux sim`
// share. Every field is optional; a missing one keeps the default site's
// value. Every problem is reported with the file and the field, all at once.
//
//   {
//     "machines": 4, "stationsPerMachine": 6,
//     "localMs": 12000,                       // or one per machine: [6000, 12000, 12000, 12000]
//     "ops": { "transport-key": { "perCard": 1, "serviceMs": 150 },
//              "session-keys":  { "perCard": 1, "serviceMs": 200 },
//              "certificate":   { "perCard": 4, "serviceMs": 250 } },
//     "serviceTime": "exp",                   // or "fixed"
//     "servers": 2, "slots": 4,
//     "serverSpeed": [1, 0.5]                 // optional, one per server
//   }
import { readFileSync } from 'node:fs';
import { DEFAULT_SITE, type OpDemand, type ServiceShape, type Site } from './site.js';

export class SiteFileError extends Error {
  constructor(readonly file: string, readonly problems: readonly string[]) {
    super(problems.map((p) => `${file}: ${p}`).join('\n'));
  }
}

export const SITE_LIMITS = {
  machines: { min: 1, max: 64 },
  stationsPerMachine: { min: 1, max: 64 },
  servers: { min: 1, max: 64 },
  slots: { min: 1, max: 1024 },
  perCard: { min: 1, max: 1000 },
} as const;

const KNOWN = ['machines', 'stationsPerMachine', 'localMs', 'ops', 'serviceTime', 'servers', 'slots', 'serverSpeed'];

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

class Problems {
  readonly list: string[] = [];
  add(field: string, reason: string): undefined {
    this.list.push(`${field}: ${reason}`);
    return undefined;
  }
  whole(v: unknown, field: string, limit: { min: number; max: number }, fallback: number): number {
    if (v === undefined) return fallback;
    if (typeof v === 'number' && Number.isInteger(v) && v >= limit.min && v <= limit.max) return v;
    this.add(field, `must be a whole number from ${limit.min} to ${limit.max}`);
    return fallback;
  }
  ms(v: unknown, field: string, allowZero: boolean): number | undefined {
    if (typeof v === 'number' && Number.isFinite(v) && (allowZero ? v >= 0 : v > 0) && v <= 86_400_000) return v;
    return this.add(field, `must be a number of milliseconds, ${allowZero ? 'at least 0' : 'more than 0'} and at most a day`);
  }
}

/** One value per machine: a single number applies to all of them. */
function perMachine(p: Problems, v: unknown, field: string, machines: number, fallback: readonly number[]): number[] {
  if (v === undefined) return Array.from({ length: machines }, (_, i) => fallback[i] ?? fallback[0]!);
  if (typeof v === 'number') {
    const one = p.ms(v, field, true);
    return Array.from({ length: machines }, () => one ?? 0);
  }
  if (!Array.isArray(v) || v.length !== machines) {
    p.add(field, `must be a number, or a list of one number per machine (${machines})`);
    return Array.from({ length: machines }, () => 0);
  }
  return v.map((x, i) => p.ms(x, `${field}[${i}]`, true) ?? 0);
}

function ops(p: Problems, v: unknown, fallback: Site['ops']): Map<string, OpDemand> {
  if (v === undefined) return new Map(fallback);
  const out = new Map<string, OpDemand>();
  if (!isObject(v) || Object.keys(v).length === 0) {
    p.add('ops', 'must be an object naming at least one op: { "certificate": { "perCard": 4, "serviceMs": 250 } }');
    return out;
  }
  for (const [op, d] of Object.entries(v)) {
    const field = `ops.${op}`;
    if (!isObject(d)) {
      p.add(field, 'must be an object with perCard and serviceMs');
      continue;
    }
    for (const key of Object.keys(d)) if (key !== 'perCard' && key !== 'serviceMs') p.add(`${field}.${key}`, 'unknown field (known: perCard, serviceMs)');
    const perCard = p.whole(d.perCard, `${field}.perCard`, SITE_LIMITS.perCard, 1);
    const serviceMs = d.serviceMs === undefined ? p.add(`${field}.serviceMs`, 'is missing') : p.ms(d.serviceMs, `${field}.serviceMs`, false);
    if (serviceMs !== undefined) out.set(op, { perCard, serviceMs });
  }
  return out;
}

/** Parses a site description already read as JSON; `file` names it in messages. */
export function parseSite(json: unknown, file: string, base: Site = DEFAULT_SITE): Site {
  const p = new Problems();
  if (!isObject(json)) throw new SiteFileError(file, ['must hold one JSON object']);
  for (const key of Object.keys(json)) if (!KNOWN.includes(key)) p.add(key, `unknown field (known: ${KNOWN.join(', ')})`);
  const machines = p.whole(json.machines, 'machines', SITE_LIMITS.machines, base.machines);
  const servers = p.whole(json.servers, 'servers', SITE_LIMITS.servers, base.servers);
  let serviceShape: ServiceShape = base.serviceShape;
  if (json.serviceTime === 'exp' || json.serviceTime === 'fixed') serviceShape = json.serviceTime;
  else if (json.serviceTime !== undefined) p.add('serviceTime', 'must be "exp" or "fixed"');
  let serverSpeed = Array.from({ length: servers }, () => 1);
  if (json.serverSpeed !== undefined) {
    const v = json.serverSpeed;
    if (!Array.isArray(v) || v.length !== servers) p.add('serverSpeed', `must be a list of one number per server (${servers}), 1 = nominal`);
    else serverSpeed = v.map((x, i) => (typeof x === 'number' && x > 0 && x <= 100 ? x : (p.add(`serverSpeed[${i}]`, 'must be a number more than 0 and at most 100'), 1)));
  }
  const site: Site = {
    machines,
    stationsPerMachine: p.whole(json.stationsPerMachine, 'stationsPerMachine', SITE_LIMITS.stationsPerMachine, base.stationsPerMachine),
    localMs: perMachine(p, json.localMs, 'localMs', machines, base.localMs),
    ops: ops(p, json.ops, base.ops),
    serviceShape,
    servers,
    slots: p.whole(json.slots, 'slots', SITE_LIMITS.slots, base.slots),
    serverSpeed,
  };
  if (p.list.length > 0) throw new SiteFileError(file, p.list);
  return site;
}

export function loadSite(file: string, base: Site = DEFAULT_SITE): Site {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new SiteFileError(file, [code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder, not a site file' : `cannot be read (${code ?? (e as Error).message})`]);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new SiteFileError(file, [`is not valid JSON (${(e as Error).message})`]);
  }
  return parseSite(json, file, base);
}
