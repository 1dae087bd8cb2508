// Checks a parsed configuration file once, at the edge, and fills in the
// defaults. Every problem is collected (not just the first) with its field.
import { isIP } from 'node:net';
import { dirname, join as joinPath, resolve } from 'node:path';
import { validate as validCron } from 'node-cron';
import { KeyFileError, loadLinkKeys } from '../keys/link-key-file.js';
import type { OpPolicy } from '../dispatch/types.js';
import type { ConfigProblem } from './errors.js';
import { validatePanel } from './panel.js';
import { DATA_BITS, DEFAULT_REHANDSHAKE, LIMITS, PARITIES, PROTOCOLS, STOP_BITS, type Limit } from './limits.js';
import type { LineConfig, LinkSecurity, PeerConfig, PeerPortConfig, RouterConfig, SerialSettings, ServerAddress, ServerConfig } from './types.js';
import { statisticsFields, statusSection } from './status-section.js';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const NAME_RULE = 'must be 1-64 letters, digits, dot, dash or underscore, starting with a letter or digit';

type Obj = Record<string, unknown>;

class Checker {
  readonly problems: ConfigProblem[] = [];

  fail(field: string, reason: string): undefined {
    this.problems.push({ field, reason });
    return undefined;
  }

  object(value: unknown, field: string): Obj | undefined {
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Obj;
    return this.fail(field, 'must be an object');
  }

  /** Names the keys this section does not know: a typo must not pass silently. */
  onlyKeys(obj: Obj, field: string, known: readonly string[]): void {
    for (const key of Object.keys(obj)) {
      if (!known.includes(key)) this.fail(join(field, key), `unknown field (known: ${known.join(', ')})`);
    }
  }

  name(value: unknown, field: string): string | undefined {
    if (typeof value === 'string' && NAME.test(value)) return value;
    return this.fail(field, value === undefined ? 'is missing' : NAME_RULE);
  }

  text(value: unknown, field: string): string | undefined {
    if (typeof value === 'string' && value.length > 0) return value;
    return this.fail(field, value === undefined ? 'is missing' : 'must be a non-empty string');
  }

  number(value: unknown, field: string, limit: Limit, fallback = limit.default): number | undefined {
    if (value === undefined) return fallback;
    if (typeof value === 'number' && Number.isInteger(value) && value >= limit.min && value <= limit.max) return value;
    return this.fail(field, `must be a whole number from ${limit.min} to ${limit.max} (default ${limit.default})`);
  }

  bool(value: unknown, field: string, fallback: boolean): boolean | undefined {
    if (value === undefined) return fallback;
    if (typeof value === 'boolean') return value;
    return this.fail(field, 'must be true or false');
  }

  oneOf<T extends string | number>(value: unknown, field: string, allowed: readonly T[], fallback: T): T | undefined {
    if (value === undefined) return fallback;
    if (allowed.includes(value as T)) return value as T;
    return this.fail(field, `must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}`);
  }

  unique(names: (string | undefined)[], field: (i: number) => string): void {
    const seen = new Map<string, number>();
    names.forEach((n, i) => {
      if (n === undefined) return;
      const first = seen.get(n);
      if (first !== undefined) this.fail(field(i), `'${n}' is already used by ${field(first)}`);
      else seen.set(n, i);
    });
  }
}

const join = (field: string, key: string | number): string => (typeof key === 'number' ? `${field}[${key}]` : field ? `${field}.${key}` : key);

const SERIAL_KEYS = ['baudRate', 'dataBits', 'parity', 'stopBits', 'rtscts'] as const;

function serialSettings(c: Checker, o: Obj, field: string, path: unknown, baudDefault: number): SerialSettings | undefined {
  const s = {
    path: c.text(path, join(field, 'path')),
    baudRate: c.number(o.baudRate, join(field, 'baudRate'), LIMITS.baudRate, baudDefault),
    dataBits: c.oneOf(o.dataBits, join(field, 'dataBits'), DATA_BITS, 8),
    parity: c.oneOf(o.parity, join(field, 'parity'), PARITIES, 'none'),
    stopBits: c.oneOf(o.stopBits, join(field, 'stopBits'), STOP_BITS, 1),
    rtscts: c.bool(o.rtscts, join(field, 'rtscts'), false),
  };
  return Object.values(s).every((v) => v !== undefined) ? (s as SerialSettings) : undefined;
}

interface Defaults {
  ttlMs: number;
  maxBody: number;
  maxOutstanding: number;
  baudRate: number;
}

function line(c: Checker, value: unknown, field: string, d: Defaults): LineConfig | undefined {
  const o = c.object(value, field);
  if (!o) return undefined;
  c.onlyKeys(o, field, ['name', 'path', ...SERIAL_KEYS, 'protocol', 'maxBody', 'maxOutstanding', 'echo', 'banner', 'servers']);
  const protocol = c.oneOf(o.protocol, join(field, 'protocol'), PROTOCOLS, 'native');
  const l = {
    name: c.name(o.name, join(field, 'name')),
    serial: serialSettings(c, o, field, o.path, d.baudRate),
    protocol,
    maxBody: c.number(o.maxBody, join(field, 'maxBody'), LIMITS.maxBody, d.maxBody),
    maxOutstanding: c.number(o.maxOutstanding, join(field, 'maxOutstanding'), LIMITS.maxOutstanding, d.maxOutstanding),
    echo: asciiOnly(c, o, 'echo', field, protocol) ? c.bool(o.echo, join(field, 'echo'), false) : undefined,
  };
  const banner = asciiOnly(c, o, 'banner', field, protocol) ? bannerText(c, o.banner, join(field, 'banner')) : null;
  if (banner === null || !Object.values(l).every((v) => v !== undefined)) return undefined;
  const servers = lineServers(c, o.servers, join(field, 'servers'));
  return { ...(l as Omit<LineConfig, 'banner'>), banner, ...(servers ? { servers } : {}) };
}

/** Static binding: a non-empty list of server names; that they name configured servers is checked once all are read. */
function lineServers(c: Checker, value: unknown, field: string): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length === 0) return c.fail(field, 'must be a non-empty list of server names (from servers[].name)');
  const names = value.map((v, i) => c.name(v, join(field, i)));
  c.unique(names, (i) => join(field, i));
  return names.every((n) => n !== undefined) ? (names as string[]) : undefined;
}

/** `echo` and `banner` are for people at terminals: ASCII lines only (PROTOCOL.md section 6 reading 11). */
function asciiOnly(c: Checker, o: Obj, key: string, field: string, protocol: string | undefined): boolean {
  if (o[key] === undefined || protocol === 'ascii') return true;
  c.fail(join(field, key), "is for lines with protocol 'ascii' (people at terminals) only");
  return false;
}

/** Printable ASCII with line breaks: a banner must not drive the terminal. Null when refused. */
function bannerText(c: Checker, value: unknown, field: string): string | undefined | null {
  if (value === undefined) return undefined;
  if (typeof value === 'string' && value.length > 0 && value.length <= LIMITS.bannerChars.max && /^[\x20-\x7e\n]+$/.test(value)) return value;
  c.fail(field, `must be text of 1 to ${LIMITS.bannerChars.max} printable ASCII characters (lines split by \\n)`);
  return null;
}

/** Addresses whose bytes cannot leave the machine. */
export const isLoopback = (host: string): boolean => host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));

/** `host:port`; port 0 (any free port) only where this router listens. */
function tcpAddress(c: Checker, value: unknown, field: string, listening = false): ServerAddress | undefined {
  const m = typeof value === 'string' ? /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(value) : null;
  const port = m ? Number(m[3]) : NaN;
  if (!m || port < (listening ? 0 : 1) || port > 65535) return c.fail(field, "must be 'host:port' (IPv6 as '[addr]:port')");
  return { kind: 'tcp', host: (m[1] ?? m[2])!, port };
}

/**
 * PROTOCOL.md 3: sealed with the link's key file unless `insecure: true`,
 * which is allowed only where the bytes cannot leave the machine (loopback)
 * or for serial test rigs. Key files are read here, once, relative to the
 * configuration file.
 */
function security(c: Checker, o: Obj, field: string, configDir: string, loopbackOnly: { host: string } | undefined): LinkSecurity | undefined {
  const insecure = c.bool(o.insecure, join(field, 'insecure'), false);
  if (insecure === undefined) return undefined;
  if (insecure) {
    if (o.keyFile !== undefined) c.fail(join(field, 'keyFile'), 'a plaintext link (insecure: true) has no key file');
    if (o.rehandshake !== undefined) c.fail(join(field, 'rehandshake'), 'a plaintext link (insecure: true) makes no handshake to repeat');
    if (loopbackOnly && !isLoopback(loopbackOnly.host)) return c.fail(join(field, 'insecure'), `plaintext is allowed only on loopback addresses, not '${loopbackOnly.host}'`);
    return { kind: 'insecure' };
  }
  const keyFileRaw = c.text(o.keyFile, join(field, 'keyFile'));
  const rehandshake = o.rehandshake === undefined ? DEFAULT_REHANDSHAKE : o.rehandshake;
  if (typeof rehandshake !== 'string' || !validCron(rehandshake)) c.fail(join(field, 'rehandshake'), "must be a cron expression such as '0 3 * * *' (daily at 03:00)");
  if (keyFileRaw === undefined) return undefined;
  const keyFile = resolve(configDir, keyFileRaw);
  try {
    const keys = loadLinkKeys(keyFile);
    return typeof rehandshake === 'string' && validCron(rehandshake) ? { kind: 'sealed', keyFile, keys, rehandshake } : undefined;
  } catch (e) {
    if (!(e instanceof KeyFileError)) throw e;
    return c.fail(join(field, 'keyFile'), e.message);
  }
}

const SECURITY_KEYS = ['insecure', 'keyFile', 'rehandshake'] as const;

function server(c: Checker, value: unknown, field: string, d: Defaults, configDir: string): ServerConfig | undefined {
  const o = c.object(value, field);
  if (!o) return undefined;
  c.onlyKeys(o, field, ['name', 'tcp', 'serial', ...SERIAL_KEYS, 'slots', ...SECURITY_KEYS, 'maxBody']);
  let address: ServerAddress | undefined;
  if ((o.tcp === undefined) === (o.serial === undefined)) {
    c.fail(field, "needs exactly one of 'tcp' (host:port) or 'serial' (a device path)");
  } else if (o.tcp !== undefined) {
    address = tcpAddress(c, o.tcp, join(field, 'tcp'));
  } else {
    const serial = serialSettings(c, o, field, o.serial, d.baudRate);
    address = serial && { kind: 'serial', serial };
  }
  const s = {
    name: c.name(o.name, join(field, 'name')),
    address,
    slots: c.number(o.slots, join(field, 'slots'), LIMITS.slots),
    security: security(c, o, field, configDir, address?.kind === 'tcp' ? address : undefined),
    maxBody: c.number(o.maxBody, join(field, 'maxBody'), LIMITS.maxBody, d.maxBody),
  };
  return Object.values(s).every((v) => v !== undefined) ? (s as ServerConfig) : undefined;
}

function peerPort(c: Checker, value: unknown, configDir: string, d: Defaults): PeerPortConfig | undefined {
  const field = 'peerPort';
  const o = c.object(value, field);
  if (!o) return undefined;
  c.onlyKeys(o, field, ['listen', 'lendSlots', 'peers']);
  const address = tcpAddress(c, o.listen, join(field, 'listen'), true);
  const lendSlots = c.number(o.lendSlots, join(field, 'lendSlots'), LIMITS.lendSlots);
  const peersRaw = Array.isArray(o.peers) ? o.peers : (c.fail(join(field, 'peers'), 'must be an array of {name, keyFile} or {name, insecure: true}') ?? []);
  if (Array.isArray(o.peers) && o.peers.length === 0) c.fail(join(field, 'peers'), 'needs at least one peer');
  const peers = peersRaw.map((v, i): PeerConfig | undefined => {
    const pf = `${field}.peers[${i}]`;
    const p = c.object(v, pf);
    if (!p) return undefined;
    c.onlyKeys(p, pf, ['name', ...SECURITY_KEYS]);
    const name = c.name(p.name, join(pf, 'name'));
    const sec = security(c, p, pf, configDir, address?.kind === 'tcp' ? address : undefined);
    return name && sec ? { name, security: sec } : undefined;
  });
  c.unique(peersRaw.map((v) => (typeof v === 'object' && v && typeof (v as Obj).name === 'string' ? ((v as Obj).name as string) : undefined)), (i) => `${field}.peers[${i}].name`);
  // The accepting side tells peers apart by the kid of their `open`: two key files naming the same kid cannot both work.
  c.unique(
    peers.map((p) => (p?.security.kind === 'sealed' ? p.security.keys.recipientId.toString('hex') : undefined)),
    (i) => `${field}.peers[${i}].keyFile (its recipientId)`,
  );
  const kinds = new Set(peers.map((p) => p?.security.kind).filter((k) => k !== undefined));
  // A connection is either sealed from its first frame or plaintext: one port cannot guess which.
  if (kinds.size > 1) c.fail(join(field, 'peers'), 'must be all sealed (keyFile) or all plaintext (insecure: true)');
  if (!address || address.kind !== 'tcp' || lendSlots === undefined || kinds.size > 1 || peers.some((p) => p === undefined)) return undefined;
  return { host: address.host, port: address.port, lendSlots, peers: peers as PeerConfig[], maxBody: d.maxBody };
}

function op(c: Checker, value: unknown, field: string, d: Defaults): OpPolicy | undefined {
  const o = c.object(value, field);
  if (!o) return undefined;
  c.onlyKeys(o, field, ['ttlMs', 'retry', 'startsCard']);
  const ttlMs = c.number(o.ttlMs, join(field, 'ttlMs'), LIMITS.ttlMs, d.ttlMs);
  const retry = c.bool(o.retry, join(field, 'retry'), false);
  const startsCard = c.bool(o.startsCard, join(field, 'startsCard'), false);
  return ttlMs === undefined || retry === undefined || startsCard === undefined ? undefined : { ttlMs, retry, startsCard };
}

/** Validates a parsed file; returns the config or the list of problems. */
export function validateConfig(file: string, raw: unknown): { config: RouterConfig } | { problems: ConfigProblem[] } {
  const c = new Checker();
  const root = c.object(raw, '(file)');
  if (!root) return { problems: c.problems };
  c.onlyKeys(root, '', ['router', 'defaults', 'lines', 'servers', 'ops', 'peerPort', 'status', 'stopTimeoutMs', 'stateDir', 'snapshotSchedule', 'panel']);
  const configDir = dirname(resolve(file));
  const router = c.name(root.router, 'router');
  // The request journal (PROTOCOL.md 6 reading 12) lives in the state folder the file names, relative to the file.
  const journalDir = typeof root.stateDir === 'string' && root.stateDir.length > 0 ? joinPath(resolve(configDir, root.stateDir), 'journal') : undefined;

  const dRaw = root.defaults === undefined ? {} : c.object(root.defaults, 'defaults') ?? {};
  c.onlyKeys(dRaw, 'defaults', ['ttlMs', 'pingIntervalMs', 'maxBody', 'maxOutstanding', 'baudRate']);
  const d: Defaults = {
    ttlMs: c.number(dRaw.ttlMs, 'defaults.ttlMs', LIMITS.ttlMs) ?? LIMITS.ttlMs.default,
    maxBody: c.number(dRaw.maxBody, 'defaults.maxBody', LIMITS.maxBody) ?? LIMITS.maxBody.default,
    maxOutstanding: c.number(dRaw.maxOutstanding, 'defaults.maxOutstanding', LIMITS.maxOutstanding) ?? LIMITS.maxOutstanding.default,
    baudRate: c.number(dRaw.baudRate, 'defaults.baudRate', LIMITS.baudRate) ?? LIMITS.baudRate.default,
  };
  const pingIntervalMs = c.number(dRaw.pingIntervalMs, 'defaults.pingIntervalMs', LIMITS.pingIntervalMs);

  const list = (key: string): unknown[] => {
    const v = root[key];
    if (v === undefined) return [];
    if (Array.isArray(v)) return v;
    c.fail(key, 'must be an array');
    return [];
  };
  const linesRaw = list('lines');
  const serversRaw = list('servers');
  const lines = linesRaw.map((v, i) => line(c, v, `lines[${i}]`, d));
  const servers = serversRaw.map((v, i) => server(c, v, `servers[${i}]`, d, configDir));
  const peers = root.peerPort === undefined ? undefined : peerPort(c, root.peerPort, configDir, d);
  const statusInterface = statusSection(c, root.status, configDir, (v, field) => {
    const a = tcpAddress(c, v, field, true);
    return a?.kind === 'tcp' ? { host: a.host, port: a.port } : undefined;
  });
  const statistics = statisticsFields(c, root, configDir);
  const stopTimeoutMs = c.number(root.stopTimeoutMs, 'stopTimeoutMs', LIMITS.stopTimeoutMs);
  const panel = validatePanel(root.panel, configDir, c.problems);
  // Judged on the raw values, so a duplicate shows even in an entry with other mistakes.
  const rawText = (v: unknown, key: string): string | undefined => {
    const x = typeof v === 'object' && v !== null ? (v as Obj)[key] : undefined;
    return typeof x === 'string' ? x : undefined;
  };
  c.unique(linesRaw.map((v) => rawText(v, 'name')), (i) => `lines[${i}].name`);
  // A device is one line or one server link, never both: two opens of one port fail ("Cannot lock port").
  const devices = [...linesRaw.map((v) => rawText(v, 'path')), ...serversRaw.map((v) => rawText(v, 'serial'))];
  c.unique(devices, (i) => (i < linesRaw.length ? `lines[${i}].path` : `servers[${i - linesRaw.length}].serial`));
  c.unique(serversRaw.map((v) => rawText(v, 'name')), (i) => `servers[${i}].name`);
  if (lines.length === 0) c.fail('lines', 'needs at least one station line');
  const serverNames = new Set(serversRaw.map((v) => rawText(v, 'name')));
  lines.forEach((l, i) => l?.servers?.forEach((s, j) => serverNames.has(s) || c.fail(`lines[${i}].servers[${j}]`, `'${s}' is not the name of a server in servers[]`)));

  const ops = new Map<string, OpPolicy>();
  const opsRaw = root.ops === undefined ? {} : c.object(root.ops, 'ops') ?? {};
  for (const [name, value] of Object.entries(opsRaw)) {
    if (!NAME.test(name)) c.fail(`ops.${JSON.stringify(name)}`, `an op name ${NAME_RULE}`);
    const policy = op(c, value, `ops.${name}`, d);
    if (policy) ops.set(name, policy);
  }

  if (c.problems.length > 0 || router === undefined || pingIntervalMs === undefined || statusInterface === undefined || statistics === undefined || stopTimeoutMs === undefined || panel === undefined) {
    return { problems: c.problems };
  }
  return {
    config: {
      file,
      router,
      pingIntervalMs,
      defaultOp: { ttlMs: d.ttlMs, retry: false, startsCard: false },
      ops,
      lines: lines as LineConfig[],
      servers: servers as ServerConfig[],
      peerPort: peers,
      status: statusInterface,
      ...statistics,
      stopTimeoutMs,
      panel,
      journalDir,
    },
  };
}
