// The simulator's child processes (socat, one per pty pair): every one is
// ended when the process ends, however it ends — a normal return, a signal,
// a closed stdout, an error — so a stopped run never leaves socat behind.
import type { ChildProcess } from 'node:child_process';

const live = new Set<ChildProcess>();
let hooked = false;

/** Registers a child; it is ended (SIGTERM) when this process exits, if it is still running. */
export function trackChild(child: ChildProcess): void {
  live.add(child);
  child.once('exit', () => live.delete(child));
  if (!hooked) {
    hooked = true;
    // 'exit' handlers run synchronously: kill() only sends the signal, which is all that is needed.
    process.once('exit', endAllChildren);
  }
}

/** Sends SIGTERM to every child still running; returns how many there were. */
export function endAllChildren(): number {
  let n = 0;
  for (const child of live) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      n++;
    }
  }
  live.clear();
  return n;
}

export const liveChildren = (): number => live.size;
