// Node's system errors (ENOENT, EISDIR, EADDRINUSE, ...) in words a person
// reads: every place that reports a file or address it could not use says
// why through this one table, never with a bare code.

const MEANINGS: Readonly<Record<string, string>> = {
  ENOENT: 'does not exist',
  EISDIR: 'is a folder, not a file',
  ENOTDIR: 'has a part of its path that is not a folder',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EEXIST: 'already exists',
  ELOOP: 'is a symbolic link loop',
  EROFS: 'is on a read-only file system',
  ENOSPC: 'no space left on the device',
  EMFILE: 'too many open files',
  EBUSY: 'is busy',
  EADDRINUSE: 'address already in use (another program listens there)',
  EADDRNOTAVAIL: 'address not available on this machine',
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host name not found',
  ENXIO: 'no such device',
  EIO: 'input/output error',
};

/** The meaning of a system error's code, or its code when it has no entry; undefined for other errors. */
export function systemErrorMeaning(e: unknown): string | undefined {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code !== 'string' || !/^E[A-Z]+$/.test(code)) return undefined;
  return MEANINGS[code] ?? `system error ${code}`;
}

/** `<path or address>: <meaning>` for a system error, else its message on one line. */
export function describeSystemError(e: unknown): string {
  const err = e as NodeJS.ErrnoException & { address?: string; port?: number };
  const meaning = systemErrorMeaning(e);
  if (meaning === undefined) return (e instanceof Error ? e.message : String(e)).split('\n')[0]!;
  const where = err.path ?? (err.address !== undefined ? `${err.address}${err.port !== undefined ? `:${err.port}` : ''}` : undefined);
  return where === undefined ? meaning : `${where}: ${meaning}`;
}
