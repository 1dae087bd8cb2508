// The flags that describe a site, shared by `persomux size` and `persomux sim`:
// a site file first (--site), then each flag overrides its part of it.
import { parseServiceTime } from '../dataserver/service-time.js';
import { loadSite, SITE_LIMITS } from '../site/site-file.js';
import { DEFAULT_SITE, requestsPerCard, type OpDemand, type Site } from '../site/site.js';
import { positiveInt, UsageError } from './args.js';

export const SITE_OPTIONS = {
  site: { type: 'string' },
  machines: { type: 'string' },
  stations: { type: 'string' },
  servers: { type: 'string' },
  slots: { type: 'string' },
  'service-time': { type: 'string' },
  op: { type: 'string', multiple: true },
  'local-ms': { type: 'string' },
  'chip-ms': { type: 'string' },
  'server-speed': { type: 'string' },
} as const;

export interface SiteFlagValues {
  readonly site?: string | undefined;
  readonly machines?: string | undefined;
  readonly stations?: string | undefined;
  readonly servers?: string | undefined;
  readonly slots?: string | undefined;
  readonly 'service-time'?: string | undefined;
  readonly op?: string[] | undefined;
  readonly 'local-ms'?: string | undefined;
  readonly 'chip-ms'?: string | undefined;
  readonly 'server-speed'?: string | undefined;
}

export const SITE_HELP = `  --site FILE        a site file (JSON; README "Sizing the servers"); the flags below override it
  --machines N       machines (default ${DEFAULT_SITE.machines})
  --stations N       stations per machine (default ${DEFAULT_SITE.stationsPerMachine})
  --servers N        data servers (default ${DEFAULT_SITE.servers})
  --slots N          slots per data server (default ${DEFAULT_SITE.slots})
  --local-ms MS      a station's own time per card, away from the servers (default ${DEFAULT_SITE.localMs[0]})
  --chip-ms MS       the same, given per request (local time = MS x requests per card)
  --service-time T   every op's service time: MS fixed or exp:MS (default exp:${[...DEFAULT_SITE.ops.values()][0]!.serviceMs})
  --op OP=MS         one op's mean service time; OP=NxMS also sets N requests per card
                     (repeatable; e.g. --op certificate=4x250)
  --server-speed L   one factor per server, comma-separated: 1 nominal, 0.5 twice as slow
`;

function ms(value: string, flag: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > 86_400_000) throw new UsageError(`--${flag} must be a number of milliseconds from 0 to 86400000, got '${value}'`);
  return n;
}

function opFlag(text: string, ops: Map<string, OpDemand>): void {
  const m = /^([A-Za-z0-9][A-Za-z0-9._-]*)=(?:(\d+)x)?(\d+(?:\.\d+)?)$/.exec(text);
  const serviceMs = m ? Number(m[3]) : NaN;
  const perCard = m?.[2] === undefined ? ops.get(m?.[1] ?? '')?.perCard ?? 1 : Number(m[2]);
  if (!m || !(serviceMs > 0) || perCard < SITE_LIMITS.perCard.min || perCard > SITE_LIMITS.perCard.max) {
    throw new UsageError(`--op must be OP=MS or OP=NxMS (N requests per card, MS more than 0), got '${text}'`);
  }
  ops.set(m[1]!, { perCard, serviceMs });
}

export function siteFromFlags(o: SiteFlagValues, base: Site = DEFAULT_SITE): Site {
  let site = base;
  if (o.site !== undefined) {
    try {
      site = loadSite(o.site, base);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
  }
  const limit = (flag: keyof typeof SITE_LIMITS, value: string | undefined, fallback: number): number =>
    positiveInt(value, flag === 'stationsPerMachine' ? 'stations' : flag, fallback, SITE_LIMITS[flag].min, SITE_LIMITS[flag].max);
  const machines = limit('machines', o.machines, site.machines);
  const servers = limit('servers', o.servers, site.servers);
  const ops = new Map(site.ops);
  let serviceShape = site.serviceShape;
  if (o['service-time'] !== undefined) {
    const t = parseServiceTime(o['service-time']);
    if (!t || (t.kind === 'fixed' ? t.ms : t.meanMs) <= 0) throw new UsageError(`--service-time must be MS or exp:MS (more than 0), got '${o['service-time']}'`);
    serviceShape = t.kind;
    for (const [op, d] of ops) ops.set(op, { ...d, serviceMs: t.kind === 'fixed' ? t.ms : t.meanMs });
  }
  for (const text of o.op ?? []) opFlag(text, ops);
  let localMs = site.localMs;
  if (o['local-ms'] !== undefined && o['chip-ms'] !== undefined) throw new UsageError('--local-ms and --chip-ms say the same thing: give one');
  if (o['local-ms'] !== undefined) localMs = Array.from({ length: machines }, () => ms(o['local-ms']!, 'local-ms'));
  if (o['chip-ms'] !== undefined) localMs = Array.from({ length: machines }, () => ms(o['chip-ms']!, 'chip-ms') * requestsPerCard({ ...site, ops }));
  if (localMs.length !== machines) {
    if (localMs.every((v) => v === localMs[0])) localMs = Array.from({ length: machines }, () => localMs[0]!);
    else throw new UsageError(`--machines ${machines}, but the site file gives localMs for ${localMs.length} machines`);
  }
  let serverSpeed = site.serverSpeed;
  if (o['server-speed'] !== undefined) {
    serverSpeed = o['server-speed'].split(',').map((t) => {
      const n = Number(t);
      if (t.trim() === '' || !(n > 0) || n > 100) throw new UsageError(`--server-speed must be numbers more than 0 and at most 100, comma-separated, got '${o['server-speed']}'`);
      return n;
    });
  }
  if (serverSpeed.length !== servers) {
    if (serverSpeed.every((v) => v === 1)) serverSpeed = Array.from({ length: servers }, () => 1);
    else throw new UsageError(`--server-speed gives ${serverSpeed.length} factors for ${servers} servers: one per server`);
  }
  return {
    machines,
    stationsPerMachine: limit('stationsPerMachine', o.stations, site.stationsPerMachine),
    localMs,
    ops,
    serviceShape,
    servers,
    slots: limit('slots', o.slots, site.slots),
    serverSpeed,
  };
}
