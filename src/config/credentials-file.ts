// The status interface's operators: a text file of `user:password` lines
// (`#` starts a comment), readable by its owner only (mode 0600), because a
// password there is a password anywhere. Read once, at configuration time,
// through the open descriptor, so the mode checked is the file's read.
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readFileSync } from 'node:fs';
import type { StatusCredential } from './types.js';

export class CredentialsFileError extends Error {
  override readonly name = 'CredentialsFileError';
}

const USER = /^[A-Za-z0-9._@-]{1,64}$/;

export const digestPassword = (password: string): Buffer => createHash('sha256').update(password, 'utf8').digest();

export function readCredentialsFile(file: string): StatusCredential[] {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (e) {
    throw new CredentialsFileError(`cannot be read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    const mode = fstatSync(fd).mode & 0o777;
    // Group or others may not read or write it: 0600 (or 0400).
    if ((mode & 0o077) !== 0) throw new CredentialsFileError(`must be readable by its owner only (mode 0600), not ${mode.toString(8).padStart(4, '0')}: chmod 600 ${file}`);
    return parse(readFileSync(fd, 'utf8'));
  } finally {
    closeSync(fd);
  }
}

function parse(text: string): StatusCredential[] {
  const credentials: StatusCredential[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '' || line.trimStart().startsWith('#')) return;
    const colon = line.indexOf(':');
    const user = colon < 0 ? '' : line.slice(0, colon);
    const password = colon < 0 ? '' : line.slice(colon + 1);
    // The line is never quoted back: it holds a password.
    if (!USER.test(user)) throw new CredentialsFileError(`line ${i + 1}: must be 'user:password' with a user of 1-64 letters, digits, dot, dash, underscore or @`);
    if (password.length < 8) throw new CredentialsFileError(`line ${i + 1}: the password of '${user}' must have at least 8 characters`);
    if (credentials.some((c) => c.user === user)) throw new CredentialsFileError(`line ${i + 1}: user '${user}' is already listed`);
    credentials.push({ user, passwordDigest: digestPassword(password) });
  });
  if (credentials.length === 0) throw new CredentialsFileError("lists no operator: add a line 'user:password'");
  return credentials;
}
