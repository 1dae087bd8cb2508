// This release's version, from package.json (two levels up from src/util/ and from dist/util/ alike).
import { readFileSync } from 'node:fs';

let version: string | undefined;

export function persomuxVersion(): string {
  if (version === undefined) {
    try {
      version = String((JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown }).version ?? 'unknown');
    } catch {
      version = 'unknown';
    }
  }
  return version;
}
