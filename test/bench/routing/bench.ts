// make bench, parts (a), (b), (c), (e): the router as a process of its own on
// socat ptys against data servers on loopback, measured from outside (/proc),
// beside two thin forwarders (forwarder.ts) on the same ptys and servers in
// the same run. Everything runs compiled (tsc into bench-results/dist), as on
// the appliance; the stations are this bench process (load.ts).
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ptyPairs, scratchDir, type PtyPair } from '../../../src/sim/pty-pair.js';
import { percentile } from '../../../src/sim/stats.js';
import { RESULTS_DIR } from '../results.js';
import { DirectLink, StationLoad } from './load.js';
import { cpuMicros, freePort, rssBytes, sleep, startChild, until, type Child } from './processes.js';

export type Variant = 'router' | 'serialport forwarder' | 'tty forwarder';
export const VARIANTS: readonly Variant[] = ['router', 'serialport forwarder', 'tty forwarder'];

const DIST = join(RESULTS_DIR, 'dist');

/** bin/router-node-flags: the Node flags the appliance runs the router with. */
export function routerNodeFlags(): string[] {
  return readFileSync('bin/router-node-flags', 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('#'))
    .flatMap((l) => l.trim().split(/\s+/));
}
const MAIN = join(DIST, 'src/cli/main.js');
const FORWARDER = join(DIST, 'test/bench/routing/forwarder.js');

export interface BenchOptions {
  /** Seconds of each measured window. */
  readonly windowS: number;
  /** Seconds of the memory soak (e). */
  readonly soakS: number;
  readonly lineCounts: readonly number[];
  readonly outstanding: number;
  /** Only (a) and (e): skip the latency (b) and saturation (c) parts (routing-only runs while tuning). */
  readonly cpuOnly?: boolean;
  /**
   * (a) runs the variants in turn this many times per line count: on a
   * shared machine the cost of everything drifts by 20-50% within minutes,
   * so a ratio is only fair between measurements taken side by side; the
   * figures are the medians over the rounds, the ratio the median of each
   * round's own ratio.
   */
  readonly rounds?: number;
}

export interface CpuFigure {
  readonly variant: Variant;
  /** Each round's CPU us per request, in order (the figures below are their medians). */
  readonly rounds?: readonly number[];
  readonly lines: number;
  readonly requestsPerS: number;
  readonly cpuMicrosPerRequest: number;
  /** Share of one core the process used. */
  readonly cpuShare: number;
  readonly rssMB: number;
}

interface Server {
  readonly child: Child;
  readonly port: number;
}

function compile(): void {
  const r = spawnSync('npx', ['tsc', '-p', 'test/bench/routing/tsconfig.json'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`compiling for the bench failed:\n${r.stdout}${r.stderr}`);
}

async function dataServer(slots: number, serviceTime: string): Promise<Server> {
  const port = await freePort();
  const child = await startChild(process.execPath, [MAIN, 'dataserver', '--insecure', '--listen', `127.0.0.1:${port}`, '--slots', String(slots), '--service-time', serviceTime, '--log-level', 'info'], /dataserver\.listening/);
  return { child, port };
}

async function startVariant(variant: Variant, pairs: readonly PtyPair[], servers: readonly Server[], dir: string): Promise<Child> {
  const paths = pairs.map((p) => p.routerPath);
  if (variant === 'router') {
    const config = {
      router: 'bench',
      lines: paths.map((path, i) => ({ name: `l${i + 1}`, path })),
      servers: servers.map((s, i) => ({ name: `ds${i + 1}`, tcp: `127.0.0.1:${s.port}`, insecure: true, slots: 64 })),
      ops: { echo: { ttlMs: 10_000, retry: true } },
      status: { listen: '127.0.0.1:0' },
      stateDir: join(dir, `state-${paths.length}`),
    };
    const file = join(dir, `router-${paths.length}.json`);
    writeFileSync(file, JSON.stringify(config, null, 2));
    // The router runs with the flags bin/persomux gives it on the appliance, then BENCH_ROUTER_NODE_ARGS:
    // e.g. '--cpu-prof --cpu-prof-dir=bench-results/profiles' to profile the router under this load.
    const nodeArgs = [...routerNodeFlags(), ...(process.env.BENCH_ROUTER_NODE_ARGS?.split(' ').filter(Boolean) ?? [])];
    const child = await startChild(process.execPath, [...nodeArgs, MAIN, 'run', '--config', file, '--log-level', 'info'], /router\.start/);
    const available = (): number => (child.output.match(/server\.available/g) ?? []).length;
    if (!(await until(() => available() >= servers.length, 20_000))) throw new Error(`the router's servers did not become available:\n${child.output}`);
    return child;
  }
  const io = variant === 'tty forwarder' ? 'tty' : 'serialport';
  return startChild(process.execPath, [FORWARDER, io, servers.map((s) => `127.0.0.1:${s.port}`).join(','), ...paths], /^ready$/m);
}

/** (a): a variant at full load, `outstanding` requests per line: CPU per request from the process's own CPU time. */
async function measureCpu(variant: Variant, pairs: readonly PtyPair[], servers: readonly Server[], dir: string, o: BenchOptions, soak?: (child: Child, load: StationLoad) => Promise<void>): Promise<CpuFigure> {
  const child = await startVariant(variant, pairs, servers, dir);
  const load = new StationLoad(pairs.map((p) => p.peerPath));
  try {
    load.open();
    if (!(await load.probe(15_000))) throw new Error(`${variant}: not every line answered`);
    load.saturate(o.outstanding);
    await sleep(2_000); // warm up (JIT, buffers)
    const cpu0 = cpuMicros(child.pid);
    const n0 = load.answered;
    const t0 = performance.now();
    await sleep(o.windowS * 1000);
    const cpu1 = cpuMicros(child.pid);
    const n1 = load.answered;
    const seconds = (performance.now() - t0) / 1000;
    const figure: CpuFigure = {
      variant,
      lines: pairs.length,
      requestsPerS: (n1 - n0) / seconds,
      cpuMicrosPerRequest: (cpu1 - cpu0) / (n1 - n0),
      cpuShare: (cpu1 - cpu0) / 1e6 / seconds,
      rssMB: rssBytes(child.pid) / 1e6,
    };
    if (soak) await soak(child, load);
    load.stop();
    await until(() => load.inFlight === 0, 5_000);
    if (load.failed > 0) throw new Error(`${variant}: ${load.failed} requests answered with an error`);
    return figure;
  } finally {
    load.close();
    await child.stop();
  }
}

/** (b): one line, one request at a time with a pause: round trips through the variant and over a direct TCP link. */
async function measureLatency(variant: Variant | 'direct', pair: PtyPair, servers: readonly Server[], dir: string, seconds: number): Promise<{ p50: number; p99: number; n: number }> {
  if (variant === 'direct') {
    const link = new DirectLink();
    await link.open('127.0.0.1', servers[0]!.port);
    link.trickle(5);
    await sleep(seconds * 1000);
    link.stop();
    await until(() => link.inFlight === 0, 5_000);
    link.close();
    const samples = link.latenciesMs.slice(20); // warm-up
    return { p50: percentile(samples, 50)!, p99: percentile(samples, 99)!, n: samples.length };
  }
  const child = await startVariant(variant, [pair], servers, dir);
  const load = new StationLoad([pair.peerPath]);
  try {
    load.open();
    if (!(await load.probe(15_000))) throw new Error(`${variant}: the line did not answer`);
    load.trickle(5);
    await sleep(seconds * 1000);
    load.stop();
    await until(() => load.inFlight === 0, 5_000);
    const samples = load.latenciesMs.slice(20);
    return { p50: percentile(samples, 50)!, p99: percentile(samples, 99)!, n: samples.length };
  } finally {
    load.close();
    await child.stop();
  }
}

export interface RoutingFigures {
  readonly cpu: readonly CpuFigure[];
  readonly latency: Record<string, { p50: number; p99: number; n: number }>;
  readonly saturation?: { readonly capacityPerS: number; readonly directPerS: number; readonly requestsPerS: number; readonly share: number; readonly shareOfDirect: number; readonly lines: number };
  readonly memory?: { readonly lines: number; readonly seconds: number; readonly samplesMB: readonly number[]; readonly startMB: number; readonly endMB: number; readonly maxMB: number };
}

export async function routingBench(o: BenchOptions, log: (line: string) => void, variants: readonly Variant[] = VARIANTS): Promise<RoutingFigures> {
  compile();
  const scratch = scratchDir('bench');
  const maxLines = Math.max(...o.lineCounts);
  const names = Array.from({ length: maxLines }, (_, i) => `l${i + 1}`);
  let pairs: PtyPair[] = [];
  const servers: Server[] = [];
  const f = (n: number, digits = 0): string => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
  try {
    const byName = await ptyPairs(scratch.dir, names);
    pairs = names.map((n) => byName.get(n)!);
    servers.push(await dataServer(64, '0'), await dataServer(64, '0'));

    log(`\nRouting (a): CPU per routed request, measured from each process's own CPU time (/proc), ${o.outstanding} requests in flight per line,`);
    log(`${o.windowS} s windows after 2 s of warm-up; socat ptys, 2 data servers on loopback (plaintext, zero service time, 64 slots), compiled JS.\n`);
    log(`  ${'variant'.padEnd(26)} ${'lines'.padStart(5)} ${'requests/s'.padStart(11)} ${'CPU us/request'.padStart(15)} ${'CPU share'.padStart(10)} ${'RSS MB'.padStart(7)}   ratio to tty forwarder`);
    const cpu: CpuFigure[] = [];
    let memory: RoutingFigures['memory'];
    const rounds = Math.max(1, o.rounds ?? 1);
    for (const lines of o.lineCounts) {
      const perRound: CpuFigure[][] = [];
      for (let round = 0; round < rounds; round++) {
        const measured: CpuFigure[] = [];
        for (const variant of variants) {
          const soakHere = variant === 'router' && lines === maxLines && round === rounds - 1 && o.soakS > 0;
          const figure = await measureCpu(variant, pairs.slice(0, lines), servers, scratch.dir, o, soakHere ? async (child) => {
            const samples: number[] = [];
            const end = Date.now() + o.soakS * 1000;
            while (Date.now() < end) {
              samples.push(rssBytes(child.pid) / 1e6);
              await sleep(5_000);
            }
            samples.push(rssBytes(child.pid) / 1e6);
            memory = { lines, seconds: o.soakS, samplesMB: samples, startMB: samples[0]!, endMB: samples.at(-1)!, maxMB: Math.max(...samples) };
          } : undefined);
          measured.push(figure);
          const tty = measured.find((c) => c.variant === 'tty forwarder');
          const ratio = tty && variant !== 'tty forwarder' ? `x${f(figure.cpuMicrosPerRequest / tty.cpuMicrosPerRequest, 2)}` : '';
          const label = rounds > 1 ? `${variant} (${round + 1}/${rounds})` : variant;
          log(`  ${label.padEnd(26)} ${String(lines).padStart(5)} ${f(figure.requestsPerS).padStart(11)} ${f(figure.cpuMicrosPerRequest).padStart(15)} ${`${f(figure.cpuShare * 100)}%`.padStart(10)} ${f(figure.rssMB).padStart(7)}   ${ratio}`);
        }
        perRound.push(measured);
        // The tty forwarder runs last in each round: give the ratios of the others now.
        const tty = measured.find((c) => c.variant === 'tty forwarder');
        if (tty) log(`  ${''.padEnd(26)} ${''.padStart(5)} ratios to the tty forwarder: ${measured.filter((c) => c !== tty).map((c) => `${c.variant} x${f(c.cpuMicrosPerRequest / tty.cpuMicrosPerRequest, 2)}`).join(', ')}`);
      }
      for (const variant of variants) {
        const each = perRound.map((m) => m.find((c) => c.variant === variant)!);
        const median = (pick: (c: CpuFigure) => number): number => percentile(each.map(pick), 50)!;
        cpu.push({ variant, lines, rounds: each.map((c) => c.cpuMicrosPerRequest), requestsPerS: median((c) => c.requestsPerS), cpuMicrosPerRequest: median((c) => c.cpuMicrosPerRequest), cpuShare: median((c) => c.cpuShare), rssMB: Math.max(...each.map((c) => c.rssMB)) });
      }
      if (rounds > 1 && variants.includes('tty forwarder')) {
        const ratios = variants.filter((v) => v !== 'tty forwarder').map((v) => {
          const each = perRound.map((m) => m.find((c) => c.variant === v)!.cpuMicrosPerRequest / m.find((c) => c.variant === 'tty forwarder')!.cpuMicrosPerRequest);
          return `${v} x${f(percentile(each, 50)!, 2)} (rounds ${each.map((r) => f(r, 2)).join(', ')})`;
        });
        log(`  ${''.padEnd(26)} ${''.padStart(5)} median over ${rounds} rounds, ratios to the tty forwarder: ${ratios.join('; ')}`);
      }
    }
    if (memory) {
      log(`\nRouting (e): the router's resident memory with ${memory.lines} lines under full load for ${memory.seconds} s: ${f(memory.startMB)} MB at the start, ${f(memory.endMB)} MB at the end, ${f(memory.maxMB)} MB at most (growth ${f(memory.endMB - memory.startMB, 1)} MB)`);
    }

    const latency: RoutingFigures['latency'] = {};
    if (o.cpuOnly) return { cpu, latency, ...(memory ? { memory } : {}) };
    log('\nRouting (b): round trip at light load (one line, one request at a time, 5 ms apart), 8 s each:');
    for (const v of ['direct', ...variants] as const) {
      latency[v] = await measureLatency(v, pairs[0]!, servers, scratch.dir, 8);
      const l = latency[v]!;
      const added = v === 'direct' ? '' : `   added to the direct link: p50 ${f(l.p50 - latency.direct!.p50, 2)} ms`;
      log(`  ${(v === 'direct' ? 'direct TCP to the server' : `${v} (pty + TCP)`).padEnd(32)} p50 ${f(l.p50, 2)} ms  p99 ${f(l.p99, 2)} ms  (${l.n} requests)${added}`);
    }

    let saturation: RoutingFigures['saturation'];
    if (variants.includes('router')) {
      // (c): servers that are the bottleneck: 2 x 4 slots x 20 ms = 400 requests/s.
      const slow = [await dataServer(4, '20'), await dataServer(4, '20')];
      servers.push(...slow);
      const lines = Math.min(24, maxLines);
      const capacityPerS = (2 * 4 * 1000) / 20;
      const figure = await measureCpu('router', pairs.slice(0, lines), slow, scratch.dir, o);
      // What these servers deliver on this machine when fed directly, exactly their slots in flight (timers fire late on a busy machine).
      const direct = await Promise.all(slow.map(async (s) => {
        const link = new DirectLink();
        await link.open('127.0.0.1', s.port);
        return link;
      }));
      for (const link of direct) link.saturate(4);
      await sleep(2_000);
      const d0 = direct.reduce((n, l) => n + l.answeredCount, 0);
      const t0 = performance.now();
      await sleep(o.windowS * 1000);
      const directPerS = (direct.reduce((n, l) => n + l.answeredCount, 0) - d0) / ((performance.now() - t0) / 1000);
      for (const link of direct) {
        link.stop();
        link.close();
      }
      saturation = { capacityPerS, directPerS, requestsPerS: figure.requestsPerS, share: figure.requestsPerS / capacityPerS, shareOfDirect: figure.requestsPerS / directPerS, lines };
      log(`\nRouting (c): saturated servers (2 x 4 slots, 20 ms fixed: ${capacityPerS} requests/s nominal), ${lines} lines x ${o.outstanding}: the router delivers ${f(figure.requestsPerS)} requests/s,`);
      log(`  ${f(saturation.share * 100, 1)}% of the nominal capacity and ${f(saturation.shareOfDirect * 100, 1)}% of the ${f(directPerS)} requests/s the same servers deliver fed directly (4 in flight each) on this machine`);
    }
    return { cpu, latency, ...(saturation ? { saturation } : {}), ...(memory ? { memory } : {}) };
  } finally {
    for (const s of servers) await s.child.stop();
    for (const p of pairs) await p.kill();
    scratch.remove();
  }
}
