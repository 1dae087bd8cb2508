// `persomux --version`: the package version, and the git commit a release was
// built from (release.json, written by scripts/release.sh next to dist/).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The folder holding package.json: two up from src/cli/ or dist/cli/. */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface VersionInfo {
  readonly version: string;
  /** Undefined when running from a checkout rather than a release. */
  readonly commit: string | undefined;
}

function readJson(file: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(readFileSync(ROOT + file, 'utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

export function versionInfo(): VersionInfo {
  const release = readJson('release.json');
  const pkg = readJson('package.json');
  const version = typeof release?.version === 'string' ? release.version : typeof pkg?.version === 'string' ? pkg.version : 'unknown';
  return { version, commit: typeof release?.commit === 'string' ? release.commit : undefined };
}

export function versionLine(info: VersionInfo = versionInfo()): string {
  return `persomux ${info.version} (${info.commit === undefined ? 'not a release: run from a checkout' : `commit ${info.commit}`})`;
}
