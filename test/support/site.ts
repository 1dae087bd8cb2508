// A small real site for scenario tests: reference data servers on loopback
// TCP, station lines on socat ptys, and the real router reading a real
// configuration file.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load.js';
import { DataServer, type DataServerSecurity } from '../../src/dataserver/dataserver.js';
import { loadLinkKeys, writeKeyPair } from '../../src/keys/link-key-file.js';
import { TamperProxy } from './tamper-proxy.js';
import type { ServiceTime } from '../../src/dataserver/service-time.js';
import type { OpHandler } from '../../src/dataserver/ops/op.js';
import type { KeyStore } from '../../src/dataserver/crypto/key-store.js';
import { createLogger, type Logger } from '../../src/log/logger.js';
import { Router } from '../../src/router/router.js';
import { PtyPair, ptyPairs, scratchDir } from '../../src/sim/pty-pair.js';
import { StationPeer } from './station-peer.js';
import { waitFor } from './wait.js';

export interface SiteOptions {
  lines?: readonly { name: string; protocol?: 'native' | 'ascii'; maxOutstanding?: number }[];
  servers?: readonly {
    name: string;
    slots: number;
    serviceTime?: ServiceTime;
    ops?: ReadonlyMap<string, OpHandler>;
    keyStore?: KeyStore;
    link?: 'tcp' | 'serial';
    proxy?: boolean;
  }[];
  /** How many servers must be available before the site counts as started (default: all). */
  expectServers?: number;
  /** Seal every server link with a fresh key pair (PROTOCOL.md 3). */
  sealed?: boolean;
  /** The re-handshake schedule of sealed links (cron, seconds allowed). */
  rehandshake?: string;
  /** Called with each server's fresh key files before anything starts, to spoil them for a test. */
  editKeys?: (files: { router: string; server: string }) => void;
  ops?: Record<string, { ttlMs?: number; retry?: boolean }>;
  pingIntervalMs?: number;
}

export class Site {
  readonly logLines: string[] = [];
  readonly log: Logger = createLogger({ level: 'debug', write: (l) => this.logLines.push(l) });
  readonly dataServers = new Map<string, DataServer>();
  readonly stations = new Map<string, StationPeer>();
  readonly proxies = new Map<string, TamperProxy>();
  readonly keyFiles = new Map<string, { router: string; server: string }>();
  pairs = new Map<string, PtyPair>();
  router!: Router;
  configFile = '';
  private scratch = scratchDir('site');

  constructor(readonly options: SiteOptions) {}

  /** Starts the site; if any part fails, what did start is stopped again (no stray socat or server). */
  async start(): Promise<this> {
    try {
      return await this.startParts();
    } catch (e) {
      await this.stop().catch(() => {});
      throw e;
    }
  }

  private async startParts(): Promise<this> {
    const lines = this.options.lines ?? [{ name: 'l1' }];
    const servers = this.options.servers ?? [{ name: 'ds1', slots: 2 }];
    const ports = new Map<string, number>();
    const serialServers = servers.filter((s) => s.link === 'serial').map((s) => `server-${s.name}`);
    this.pairs = await ptyPairs(this.scratch.dir, [...lines.map((l) => l.name), ...serialServers]);
    for (const s of servers) {
      let security: DataServerSecurity = { kind: 'insecure' };
      if (this.options.sealed) {
        const files = { router: join(this.scratch.dir, `${s.name}.router.key`), server: join(this.scratch.dir, `${s.name}.server.key`) };
        writeKeyPair(files.router, files.server, Buffer.of(1), Buffer.of(2));
        this.options.editKeys?.(files);
        this.keyFiles.set(s.name, files);
        security = { kind: 'sealed', candidates: [{ keyFile: files.server, keys: loadLinkKeys(files.server) }] };
      }
      const ds = new DataServer({ name: s.name, slots: s.slots, serviceTime: s.serviceTime ?? { kind: 'fixed', ms: 5 }, ops: s.ops, keyStore: s.keyStore, security, seed: 1, log: this.log.child({ ds: s.name }) });
      if (s.link === 'serial') {
        await ds.openSerial({ path: this.pairs.get(`server-${s.name}`)!.peerPath, baudRate: 115200, dataBits: 8, parity: 'none', stopBits: 1, rtscts: false });
      } else {
        const port = await ds.listen('127.0.0.1', 0);
        if (s.proxy) {
          const proxy = new TamperProxy(port);
          this.proxies.set(s.name, proxy);
          ports.set(s.name, await proxy.listen());
        } else {
          ports.set(s.name, port);
        }
      }
      this.dataServers.set(s.name, ds);
    }
    this.configFile = join(this.scratch.dir, 'router.json');
    const config = {
      router: 'test-box',
      defaults: { pingIntervalMs: this.options.pingIntervalMs ?? 200 },
      lines: lines.map((l) => ({ name: l.name, path: this.pairs.get(l.name)!.routerPath, protocol: l.protocol ?? 'native', ...(l.maxOutstanding ? { maxOutstanding: l.maxOutstanding } : {}) })),
      servers: servers.map((s) => ({
        name: s.name,
        ...(s.link === 'serial' ? { serial: this.pairs.get(`server-${s.name}`)!.routerPath } : { tcp: `127.0.0.1:${ports.get(s.name)}` }),
        slots: s.slots,
        ...(this.options.sealed
          ? { keyFile: this.keyFiles.get(s.name)!.router, ...(this.options.rehandshake ? { rehandshake: this.options.rehandshake } : {}) }
          : { insecure: true }),
      })),
      ops: this.options.ops ?? { echo: { ttlMs: 3000, retry: true } },
    };
    writeFileSync(this.configFile, JSON.stringify(config, null, 2));
    this.router = new Router(loadConfig(this.configFile), this.log);
    this.router.start();
    await waitFor('every line open and every expected server available', () => {
      const s = this.router.snapshot();
      return s.lines.every((l) => l.phase === 'open') && s.dispatch.servers.filter((x) => x.available).length === (this.options.expectServers ?? servers.length);
    });
    for (const l of lines) this.stations.set(l.name, await new StationPeer(this.pairs.get(l.name)!.peerPath, l.protocol).open());
    return this;
  }

  station(name = 'l1'): StationPeer {
    return this.stations.get(name)!;
  }

  dataServer(name = 'ds1'): DataServer {
    return this.dataServers.get(name)!;
  }

  async stop(): Promise<void> {
    for (const s of this.stations.values()) await s.close();
    this.router?.stop();
    for (const ds of this.dataServers.values()) await ds.close();
    for (const p of this.proxies.values()) await p.close();
    for (const p of this.pairs.values()) await p.kill();
    this.scratch.remove();
  }
}
