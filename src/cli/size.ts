// `persomux size`: how many data servers a site needs for its cards/hour.
import { command, help, parseOptions, positiveInt, UsageError } from './args.js';
import { SITE_HELP, SITE_OPTIONS, siteFromFlags } from './site-flags.js';
import { loadSite } from '../site/site-file.js';
import { DEFAULT_SITE, type Site } from '../site/site.js';
import { loadSnapshot } from '../size/snapshot.js';
import { ModelInputError } from '../size/machine-repair.js';
import { MAX_SERVERS, size } from '../size/sizing.js';
import { formatSizing } from '../size/format.js';

const HELP = `Usage: persomux size [options]

Predicts, for 1, 2, 3... data servers, the cards/hour a site makes, how busy
its servers are and how long its stations wait for a server, with dynamic
dispatch (persomux) and with each station bound to one server, and names the
smallest number of servers that meets --target. The model is the closed
finite-source queue M/M/c//N (README "Sizing the servers").

  --target N         cards/hour the site must make
  --snapshot FILE    a running router's statistics snapshot (its state
                     directory): stations, requests per card, service times and
                     own time per card as measured; flags override it
${SITE_HELP}  --servers-max N    rows up to this many servers at most (default ${MAX_SERVERS})
  --json             the figures as JSON
`;

function number(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value.replaceAll(',', '').replaceAll('_', ''));
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--${flag} must be a positive number, got '${value}'`);
  return n;
}

/** A snapshot's values over the base site; per-machine lists are fitted to its single machine. */
function overlay(base: Site, part: Partial<Site>): Site {
  const site = { ...base, ...part };
  const localMs = site.localMs.length === site.machines ? site.localMs : Array.from({ length: site.machines }, () => site.localMs.reduce((a, b) => a + b, 0) / site.localMs.length);
  const serverSpeed = site.serverSpeed.length === site.servers ? site.serverSpeed : Array.from({ length: site.servers }, () => 1);
  return { ...site, localMs, serverSpeed };
}

export function runSize(args: string[]): Promise<number> {
  return command(HELP, async () => {
    const o = parseOptions(args, { ...SITE_OPTIONS, target: { type: 'string' }, snapshot: { type: 'string' }, 'servers-max': { type: 'string' }, json: { type: 'boolean' } });
    if (o.help) return help(HELP);
    let base = DEFAULT_SITE;
    const notes: string[] = [];
    try {
      if (o.site !== undefined) base = loadSite(o.site);
      if (o.snapshot !== undefined) {
        const snap = loadSnapshot(o.snapshot);
        base = overlay(base, snap.site);
        notes.push(`From ${o.snapshot}: ${snap.read.join('; ') || 'nothing usable'}.`);
        if (snap.missing.length > 0) notes.push(`Not in it (defaults or flags used): ${snap.missing.join(', ')}.`);
      }
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    const site = siteFromFlags({ ...o, site: undefined }, base);
    const target = number(o.target, 'target');
    let sizing;
    try {
      sizing = size(site, { ...(target === undefined ? {} : { target }), maxServers: positiveInt(o['servers-max'], 'servers-max', MAX_SERVERS) });
    } catch (e) {
      if (e instanceof ModelInputError) throw new UsageError(e.message);
      throw e;
    }
    if (o.json) {
      process.stdout.write(JSON.stringify({ site: { ...site, ops: Object.fromEntries(site.ops) }, ...sizing }, null, 2) + '\n');
    } else {
      for (const n of notes) process.stdout.write(`${n}\n`);
      process.stdout.write(formatSizing(site, sizing));
    }
    return target === undefined || sizing.needed ? 0 : 1;
  });
}
