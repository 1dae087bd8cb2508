// A data server on loopback with a sealed listener, and a real router that
// links up to it only when the test says so: so the door can be crowded by
// hostile clients first, and the test can watch the router get in anyway.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../../src/config/load.js';
import { DataServer, type DataServerOptions } from '../../../src/dataserver/dataserver.js';
import { loadLinkKeys, writeKeyPair, type LinkKeys } from '../../../src/keys/link-key-file.js';
import { createLogger } from '../../../src/log/logger.js';
import { Router } from '../../../src/router/router.js';
import { ptyPairs, scratchDir, type PtyPair } from '../../../src/sim/pty-pair.js';
import { StationPeer } from '../../support/station-peer.js';
import { waitFor } from '../../support/wait.js';

export class DoorSite {
  readonly serverLog: string[] = [];
  readonly routerLog: string[] = [];
  server!: DataServer;
  port = 0;
  router: Router | undefined;
  station: StationPeer | undefined;
  /** The kid a router sends in its `open`: what a sniffing client would copy. */
  routerKid!: Buffer;
  private pair: PtyPair | undefined;
  private readonly scratch = scratchDir('door');
  private routerKeyFile = '';

  async startServer(options: Partial<DataServerOptions> = {}): Promise<this> {
    this.routerKeyFile = join(this.scratch.dir, 'router.key');
    const serverKeyFile = join(this.scratch.dir, 'server.key');
    writeKeyPair(this.routerKeyFile, serverKeyFile, Buffer.of(0x11), Buffer.of(0x22));
    const keys: LinkKeys = loadLinkKeys(serverKeyFile);
    this.routerKid = keys.recipientId;
    this.server = new DataServer({
      name: 'ds1',
      slots: 2,
      serviceTime: { kind: 'fixed', ms: 1 },
      security: { kind: 'sealed', candidates: [{ keyFile: serverKeyFile, keys }] },
      seed: 1,
      log: createLogger({ level: 'debug', write: (l) => this.serverLog.push(l) }),
      ...options,
    });
    this.port = await this.server.listen('127.0.0.1', 0);
    return this;
  }

  /** The router links up; resolves once the server is available to it and a station is on its line. */
  async startRouter(timeoutMs = 10_000): Promise<void> {
    this.pair = (await ptyPairs(this.scratch.dir, ['l1'])).get('l1')!;
    const file = join(this.scratch.dir, 'router.json');
    writeFileSync(
      file,
      JSON.stringify({
        router: 'door-box',
        defaults: { pingIntervalMs: 200 },
        lines: [{ name: 'l1', path: this.pair.routerPath }],
        servers: [{ name: 'ds1', tcp: `127.0.0.1:${this.port}`, keyFile: this.routerKeyFile, slots: 2 }],
        ops: { echo: { ttlMs: 3000 } },
      }),
    );
    this.router = new Router(loadConfig(file), createLogger({ level: 'debug', write: (l) => this.routerLog.push(l) }));
    this.router.start();
    await waitFor('the router linked up to ds1 and its line open', () => {
      const s = this.router!.snapshot();
      return s.lines.every((l) => l.phase === 'open') && s.dispatch.servers.some((x) => x.available);
    }, timeoutMs);
    this.station = await new StationPeer(this.pair.peerPath).open();
  }

  async stop(): Promise<void> {
    await this.station?.close();
    this.router?.stop();
    await this.server?.close();
    await this.pair?.kill();
    this.scratch.remove();
  }
}
