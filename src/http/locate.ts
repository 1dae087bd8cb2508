// POST /actions/locate?line=NAME: blink one line's lamp distinctively for
// 30 s so a person finds its port on the box (`persomux leds --locate`).
// The status server hands this route its requests; it knows only a locate
// function, not the panel.
import type { IncomingMessage, ServerResponse } from 'node:http';

export const LOCATE_PATH = '/actions/locate';

export type Locate = (line: string) => { until: number; ms: number } | undefined;

export interface ExtraRoute {
  readonly path: string;
  handle(req: IncomingMessage, res: ServerResponse): void;
}

export function locateRoute(locate: Locate): ExtraRoute {
  return {
    path: LOCATE_PATH,
    handle(req, res) {
      if (req.method !== 'POST') return send(res, 405, { error: 'locate is POST /actions/locate?line=NAME' }, { allow: 'POST' });
      // The body is not read: drain it so the connection can be reused.
      req.resume();
      const line = new URL(req.url ?? '/', 'http://local').searchParams.get('line');
      if (!line) return send(res, 400, { error: 'which line? POST /actions/locate?line=NAME' });
      const r = locate(line);
      if (!r) return send(res, 404, { error: `no line named '${line}'` });
      send(res, 202, { line, seconds: Math.round(r.ms / 1000) });
    },
  };
}

function send(res: ServerResponse, code: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(code, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers });
  res.end(JSON.stringify(body));
}
