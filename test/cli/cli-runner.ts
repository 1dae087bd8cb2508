// Runs persomux as a real process for the CLI tests, several at a time: each
// start costs about a second of tsx compile, so the cases of a file run
// concurrently rather than one after the other.
import { spawn } from 'node:child_process';
import { join } from 'node:path';

export const BIN = join(process.cwd(), 'bin/persomux');

export interface Run {
  readonly args: readonly string[];
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function persomux(cwd: string, args: readonly string[], options: { env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(BIN, args, { cwd, env: { ...process.env, ...options.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ args, status, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}

/** Runs every job with at most `width` processes at once; results in order. */
export async function runAll<T>(jobs: readonly (() => Promise<T>)[], width = 4): Promise<T[]> {
  const results: T[] = new Array(jobs.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, jobs.length) }, async () => {
      while (next < jobs.length) {
        const i = next++;
        results[i] = await jobs[i]!();
      }
    }),
  );
  return results;
}

/** What no message for a person may hold: a stack frame, or Node's own wording and codes. */
export const RAW_NODE = /\n\s+at [^\n]+:\d+:\d+|ERR_[A-Z_]+|Received type|is ambiguous|\bE(NOENT|ISDIR|ACCES|EXIST|ADDRINUSE)\b|options\.port/;
