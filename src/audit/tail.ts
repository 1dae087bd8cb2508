// Reads an audit log from its last checkpoint to its end, backwards in
// chunks, so reopening a long log costs the lines since its last checkpoint,
// not the whole file. A raw "\n" never occurs inside a JSON line, so
// "\n{"checkpoint":" can only be the start of a checkpoint line.
import { open } from 'node:fs/promises';

const CHUNK = 64 * 1024;
const MARK = Buffer.from('\n{"checkpoint":');
const MARK_AT_START = MARK.subarray(1);

export interface AuditTail {
  readonly text: string;
  /** The text is the whole file (it holds no checkpoint); otherwise it starts with the last checkpoint's line. */
  readonly fromStart: boolean;
}

/** The tail of `file`, or undefined if there is no such file. */
export async function readAuditTail(file: string): Promise<AuditTail | undefined> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  try {
    let pos = (await handle.stat()).size;
    const later: Buffer[] = []; // the chunks after `pos`, nearest the end last
    while (pos > 0) {
      const n = Math.min(CHUNK, pos);
      const chunk = Buffer.alloc(n);
      await handle.read(chunk, 0, n, pos - n);
      pos -= n;
      // Search this chunk plus the start of the one after it, for a mark across the boundary.
      const next = later[0];
      const window = next ? Buffer.concat([chunk, next.subarray(0, MARK.length - 1)]) : chunk;
      const at = window.lastIndexOf(MARK);
      later.unshift(chunk);
      if (at >= 0) return { text: Buffer.concat(later).subarray(at + 1).toString('utf8'), fromStart: false };
    }
    const whole = Buffer.concat(later);
    return { text: whole.toString('utf8'), fromStart: !whole.subarray(0, MARK_AT_START.length).equals(MARK_AT_START) };
  } finally {
    await handle.close();
  }
}
