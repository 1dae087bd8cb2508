// `--version` on every command: the package version, and the git commit the
// code was built from when it is known (a checkout; a built dist/ may carry it
// in dist/COMMIT).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { persomuxVersion } from '../util/version.js';

/** src/cli/ or dist/cli/: the package root is two levels up. */
const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..', '..');
const BUILT = basename(dirname(HERE)) === 'dist';

export function versionText(): string {
  const commit = gitCommit();
  return `persomux ${persomuxVersion()}${commit ? ` (commit ${commit})` : ''}\n`;
}

function gitCommit(): string | undefined {
  // The built code names the commit it was built from (make build writes it); the sources ask git.
  const stamped = join(ROOT, 'dist', 'COMMIT');
  if (BUILT) return existsSync(stamped) ? readFileSync(stamped, 'utf8').trim() || undefined : undefined;
  if (!existsSync(join(ROOT, '.git'))) return undefined;
  try {
    const head = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'], timeout: 2000 }).toString().trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'], timeout: 2000 }).toString().trim();
    return head ? `${head}${dirty ? '-modified' : ''}` : undefined;
  } catch {
    return undefined; // no git on the box: the version alone
  }
}
