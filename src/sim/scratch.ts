// The simulator's working folder: it holds the run's master keys, audit key,
// link keys, configuration files and audit trails. It is removed when the run
// ends, however it ends, unless the person asked to keep it (`--keep DIR`):
// then the configuration, keys and audit trails stay there, so `persomux run
// --config DIR/sim-box.json` or `persomux audit verify DIR/ds1.audit.jsonl
// --public-key DIR/audit.pub` work on them; the pty links (which die with the
// run) are removed.
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export class ScratchError extends Error {}

export interface SimScratch {
  readonly dir: string;
  readonly kept: boolean;
  /** Removes the folder, or, when kept, only what does not outlive the run. Safe to call twice. */
  finish(): void;
}

export function simScratch(keepDir?: string): SimScratch {
  let dir: string;
  if (keepDir === undefined) {
    dir = mkdtempSync(join(tmpdir(), 'persomux-sim-'));
  } else {
    dir = resolve(keepDir);
    // A kept run never mixes with or overwrites other files.
    if (existsSync(dir) && (!lstatSync(dir).isDirectory() || readdirSync(dir).length > 0)) throw new ScratchError(`--keep ${keepDir}: must be a new or empty folder`);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  }
  let done = false;
  const finish = (): void => {
    if (done) return;
    done = true;
    process.removeListener('exit', finish);
    if (keepDir === undefined) {
      rmSync(dir, { recursive: true, force: true });
      return;
    }
    for (const name of readdirSync(dir)) if (/\.(router|peer)$/.test(name)) rmSync(join(dir, name), { force: true });
  };
  // The last resort for a hard stop (a second Ctrl-C, an uncaught error): 'exit' handlers run synchronously.
  process.on('exit', finish);
  return { dir, kept: keepDir !== undefined, finish };
}
