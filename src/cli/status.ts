// `persomux status`: a running router's status view in the terminal, read
// from its /status.json (the same view as the page). `--watch` redraws it
// every second until Ctrl-C, and says so when the router does not answer.
import { loadConfig } from '../config/load.js';
import { ConfigError } from '../config/errors.js';
import { DEFAULT_STATUS_LISTEN } from '../config/limits.js';
import type { StatusView } from '../status/view.js';
import { command, help, parseOptions, UsageError } from './args.js';
import { formatStatus } from './status-format.js';

const HELP = `Usage: persomux status [--url URL | --config FILE] [--watch]

Prints a running router's status: the site, then one row per station line
and per data server, with its state and its lamp (the legend is at the end),
read from the router's /status.json.

  --url URL      the router's status interface (default http://${DEFAULT_STATUS_LISTEN}/)
  --config FILE  take the address from FILE's status.listen instead
  --watch        redraw every second until Ctrl-C
`;

const WATCH_EVERY_MS = 1000;
const TIMEOUT_MS = 3000;

export class RouterUnreachable extends Error {
  override readonly name = 'RouterUnreachable';
}

export function runStatus(args: string[]): Promise<number> {
  return command(HELP, async () => {
    const o = parseOptions(args, { url: { type: 'string' }, config: { type: 'string', short: 'c' }, watch: { type: 'boolean', short: 'w' } });
    if (o.help) return help(HELP);
    if (o.url && o.config) throw new UsageError('give --url or --config, not both');
    const base = o.url ?? (o.config ? urlFromConfig(o.config) : `http://${DEFAULT_STATUS_LISTEN}/`);
    if (base === undefined) return 1;
    const url = new URL('status.json', base.endsWith('/') ? base : `${base}/`);
    if (!o.watch) {
      try {
        process.stdout.write(formatStatus(await fetchView(url)));
        return 0;
      } catch (e) {
        if (!(e instanceof RouterUnreachable)) throw e;
        process.stderr.write(`${e.message}\n`);
        return 1;
      }
    }
    return watch(url);
  });
}

export async function fetchView(url: URL): Promise<StatusView> {
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (e) {
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    const why = cause?.code ?? cause?.message ?? (e as Error).name; // ECONNREFUSED, 'bad port', TimeoutError
    throw new RouterUnreachable(`no router answers at ${url.origin} (${why})`);
  }
  if (!res.ok) throw new RouterUnreachable(`${url} answered ${res.status}`);
  return (await res.json()) as StatusView;
}

function urlFromConfig(file: string): string | undefined {
  try {
    const status = loadConfig(file).status;
    const { host, port } = status.listen;
    // A router listening on every address is reached on this machine through loopback.
    const h = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
    return `${status.tls ? 'https' : 'http'}://${h.includes(':') ? `[${h}]` : h}:${port}/`;
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    process.stderr.write(`${e.message}\n`);
    return undefined;
  }
}

async function watch(url: URL): Promise<number> {
  let stop = false;
  const onSignal = (): void => {
    stop = true;
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  while (!stop) {
    let text: string;
    try {
      text = formatStatus(await fetchView(url));
    } catch (e) {
      if (!(e instanceof RouterUnreachable)) throw e;
      text = `${e.message}; trying again every second (Ctrl-C to stop)\n`;
    }
    // Home, draw, clear what the last frame left below.
    process.stdout.write(`\x1b[H${text.replace(/\n/g, '\x1b[K\n')}\x1b[J`);
    await new Promise((r) => setTimeout(r, WATCH_EVERY_MS));
  }
  return 0;
}
