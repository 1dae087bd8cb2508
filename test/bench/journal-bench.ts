// make bench, the journal (issue 11 item 3): what group commit costs per
// request. Each round records `perTurn` fingerprints in one event-loop turn
// (as the router does for the requests of one turn) and waits until they are
// durable. CPU is this process's user + system time per request (the
// kernel's work for the write and the sync included, shared by the turn); latency is
// from the record call to its promise resolving, i.e. what a request waits
// before it may go to a server. On the Pi the state folder is on the SD card
// (or eMMC), whose fdatasync is slower than this machine's disk.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Journal } from '../../src/journal/journal.js';
import { journalFingerprint } from '../../src/dispatch/journal-fingerprint.js';
import { percentile } from '../../src/sim/stats.js';

export async function benchJournal(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'persomux-bench-journal-'));
  console.log(`\nJournal (group commit: one write + fdatasync per event-loop turn; folder ${dir}):`);
  try {
    const journal = await Journal.open({ dir, maintainEveryMs: false });
    let id = 0;
    const body = Buffer.from('a36363736e4704a1b2c3d4e5f6', 'hex');
    // Warm up (JIT, the first segment's pages) before anything is counted.
    for (let r = 0; r < 50; r++) await Promise.all(Array.from({ length: 24 }, () => journal.record(journalFingerprint('warm', id++, 'certificate', body), 10_000)));
    for (const perTurn of [1, 24, 200]) {
      const rounds = perTurn === 1 ? 200 : perTurn === 24 ? 100 : 40;
      const latencies: number[] = [];
      const cpu0 = process.cpuUsage();
      const commits0 = journal.stats.commits;
      for (let r = 0; r < rounds; r++) {
        const t0 = performance.now();
        await Promise.all(
          Array.from({ length: perTurn }, () => journal.record(journalFingerprint(`m${id % 24}`, id++, 'certificate', body), 10_000).then(() => latencies.push(performance.now() - t0))),
        );
      }
      const cpu = process.cpuUsage(cpu0);
      const requests = rounds * perTurn;
      const usPerRequest = (cpu.user + cpu.system) / requests;
      const syncs = (journal.stats.commits - commits0) / rounds;
      console.log(
        `  ${String(perTurn).padStart(3)} per turn   CPU ${usPerRequest.toFixed(1).padStart(6)} us/request   added latency p50 ${(percentile(latencies, 50) ?? NaN).toFixed(2)} ms  p99 ${(percentile(latencies, 99) ?? NaN).toFixed(2)} ms   (${syncs.toFixed(1)} sync per turn, ${requests} requests)`,
      );
    }
    await journal.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
