// The simulated site: reference data servers on loopback TCP, station lines
// on socat pseudo-terminals, and the real router between them, reading a real
// configuration file written for the run.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../config/load.js';
import { DataServer } from '../dataserver/dataserver.js';
import type { ServiceTime } from '../dataserver/service-time.js';
import type { Logger } from '../log/logger.js';
import { Router } from '../router/router.js';
import { PtyPair, ptyPairs, scratchDir } from './pty-pair.js';
import { SimStation } from './sim-station.js';
import { Counter } from './stats.js';

export interface SimOptions {
  readonly machines: number;
  readonly stationsPerMachine: number;
  readonly servers: number;
  readonly slots: number;
  readonly serviceTime: ServiceTime;
  readonly seconds: number;
  readonly chipMs: number;
  readonly retransmitMs: number;
  readonly seed: number;
}

export const DEFAULT_SIM: SimOptions = {
  machines: 4,
  stationsPerMachine: 6,
  servers: 2,
  slots: 4,
  serviceTime: { kind: 'exp', meanMs: 40 },
  seconds: 30,
  chipMs: 5,
  retransmitMs: 2_000,
  seed: 1,
};

export interface Progress {
  readonly elapsedS: number;
  readonly cards: number;
  readonly requests: number;
  readonly queued: number;
  readonly servers: readonly { name: string; busy: number; slots: number }[];
}

export interface SimResult {
  readonly options: SimOptions;
  readonly configFile: string;
  readonly elapsedS: number;
  readonly stations: readonly SimStation[];
  readonly waitsMs: readonly number[];
  readonly roundTripsMs: readonly number[];
  readonly routerErrors: Counter<string>;
  readonly served: Counter<string>;
}

export const stationName = (machine: number, station: number): string => `m${machine}-s${station}`;

export async function runSimulation(options: SimOptions, log: Logger, onProgress: (p: Progress) => void): Promise<SimResult> {
  const scratch = scratchDir('sim');
  const servers: DataServer[] = [];
  const names: string[] = [];
  for (let m = 1; m <= options.machines; m++) for (let s = 1; s <= options.stationsPerMachine; s++) names.push(stationName(m, s));
  let pairs = new Map<string, PtyPair>();
  let router: Router | undefined;
  const stations: SimStation[] = [];
  try {
    const ports: number[] = [];
    for (let i = 1; i <= options.servers; i++) {
      const ds = new DataServer({ name: `ds${i}`, slots: options.slots, serviceTime: options.serviceTime, seed: options.seed + i, log: log.child({ ds: `ds${i}` }) });
      ports.push(await ds.listen('127.0.0.1', 0));
      servers.push(ds);
    }
    pairs = await ptyPairs(scratch.dir, names);
    const configFile = join(scratch.dir, 'router.json');
    writeFileSync(
      configFile,
      JSON.stringify(
        {
          router: 'sim-box',
          lines: names.map((name) => ({ name, path: pairs.get(name)!.routerPath })),
          servers: ports.map((port, i) => ({ name: `ds${i + 1}`, tcp: `127.0.0.1:${port}`, slots: options.slots, insecure: true })),
          ops: { echo: { ttlMs: 10_000, retry: true } },
        },
        null,
        2,
      ),
    );
    router = new Router(loadConfig(configFile), log);
    const waits: number[] = [];
    const roundTrips: number[] = [];
    const routerErrors = new Counter<string>();
    const served = new Counter<string>();
    router.onNote((n) => {
      if (n.event === 'dispatched') {
        waits.push(n.waitMs);
        served.add(n.server);
      } else if (n.event === 'answered') {
        roundTrips.push(n.totalMs);
        if (n.outcome !== 'ok') routerErrors.add(n.outcome);
      } else if (n.event === 'rejected') {
        routerErrors.add(n.code);
      }
    });
    router.start();
    await waitUntil(() => [...router!.status().lineStates.values()].every((s) => s === 'open') && router!.status().servers.every((s) => s.available) && router!.status().servers.length === options.servers, 10_000);

    names.forEach((name, i) =>
      stations.push(new SimStation({ name, path: pairs.get(name)!.peerPath, chipMs: options.chipMs, retransmitMs: options.retransmitMs, idBase: (i + 1) * 10_000_000 })),
    );
    // Every station opens at once, as when a machine is switched on.
    await Promise.all(stations.map((s) => s.start()));
    const started = Date.now();
    const ticker = setInterval(() => {
      const status = router!.status();
      onProgress({
        elapsedS: (Date.now() - started) / 1000,
        cards: stations.reduce((n, s) => n + s.cards, 0),
        requests: stations.reduce((n, s) => n + s.requests, 0),
        queued: [...status.queued.values()].reduce((a, b) => a + b, 0),
        servers: status.servers.map((s) => ({ name: s.name, busy: s.busy, slots: s.slots })),
      });
    }, 1000);
    await new Promise((r) => setTimeout(r, options.seconds * 1000));
    clearInterval(ticker);
    const elapsedS = (Date.now() - started) / 1000;
    await Promise.all(stations.map((s) => s.stop()));
    return { options, configFile, elapsedS, stations, waitsMs: waits, roundTripsMs: roundTrips, routerErrors, served };
  } finally {
    router?.stop();
    for (const ds of servers) await ds.close();
    for (const p of pairs.values()) await p.kill();
    scratch.remove();
  }
}

async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error('the simulated site did not come up: lines or data servers are not ready');
    await new Promise((r) => setTimeout(r, 20));
  }
}
