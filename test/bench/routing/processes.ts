// The processes of the routing bench, measured from outside: CPU time and
// resident memory from /proc (the kernel's own accounting of the process,
// all its threads included), started and stopped by their pid.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

const TICKS_PER_S = 100; // getconf CLK_TCK on Linux

/** User + system CPU time of a process so far, in microseconds (10 ms resolution). */
export function cpuMicros(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After the command: state is field 3, utime field 14, stime field 15 (1-based over the whole line).
  return ((Number(fields[11]) + Number(fields[12])) / TICKS_PER_S) * 1e6;
}

/** Resident memory of a process, in bytes. */
export function rssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface Child {
  readonly process: ChildProcess;
  readonly pid: number;
  output: string;
  stop(): Promise<void>;
}

/** Starts a process and resolves once its output matches `ready` (stdout and stderr together). */
export async function startChild(command: string, args: readonly string[], ready: RegExp, timeoutMs = 30_000): Promise<Child> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const c: Child = {
    process: child,
    pid: child.pid!,
    output: '',
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
        child.once('exit', () => {
          clearTimeout(kill);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${command} ${args.join(' ')}: not ready after ${timeoutMs} ms:\n${c.output}`)), timeoutMs);
    const onData = (chunk: Buffer): void => {
      c.output += chunk.toString();
      if (c.output.length > 100_000) c.output = c.output.slice(-50_000);
      if (ready.test(c.output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${command} ${args.join(' ')} exited (${code}) before it was ready:\n${c.output}`));
    });
  });
  return c;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Waits until `condition` holds, checking every 20 ms; false when `timeoutMs` passed first. */
export async function until(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) return false;
    await sleep(20);
  }
  return true;
}
