// The thin layer between the LED drivers and /sys: paths are relative to a
// root (`/sys` on the box, a scratch tree in tests), and every failure says
// which file and why. The gpio backend reads its chip through it at `/sys`
// (onoff, which writes the pins, hard-codes /sys/class/gpio/).
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface SysfsFiles {
  /** For messages: where `rel` is on this machine. */
  where(rel: string): string;
  exists(rel: string): boolean;
  read(rel: string): string;
  write(rel: string, text: string): void;
  list(rel: string): string[];
}

export function sysfsAt(root = '/sys'): SysfsFiles {
  const at = (rel: string): string => join(root, rel);
  return {
    where: at,
    exists: (rel) => existsSync(at(rel)),
    read: (rel) => readFileSync(at(rel), 'utf8').trim(),
    // sysfs attributes take one write each; no truncating open-then-write-later.
    write: (rel, text) => writeFileSync(at(rel), text),
    list: (rel) => readdirSync(at(rel)),
  };
}

/** The errno of a failed file operation ('EACCES', 'ENOENT', ...), or the message. */
export const errnoOf = (e: unknown): string => (e as NodeJS.ErrnoException).code ?? (e as Error).message;
