// The routing part of `make bench` alone (a few minutes instead of ~8):
//   node --import tsx test/bench/routing/only.ts
// BENCH_LINES=24,32 (line counts), BENCH_VARIANTS=router,tty (which variants;
// the default is all three), BENCH_WINDOW_SECONDS, BENCH_SOAK_SECONDS (default
// 30 here), BENCH_CPU_ONLY=1 (skip the latency (b) and saturation (c) parts),
// BENCH_ROUNDS (3: the variants of (a) in turn, medians reported).
import { loadavg } from 'node:os';
import { machine, saveResults } from '../results.js';
import { routingBench, VARIANTS, type Variant } from './bench.js';

const short: Record<string, Variant> = { router: 'router', serialport: 'serialport forwarder', tty: 'tty forwarder' };
const variants = process.env.BENCH_VARIANTS
  ? process.env.BENCH_VARIANTS.split(',').map((v) => {
    const variant = short[v.trim()];
    if (!variant) throw new Error(`BENCH_VARIANTS: unknown variant "${v}" (router, serialport, tty)`);
    return variant;
  })
  : VARIANTS;
const lineCounts = (process.env.BENCH_LINES ?? '24,32').split(',').map(Number);
console.log(`routing bench alone; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
const routing = await routingBench(
  {
    windowS: Number(process.env.BENCH_WINDOW_SECONDS ?? 10),
    soakS: Number(process.env.BENCH_SOAK_SECONDS ?? 30),
    lineCounts,
    outstanding: 2,
    cpuOnly: process.env.BENCH_CPU_ONLY === '1',
    rounds: Number(process.env.BENCH_ROUNDS ?? 3),
  },
  console.log,
  // The tty forwarder last in each group: the ratios are printed after it.
  VARIANTS.filter((v) => variants.includes(v)),
);
console.log(`\n  (load average at the end ${loadavg().map((l) => l.toFixed(2)).join(' ')}; machine ${JSON.stringify(machine())}; figures written to ${saveResults('routing-only', routing)})`);
