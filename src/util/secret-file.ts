// Reading a file that holds a secret: the checks are made on the open file
// (no gap between checking a path and reading it), a symlink or anything but
// a regular file is refused, and so is a file others than its owner may read
// or write. Reasons name the rule, never the content.
import { systemErrorMeaning } from '../util/system-error.js';
import { closeSync, constants, fstatSync, openSync, readFileSync } from 'node:fs';

const MAX_SECRET_FILE_BYTES = 65_536;

export class SecretFileProblem extends Error {}

export function readSecretFile(file: string): string {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    throw new SecretFileProblem(code === 'ELOOP' ? 'is a symbolic link; give the file itself' : `cannot be read: ${systemErrorMeaning(e) ?? code}`);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new SecretFileProblem('is not a regular file');
    if ((st.mode & 0o077) !== 0) {
      throw new SecretFileProblem(`is readable or writable by group or others (mode ${(st.mode & 0o777).toString(8).padStart(4, '0')}); run 'chmod 600 ${file}'`);
    }
    if (st.size > MAX_SECRET_FILE_BYTES) throw new SecretFileProblem(`is larger than ${MAX_SECRET_FILE_BYTES} bytes`);
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
}
