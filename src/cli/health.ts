// `persomux health`: asks a running router's /healthz (status.listen of its
// config) whether it is healthy, waiting up to --wait seconds for it to become
// so. The box's deploy check (firmware/bin/persomux-box) relies on it, so
// "healthy" is decided in one place: the router's own health().
import { request } from 'node:http';
import { ConfigError } from '../config/errors.js';
import { loadConfig } from '../config/load.js';
import { command, help, parseOptions, positiveInt, UsageError } from './args.js';

const HELP = `Usage: persomux health --config FILE [--wait SECONDS]

Asks the router running with FILE (its status.listen address) for /healthz.
Exits 0 and prints a one-line summary once it answers 200 (healthy: the
process runs, its config loaded, every line and link started); exits 1 with
the reason if it is not healthy within SECONDS (default 0: ask once).
`;

const RETRY_MS = 250;

interface Answer { code: number; body: string }

function get(url: string, timeoutMs: number): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c.length + body.length > 65536 ? '' : c));
      res.on('end', () => resolve({ code: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

/** What a person reads: the router, its phase, and lines and servers by phase. */
export function summarize(body: string): string {
  try {
    const h = JSON.parse(body) as { router?: string; phase?: string; lines?: Record<string, string>; servers?: Record<string, string> };
    const list = (o: Record<string, string> | undefined) => Object.entries(o ?? {}).map(([k, v]) => `${k}=${v}`).join(' ') || 'none';
    return `router ${h.router ?? '?'} phase ${h.phase ?? '?'}; lines ${list(h.lines)}; servers ${list(h.servers)}`;
  } catch {
    return 'the answer is not JSON';
  }
}

/** Where to ask: a wildcard listen address is reached on loopback. */
export function healthUrl(host: string, port: number): string {
  const h = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return `http://${h.includes(':') ? `[${h}]` : h}:${port}/healthz`;
}

export function runHealth(args: string[]): Promise<number> {
  return command(HELP, async () => {
    const o = parseOptions(args, { config: { type: 'string', short: 'c' }, wait: { type: 'string' } });
    if (o.help) return help(HELP);
    if (!o.config) throw new UsageError('--config FILE is required');
    const waitMs = positiveInt(o.wait, 'wait', 0, 0) * 1000;
    let listen;
    try {
      listen = loadConfig(o.config).status.listen;
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      process.stderr.write(`${e.message}\n`);
      return 1;
    }
    if (listen.port === 0) {
      process.stderr.write(`${o.config}: status.listen: port 0 (any free port) cannot be asked; give the router a fixed port\n`);
      return 1;
    }
    const url = healthUrl(listen.host, listen.port);
    const until = Date.now() + waitMs;
    for (;;) {
      let why: string;
      try {
        const a = await get(url, 2000);
        if (a.code === 200) {
          process.stdout.write(`healthy: ${summarize(a.body)}\n`);
          return 0;
        }
        why = `${url} answered ${a.code}: ${summarize(a.body)}`;
      } catch (e) {
        why = `cannot reach ${url}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`;
      }
      if (Date.now() >= until) {
        process.stderr.write(`not healthy${waitMs > 0 ? ` after ${waitMs / 1000} s` : ''}: ${why}\n`);
        return 1;
      }
      await new Promise((r) => setTimeout(r, RETRY_MS));
    }
  });
}
