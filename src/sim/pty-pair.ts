// Pseudo-terminal pairs from socat: one end for the router, one for a
// simulated station (or data server). The simulator and the tests use them;
// killing socat is a USB adapter unplugged.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trackChild } from './children.js';

export class PtyPair {
  private process: ChildProcess | undefined;
  constructor(
    /** The end the router opens. */
    readonly routerPath: string,
    /** The end the test peer opens. */
    readonly peerPath: string,
  ) {}

  async start(): Promise<this> {
    const child = spawn('socat', [`pty,raw,echo=0,link=${this.routerPath}`, `pty,raw,echo=0,link=${this.peerPath}`], { stdio: 'ignore' });
    this.process = child;
    trackChild(child); // ended when this process exits, however it exits
    const until = Date.now() + 5000;
    while (!(existsSync(this.routerPath) && existsSync(this.peerPath))) {
      if (Date.now() > until || child.exitCode !== null) throw new Error(`socat did not make ${this.routerPath} (is socat installed?)`);
      await new Promise((r) => setTimeout(r, 10));
    }
    return this;
  }

  /** Ends the pair, as an unplugged adapter; resolves when socat is gone and its links removed. */
  async kill(): Promise<void> {
    const child = this.process;
    this.process = undefined;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
    for (const p of [this.routerPath, this.peerPath]) rmSync(p, { force: true });
  }
}

/** A temporary folder for a test's pty links and config files. */
export function scratchDir(prefix: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), `persomux-${prefix}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function ptyPairs(dir: string, names: readonly string[]): Promise<Map<string, PtyPair>> {
  const pairs = new Map<string, PtyPair>();
  await Promise.all(
    names.map(async (name) => {
      const pair = await new PtyPair(join(dir, `${name}.router`), join(dir, `${name}.peer`)).start();
      pairs.set(name, pair);
    }),
  );
  return pairs;
}
