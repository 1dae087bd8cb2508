// The one rule for every file that holds a secret: link keys (PROTOCOL.md 3),
// the data server's key store file, the token PIN file and the audit signing
// key. Each is
//   - opened without blocking (O_NONBLOCK): a FIFO or a device given by
//     mistake or by malice is refused at once instead of hanging the process;
//   - named by a path without symbolic links: O_NOFOLLOW refuses a link as the
//     file itself, and a folder on the path that is a link is refused too
//     (whoever controls the link could swap the key);
//   - a regular file, checked on the open descriptor (fstat), so nothing can
//     change between the check and the read;
//   - for a secret, readable and writable by its owner alone (mode 0600);
//   - small: a secret file is a few hundred bytes.
// A JSON secret must name each field once (json-duplicate-key.ts). Every
// refusal names the file and the rule, never the content.
import { closeSync, constants, fstatSync, openSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { findDuplicateJsonKey } from './json-duplicate-key.js';
import { systemErrorMeaning } from '../util/system-error.js';

export type SecretFileRule = 'unreadable' | 'symlink' | 'symlinked-folder' | 'not-regular' | 'mode' | 'too-large' | 'not-json' | 'duplicate-key';

export class SecretFileError extends Error {
  constructor(
    readonly file: string,
    readonly rule: SecretFileRule,
    /** What is wrong, without the file name: callers with their own error type reuse it. */
    readonly reason: string,
  ) {
    super(`${file}: ${reason}`);
    this.name = 'SecretFileError';
  }
}

export interface SecretFileOptions {
  /** Largest size accepted, bytes (default 64 KiB). */
  readonly maxBytes?: number;
  /** False for a file that is not secret but must still never block (a public key): skips the mode rule. */
  readonly secret?: boolean;
}

const DEFAULT_MAX_BYTES = 64 * 1024;
// O_NOCTTY: a terminal device opened here must never become our controlling terminal.
const OPEN_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK | constants.O_NOCTTY;

/** Reads a secret file under the rule above; throws SecretFileError naming the file. */
export function readSecretFile(file: string, options: SecretFileOptions = {}): string {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  let fd: number;
  try {
    fd = openSync(file, OPEN_FLAGS);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    if (code === 'ELOOP') throw new SecretFileError(file, 'symlink', 'is a symbolic link; give the file itself');
    throw new SecretFileError(file, 'unreadable', `cannot be read (${systemErrorMeaning(e) ?? code})`);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new SecretFileError(file, 'not-regular', `is not a regular file (${kindOf(st)}); a secret is read from a plain file only`);
    checkNoLinkedFolder(file, st);
    if (options.secret !== false && (st.mode & 0o077) !== 0) {
      const mode = (st.mode & 0o777).toString(8).padStart(4, '0');
      throw new SecretFileError(file, 'mode', `is readable or writable by group or others (mode ${mode}); run 'chmod 600 ${file}'`);
    }
    if (st.size > maxBytes) throw new SecretFileError(file, 'too-large', `is larger than ${maxBytes} bytes`);
    return readFileSync(fd, 'utf8');
  } catch (e) {
    if (e instanceof SecretFileError) throw e;
    throw new SecretFileError(file, 'unreadable', `cannot be read (${systemErrorMeaning(e) ?? (e as NodeJS.ErrnoException).code ?? 'error'})`);
  } finally {
    closeSync(fd);
  }
}

/**
 * Parses the JSON text of a secret file: each field once. `expected` says what
 * the file should hold. JSON.parse's own message is never passed on: it may
 * quote the text, i.e. key digits.
 */
export function parseSecretJson(file: string, text: string, expected: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new SecretFileError(file, 'not-json', `is not valid JSON (expected ${expected})`);
  }
  const dup = findDuplicateJsonKey(text);
  if (dup) {
    const key = dup.key.length > 40 ? `${dup.key.slice(0, 40)}...` : dup.key;
    throw new SecretFileError(file, 'duplicate-key', `names field '${key}' more than once (again on line ${dup.line}); each field must appear once`);
  }
  return value;
}

/**
 * The folders on the path must be real folders, not links: the path as given
 * must be the file's real path. Checked after the open, and the open file must
 * be the one the path names now (same device and inode).
 */
function checkNoLinkedFolder(file: string, opened: { dev: number; ino: number }): void {
  const absolute = resolve(file);
  const folder = dirname(absolute);
  const real = realpathSync.native(folder);
  if (real !== folder) {
    throw new SecretFileError(file, 'symlinked-folder', `is reached through a symbolic link (folder ${folder} is really ${real}); give the real path`);
  }
  const now = statSync(absolute);
  if (now.dev !== opened.dev || now.ino !== opened.ino) throw new SecretFileError(file, 'symlinked-folder', 'changed while it was being opened');
}

function kindOf(st: { isFIFO(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean; isDirectory(): boolean; isSocket(): boolean }): string {
  if (st.isFIFO()) return 'a FIFO';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  if (st.isDirectory()) return 'a folder';
  if (st.isSocket()) return 'a socket';
  return 'not a plain file';
}
