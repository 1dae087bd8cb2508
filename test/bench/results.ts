// Where `make bench` keeps its figures: one JSON file per part under
// bench-results/ (git ignores it), each with the machine it ran on.
import { cpus, loadavg, totalmem } from 'node:os';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const RESULTS_DIR = join(process.cwd(), 'bench-results');

export function machine(): Record<string, unknown> {
  return {
    node: process.version,
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryMB: Math.round(totalmem() / 1e6),
    loadAverage1m: Number(loadavg()[0]!.toFixed(2)),
  };
}

/** Writes bench-results/<name>.json and returns its path. */
export function saveResults(name: string, figures: unknown): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `${name}.json`);
  writeFileSync(file, JSON.stringify({ name, at: new Date().toISOString(), machine: machine(), figures }, null, 2) + '\n');
  return file;
}
