// Operators' actions, in one place: locate a line, drain a server, undrain
// it. POST only, HTTP Basic against the configured credentials file, each
// logged with who asked. Credentials travel in clear over HTTP, so on an
// address other than loopback actions need HTTPS (`status.tls`); without
// credentials configured they are disabled.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { StatusConfig } from '../config/types.js';
import { isLoopback } from '../config/validate.js';
import type { Logger } from '../log/logger.js';
import { checkBasicAuth } from './basic-auth.js';
import { LOCATE_PATH, type Locate } from './locate.js';

export interface ActionTargets {
  /** Blinks the line's lamp on the front panel and the page (src/http/locate.ts); undefined for an unknown line. */
  readonly locate: Locate;
  /** The server gets no new work and finishes what it holds (Router.drain); false for an unknown server. */
  drain(server: string, by: string): boolean;
  undrain(server: string, by: string): boolean;
}

export type ActionPolicy = { readonly enabled: true } | { readonly enabled: false; readonly why: string };

export function actionPolicy(config: StatusConfig): ActionPolicy {
  if (config.credentials.length === 0) return { enabled: false, why: 'actions are disabled: the configuration names no status.credentialsFile' };
  if (!config.tls && !isLoopback(config.listen.host)) {
    return { enabled: false, why: `actions are refused over plain HTTP on ${config.listen.host} (credentials would travel in clear): configure status.tls or listen on loopback` };
  }
  return { enabled: true };
}

const ROUTE = /^\/(lines|servers)\/([^/]+)\/(locate|drain|undrain)$/;
type Send = (res: ServerResponse, code: number, body: unknown, headers?: Record<string, string>) => void;
type Action = { readonly action: 'locate' | 'drain' | 'undrain'; readonly target: 'line' | 'server'; readonly name: string };

/** Which action a path asks for: undefined when it is no action's path, a reason when it is a malformed one. */
function actionOf(req: IncomingMessage, path: string): Action | { readonly bad: string } | undefined {
  if (path === LOCATE_PATH) {
    // `persomux leds --locate` asks POST /actions/locate?line=NAME: the same action.
    const line = new URL(req.url ?? '/', 'http://local').searchParams.get('line');
    return line ? { action: 'locate', target: 'line', name: line } : { bad: `which line? POST ${LOCATE_PATH}?line=NAME` };
  }
  const m = ROUTE.exec(path);
  if (!m) return undefined;
  const [, kind, raw, action] = m as unknown as [string, 'lines' | 'servers', string, Action['action']];
  const name = safeDecode(raw);
  if (!name || (kind === 'lines') !== (action === 'locate')) return { bad: `no action at ${path}` };
  return { action, target: kind === 'lines' ? 'line' : 'server', name };
}

/** Handles `path` when it is an action; returns false when it is not one. */
export function handleAction(req: IncomingMessage, res: ServerResponse, path: string, config: StatusConfig, targets: ActionTargets, log: Logger, send: Send): boolean {
  const asked = actionOf(req, path);
  if (!asked) return false;
  // No action reads a body: drain it so the connection can be reused.
  req.resume();
  if ('bad' in asked) {
    send(res, asked.bad.startsWith('which') ? 400 : 404, { error: asked.bad });
    return true;
  }
  const { action, target, name } = asked;
  const from = req.socket.remoteAddress ?? '?';
  const refuse = (code: number, why: string, headers?: Record<string, string>, by?: string): true => {
    log.warn('status.action-refused', { action, target: name, from, why, ...(by ? { by } : {}) });
    send(res, code, { error: why }, headers);
    return true;
  };
  if (req.method !== 'POST') return refuse(405, `${action} is a POST`, { allow: 'POST' });
  const policy = actionPolicy(config);
  if (!policy.enabled) return refuse(403, policy.why);
  // A page of another site must not drive a browser that holds our credentials.
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== `${config.tls ? 'https' : 'http'}://${req.headers.host ?? ''}`) return refuse(403, `requests from another origin (${origin}) are refused`);
  const auth = checkBasicAuth(req, config.credentials);
  if (!auth.ok) return refuse(401, auth.why === 'no-credentials' ? 'credentials required' : 'wrong credentials', { 'www-authenticate': 'Basic realm="persomux", charset="UTF-8"' });
  let extra: Record<string, unknown> = {};
  if (action === 'locate') {
    const located = targets.locate(name);
    if (!located) return refuse(404, `no line named '${name}'`, undefined, auth.user);
    extra = { seconds: Math.round(located.ms / 1000) };
  } else if (!(action === 'drain' ? targets.drain(name, auth.user) : targets.undrain(name, auth.user))) {
    return refuse(404, `no server named '${name}'`, undefined, auth.user);
  }
  log.info('status.action', { action, target: name, by: auth.user, from });
  send(res, 200, { ok: true, action, [target]: name, by: auth.user, ...extra });
  return true;
}

function safeDecode(s: string): string | undefined {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}
