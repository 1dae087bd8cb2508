// The router's HTTP interface (Node's own http or https, no framework).
// Started by the composition root next to the router (status-interface.ts);
// it reads the router only through its status seam and the status view.
// A port it cannot bind is logged and the router keeps routing: the
// interface is for people, the lines are the job.
//
//   GET  /             the live page (status-page.html)
//   GET  /events       Server-Sent Events: the status view as it changes
//   GET  /status.json  the status view
//   GET  /metrics      Prometheus text format
//   GET  /healthz      200 when healthy, 503 otherwise, with lines and servers
//   POST /lines/NAME/locate, /servers/NAME/drain, /servers/NAME/undrain (actions.ts)
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { StatusConfig } from '../config/types.js';
import type { Logger } from '../log/logger.js';
import type { RouterSnapshot, RouterPhase } from '../router/events.js';
import type { StatusView } from '../status/view.js';
import { actionPolicy, handleAction, type ActionTargets } from './actions.js';
import type { EventStream } from './event-stream.js';
import { statusPage } from './page.js';
import { persomuxVersion } from '../util/version.js';

/** What the interface needs of a router: the seam, nothing else. */
export interface StatusSource {
  snapshot(): RouterSnapshot;
  health(): { healthy: boolean; phase: RouterPhase };
}

/** The parts behind the routes; only `source` is required (/healthz). */
export interface StatusParts {
  readonly source: StatusSource;
  readonly view?: () => StatusView;
  /** The registry, built at the first scrape (metrics.ts). */
  readonly metrics?: () => Promise<Registry>;
  readonly events?: EventStream;
  readonly actions?: ActionTargets;
}

export interface StatusServer {
  /** The bound port, or undefined when it could not listen. */
  readonly port: number | undefined;
  /** The page's address, for people (undefined when it could not listen). */
  readonly url: string | undefined;
  close(): Promise<void>;
}

export async function startStatusServer(config: StatusConfig, parts: StatusParts, log: Logger): Promise<StatusServer> {
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    route(req, res, config, parts, log).catch((e: Error) => {
      log.error('status.request-failed', { path: pathOf(req), error: e.message });
      if (!res.headersSent) send(res, 500, { error: 'internal error' });
      else res.end();
    });
  };
  const server = config.tls ? createHttpsServer({ cert: config.tls.cert, key: config.tls.key }, handler) : createHttpServer(handler);
  const { host, port } = config.listen;
  const bound = await new Promise<number | undefined>((resolve) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      log.error('status.cannot-listen', { address: `${host}:${port}`, error: e.code ?? e.message });
      resolve(undefined);
    });
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });
  const url = bound === undefined ? undefined : `${config.tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${bound}/`;
  if (url) {
    const policy = actionPolicy(config);
    log.info('status.listening', { url, actions: policy.enabled ? 'enabled' : 'disabled' });
    if (!policy.enabled && config.credentials.length > 0) log.warn('status.actions-refused', { why: policy.why });
  }
  return { port: bound, url, close: () => closeServer(server, parts.events) };
}

async function route(req: IncomingMessage, res: ServerResponse, config: StatusConfig, parts: StatusParts, log: Logger): Promise<void> {
  const path = pathOf(req);
  if (parts.actions && handleAction(req, res, path, config, parts.actions, log, send)) return;
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, { error: 'only GET here; actions are POST to /lines/NAME/locate, /servers/NAME/drain, /servers/NAME/undrain' }, { allow: 'GET, HEAD' });
  switch (path) {
    case '/healthz':
      return healthz(res, parts.source);
    case '/status.json':
      if (parts.view) return send(res, 200, parts.view());
      break;
    case '/metrics':
      if (parts.metrics) {
        const registry = await parts.metrics();
        const text = await registry.metrics();
        res.writeHead(200, { 'content-type': registry.contentType, 'cache-control': 'no-store' });
        return void res.end(text);
      }
      break;
    case '/events':
      if (!parts.events) break;
      if (!parts.events.open(req, res)) send(res, 503, { error: 'too many open pages' }, { 'retry-after': '10' });
      return;
    case '/':
    case '/index.html': {
      if (!parts.view) break;
      const page = statusPage();
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'content-security-policy': page.csp, 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' });
      return void res.end(page.body);
    }
  }
  send(res, 404, { error: `no page at ${path}` });
}

/** 200 when healthy (see Router.health), 503 otherwise; the body says which lines and servers are up. */
function healthz(res: ServerResponse, source: StatusSource): void {
  const { healthy, phase } = source.health();
  const s = source.snapshot();
  send(res, healthy ? 200 : 503, {
    healthy,
    phase,
    router: s.router,
    // A deploy confirms it talks to the new release's process, not a leftover.
    version: persomuxVersion(),
    pid: process.pid,
    lines: Object.fromEntries(s.lines.map((l) => [l.name, l.phase])),
    servers: Object.fromEntries(s.servers.map((x) => [x.name, x.phase])),
  });
}

const pathOf = (req: IncomingMessage): string => (req.url ?? '/').split('?')[0] ?? '/';

function send(res: ServerResponse, code: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers });
  res.end(text);
}

function closeServer(server: Server, events: EventStream | undefined): Promise<void> {
  return new Promise((resolve) => {
    events?.close();
    if (!server.listening) return resolve();
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
