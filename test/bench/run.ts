// make bench: figures, not assertions. Prints what the core does per second
// on this machine, and what the whole router does through real ptys.
import { performance } from 'node:perf_hooks';
import { Dispatcher } from '../../src/dispatch/dispatcher.js';
import { silentLogger } from '../../src/log/logger.js';
import { DEFAULT_SIM, runSimulation } from '../../src/sim/sim.js';
import { percentile } from '../../src/sim/stats.js';
import { encodeCbor } from '../../src/wire/cbor.js';
import { encodeFrame } from '../../src/wire/frame.js';
import { encodeMessage } from '../../src/wire/messages.js';
import { NativeCodec } from '../../src/wire/station-codec.js';
import { exampleContexts } from '../../src/secure/worked-example.js';
import { SecureSession } from '../../src/secure/session.js';
import { capacityBench } from './capacity.js';
import { routingBench } from './routing/bench.js';
import { machine, saveResults } from './results.js';
import { benchJournal } from './journal-bench.js';

function rate(label: string, n: number, body: () => void): void {
  body(); // warm up
  const t0 = performance.now();
  for (let i = 0; i < n; i++) body();
  const s = (performance.now() - t0) / 1000;
  console.log(`${label.padEnd(52)} ${Math.round(n / s).toLocaleString('en-US').padStart(12)} /s`);
}

const body = encodeCbor({ csn: Buffer.from('04a1b2c3d4e5f6', 'hex'), hostChallenge: Buffer.alloc(8, 1), cardChallenge: Buffer.alloc(8, 2) });
const frame = encodeFrame(encodeMessage({ t: 'req', id: 12345, op: 'session-keys', body }));
const codec = new NativeCodec(4096);
console.log(`persomux bench (node ${process.version}, ${frame.length}-byte request frame)\n`);
rate('encode a request frame (CBOR + CRC + COBS)', 200_000, () => encodeFrame(encodeMessage({ t: 'req', id: 12345, op: 'session-keys', body })));
rate('decode a request frame (reader + parse)', 200_000, () => codec.push(frame));

const contexts = exampleContexts();
const router = new SecureSession(contexts.router);
const server = new SecureSession(contexts.server);
const plaintext = encodeMessage({ t: 'req', id: 12345, op: 'session-keys', body, station: 'box-1/m1-s1', ttl: 5000 });
rate('seal + open a request (OSCORE, AES-CCM-16-64-128)', 100_000, () => server.unseal(router.seal(plaintext)));

const d = new Dispatcher({ ops: new Map([['echo', { ttlMs: 10_000, retry: true }]]), defaultPolicy: { ttlMs: 10_000, retry: false }, routerName: 'b', startedAt: 0, maxServerBody: 4096, maxTtlMs: 3_600_000 });
for (let i = 0; i < 24; i++) {
  d.addLine(`l${i}`, { maxOutstanding: 8 });
  d.lineUp(`l${i}`);
}
d.serverConnected('s', 0);
d.serverReady('s', 8, ['echo'], 0);
let id = 0;
let now = 0;
rate('dispatcher: request -> server -> answer (24 lines)', 200_000, () => {
  id = (id + 1) >>> 0;
  const out = d.request(`l${id % 24}`, { id, op: 'echo', body }, ++now);
  for (const e of out) if (e.kind === 'to-server' && e.msg.t === 'req') d.serverAnswer('s', e.msg.id, { ok: true, body }, now);
});

await (await import('./status.js')).benchStatus(rate);
await benchJournal();

console.log('\nEnd to end: 24 stations on socat ptys personalizing virtual cards (real SCP03 and ECDSA on both sides),\n2 in-process data servers x 4 slots with a file key store, sealed links, no added service time, 10 s, all in this one process ...');
const mem0 = process.memoryUsage().rss;
const r = await runSimulation({ ...DEFAULT_SIM, seconds: 10, serviceTime: { kind: 'fixed', ms: 0 }, chipMs: 0 }, silentLogger, () => {});
const requests = r.stations.reduce((n, s) => n + s.requests, 0);
console.log(`  requests answered       ${Math.round(requests / r.elapsedS).toLocaleString('en-US')} /s`);
console.log(`  request to answer       p50 ${percentile(r.roundTripsMs, 50)} ms  p99 ${percentile(r.roundTripsMs, 99)} ms (router clock, ms resolution)`);
console.log(`  wait for a server       p50 ${percentile(r.waitsMs, 50)} ms  p99 ${percentile(r.waitsMs, 99)} ms`);
console.log(`  wrong-station answers   ${r.stations.reduce((n, s) => n + s.foreign, 0)}`);
console.log(`  process RSS             ${Math.round(mem0 / 1e6)} MB before, ${Math.round(process.memoryUsage().rss / 1e6)} MB after (router, servers and stations in one process)`);

// Capacity: size against the simulator, dynamic against static binding (test/bench/capacity.ts).
const capacity = await capacityBench(Number(process.env.BENCH_CAPACITY_SECONDS ?? 20), console.log);
console.log(`\n  (machine: ${JSON.stringify(machine())}; figures written to ${saveResults('capacity', capacity)})`);

// Routing: the router as its own process against thin forwarders, latency, saturation, memory (test/bench/routing/).
const routing = await routingBench(
  {
    windowS: Number(process.env.BENCH_WINDOW_SECONDS ?? 10),
    soakS: Number(process.env.BENCH_SOAK_SECONDS ?? 180),
    lineCounts: [24, 32],
    outstanding: 2,
    rounds: Number(process.env.BENCH_ROUNDS ?? 3),
  },
  console.log,
);
console.log(`\n  (figures written to ${saveResults('routing', routing)})`);
