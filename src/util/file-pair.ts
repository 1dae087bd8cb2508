// Writing two files that only make sense together (the two halves of a link
// key, an audit key pair): both or neither. Each is written under a temporary
// name in its own folder, and given its real name only once both exist; a
// failure at any step removes what was written. Existing files are never
// overwritten (the final step is a hard link, which refuses an existing name,
// so a file that appears meanwhile is not replaced either).
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, linkSync, mkdirSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { systemErrorMeaning } from './system-error.js';

export interface PairFile {
  readonly file: string;
  readonly content: string;
  readonly mode: number;
}

export class FilePairError extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`${file}: ${reason}`);
    this.name = 'FilePairError';
  }
}

/** Writes both files or neither; returns the folders it had to create (parents first). */
export function writeFilePair(a: PairFile, b: PairFile): { createdFolders: string[] } {
  if (resolve(a.file) === resolve(b.file)) throw new FilePairError(b.file, `is the same file as ${a.file}; the two halves need two files`);
  for (const f of [a, b]) {
    if (existsSync(f.file)) throw new FilePairError(f.file, 'already exists; it is never overwritten');
  }
  const createdFolders = [...missingFolders(dirname(resolve(a.file))), ...missingFolders(dirname(resolve(b.file)))].filter((d, i, all) => all.indexOf(d) === i);
  const temps: string[] = [];
  const finals: string[] = [];
  try {
    for (const dir of createdFolders) mkdirSync(dir, { mode: 0o700 });
    for (const f of [a, b]) {
      const dir = dirname(resolve(f.file));
      if (!statSync(dir).isDirectory()) throw new FilePairError(f.file, `its folder ${dir} is not a folder`);
      const temp = join(dir, `.${basename(f.file)}.${randomBytes(4).toString('hex')}.tmp`);
      writeFileSync(temp, f.content, { mode: f.mode, flag: 'wx' });
      temps.push(temp);
      chmodSync(temp, f.mode); // the mode given above is subject to the umask
    }
    [a, b].forEach((f, i) => {
      linkSync(temps[i]!, f.file);
      finals.push(f.file);
    });
    return { createdFolders };
  } catch (e) {
    for (const f of finals) rmSync(f, { force: true });
    for (const dir of [...createdFolders].reverse()) rmSync(dir, { recursive: true, force: true });
    if (e instanceof FilePairError) throw e;
    const file = (e as NodeJS.ErrnoException).path ?? a.file;
    throw new FilePairError(file, `cannot be written (${systemErrorMeaning(e) ?? (e as Error).message})`);
  } finally {
    for (const t of temps) if (existsSync(t)) unlinkSync(t);
  }
}

/** The folders above `dir` (and `dir` itself) that do not exist yet, outermost first; refuses a file in the way. */
function missingFolders(dir: string): string[] {
  const missing: string[] = [];
  let d = dir;
  while (!existsSync(d)) {
    missing.unshift(d);
    const parent = dirname(d);
    if (parent === d) break;
    d = parent;
  }
  if (existsSync(d) && !statSync(d).isDirectory()) throw new FilePairError(d, 'is a file, where a folder was expected');
  return missing;
}
