// The router's HTTP interface (Node's own http, no framework). Started by the
// composition root next to the router; it reads the router only through its
// status seam (snapshot, health). A port it cannot bind is logged and the
// router keeps routing: the interface is for people, the lines are the job.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { StatusConfig } from '../config/types.js';
import type { Logger } from '../log/logger.js';
import type { RouterSnapshot, RouterPhase } from '../router/events.js';
import type { ExtraRoute } from './locate.js';

/** What the interface needs of a router: the seam, nothing else. */
export interface StatusSource {
  snapshot(): RouterSnapshot;
  health(): { healthy: boolean; phase: RouterPhase };
}

export interface StatusServer {
  /** The bound port, or undefined when it could not listen. */
  readonly port: number | undefined;
  close(): Promise<void>;
}

export async function startStatusServer(config: StatusConfig, source: StatusSource, log: Logger, extra: readonly ExtraRoute[] = []): Promise<StatusServer> {
  const server = createServer((req, res) => {
    const own = extra.find((r) => r.path === (req.url ?? '/').split('?')[0]);
    if (own) own.handle(req, res);
    else route(req, res, source);
  });
  const { host, port } = config.listen;
  const bound = await new Promise<number | undefined>((resolve) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      log.error('status.cannot-listen', { address: `${host}:${port}`, error: e.code ?? e.message });
      resolve(undefined);
    });
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });
  if (bound !== undefined) log.info('status.listening', { url: `http://${host.includes(':') ? `[${host}]` : host}:${bound}/` });
  return { port: bound, close: () => closeServer(server) };
}

function route(req: IncomingMessage, res: ServerResponse, source: StatusSource): void {
  const path = (req.url ?? '/').split('?')[0];
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, { error: 'only GET here' });
  if (path === '/healthz') return healthz(res, source);
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
    lines: Object.fromEntries(s.lines.map((l) => [l.name, l.phase])),
    servers: Object.fromEntries(s.servers.map((x) => [x.name, x.phase])),
  });
}

function send(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(text);
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
