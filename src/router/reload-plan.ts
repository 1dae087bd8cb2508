// What a reload changes (SIGHUP, `persomux reload`): the running
// configuration against the new one, as a plan of plain values. Lines and
// links that did not change are not touched: they keep their ports, queues
// and answer caches. Pure: the router carries the plan out.
import { isDeepStrictEqual } from 'node:util';
import type { LineConfig, RouterConfig, ServerConfig } from '../config/types.js';

/** Fields only a restart can change, and why. */
const RESTART_ONLY: readonly { readonly field: string; readonly of: (c: RouterConfig) => unknown; readonly why: string }[] = [
  { field: 'router', of: (c) => c.router, why: 'the router name is in every station value and peer offer' },
  { field: 'peerPort', of: (c) => c.peerPort && { ...c.peerPort, peers: c.peerPort.peers.map((p) => ({ name: p.name, security: securityOf(p.security) })) }, why: 'the peer port is bound once, at start' },
  { field: 'status', of: (c) => c.status, why: 'the status interface (address, credentials, certificate) is set up once, at start' },
  { field: 'defaults.pingIntervalMs', of: (c) => c.pingIntervalMs, why: 'every link runs on it' },
  { field: 'panel', of: (c) => c.panel, why: 'the front panel and its board are set up once, at start' },
  { field: 'stateDir', of: (c) => c.stateDir, why: 'the statistics snapshot and the journal are opened there once, at start' },
  { field: 'snapshotSchedule', of: (c) => c.snapshotSchedule, why: 'the snapshot schedule is set once, at start' },
];

export interface ReloadPlan {
  /** Non-empty: the reload is refused as a whole and the running configuration stays. */
  readonly refused: readonly { readonly field: string; readonly why: string }[];
  readonly lines: {
    readonly added: readonly LineConfig[];
    readonly removed: readonly string[];
    /** Port settings changed: reopened, answer cache kept. */
    readonly reopened: readonly LineConfig[];
    /** Only limits the dispatcher keeps changed (maxOutstanding): nothing reopened. */
    readonly retuned: readonly LineConfig[];
  };
  readonly servers: {
    readonly added: readonly ServerConfig[];
    readonly removed: readonly string[];
    /** Address, key or frame size changed: the old link drains, then the new one takes over. */
    readonly replaced: readonly ServerConfig[];
    /** Only the expected slot count changed: the link stays. */
    readonly retuned: readonly ServerConfig[];
  };
  readonly opsChanged: boolean;
}

export function planReload(running: RouterConfig, next: RouterConfig): ReloadPlan {
  const refused = RESTART_ONLY.filter((r) => !isDeepStrictEqual(r.of(running), r.of(next))).map(({ field, why }) => ({ field, why: `cannot change without a restart: ${why}` }));
  const oldLines = new Map(running.lines.map((l) => [l.name, l]));
  const newLines = new Map(next.lines.map((l) => [l.name, l]));
  const oldServers = new Map(running.servers.map((s) => [s.name, s]));
  const newServers = new Map(next.servers.map((s) => [s.name, s]));
  // echo and banner live in the line's codec: a change reopens the line (with a fresh codec).
  const lineKey = (l: LineConfig) => ({ serial: l.serial, protocol: l.protocol, maxBody: l.maxBody, echo: l.echo ?? false, banner: l.banner });
  const serverKey = (s: ServerConfig) => ({ address: s.address, security: securityOf(s.security), maxBody: s.maxBody });
  const changedLines = next.lines.filter((l) => oldLines.has(l.name) && !isDeepStrictEqual(oldLines.get(l.name), l));
  const changedServers = next.servers.filter((s) => oldServers.has(s.name) && !isDeepStrictEqual(serverKeyOf(oldServers.get(s.name)!), serverKeyOf(s)));
  function serverKeyOf(s: ServerConfig) {
    return { ...serverKey(s), slots: s.slots };
  }
  return {
    refused,
    lines: {
      added: next.lines.filter((l) => !oldLines.has(l.name)),
      removed: running.lines.filter((l) => !newLines.has(l.name)).map((l) => l.name),
      reopened: changedLines.filter((l) => !isDeepStrictEqual(lineKey(oldLines.get(l.name)!), lineKey(l))),
      retuned: changedLines.filter((l) => isDeepStrictEqual(lineKey(oldLines.get(l.name)!), lineKey(l))),
    },
    servers: {
      added: next.servers.filter((s) => !oldServers.has(s.name)),
      removed: running.servers.filter((s) => !newServers.has(s.name)).map((s) => s.name),
      replaced: changedServers.filter((s) => !isDeepStrictEqual(serverKey(oldServers.get(s.name)!), serverKey(s))),
      retuned: changedServers.filter((s) => isDeepStrictEqual(serverKey(oldServers.get(s.name)!), serverKey(s))),
    },
    opsChanged: !isDeepStrictEqual([...running.ops].sort(), [...next.ops].sort()) || !isDeepStrictEqual(running.defaultOp, next.defaultOp),
  };
}

/** A key is compared by its file and bytes, so a rotated key file counts as a change. */
function securityOf(s: ServerConfig['security']): unknown {
  return s.kind === 'insecure' ? s : { keyFile: s.keyFile, rehandshake: s.rehandshake, secret: s.keys.masterSecret.toString('hex'), salt: s.keys.masterSalt.toString('hex'), ids: [s.keys.senderId.toString('hex'), s.keys.recipientId.toString('hex')] };
}
