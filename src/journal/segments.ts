// The journal's files: `<state dir>/journal/<number>.seg`, numbered in the
// order they were opened. A run never appends to a segment of an earlier run
// (its tail may be torn): it starts the next number. The folder is synced
// when a segment is created, so the new file survives a crash with its data.
import { constants, open as openFd } from 'node:fs';
import { mkdir, open, readdir, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { SegmentTarget } from './group-commit.js';

const NAME = /^(\d{8})\.seg$/;

export function segmentFile(dir: string, n: number): string {
  return join(dir, `${String(n).padStart(8, '0')}.seg`);
}

/** Segment numbers in the folder, oldest first (the folder is made, mode 0700, if missing). */
export async function listSegments(dir: string): Promise<number[]> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const names = await readdir(dir);
  return names.flatMap((n) => {
    const m = NAME.exec(n);
    return m ? [Number(m[1])] : [];
  }).sort((a, b) => a - b);
}

export function readSegment(dir: string, n: number): Promise<Buffer> {
  return readFile(segmentFile(dir, n));
}

/** Creates segment `n` (it must not exist) and makes its name durable. */
export async function createSegment(dir: string, n: number): Promise<SegmentTarget> {
  const file = segmentFile(dir, n);
  // A plain descriptor, not a FileHandle: a FileHandle's fd would be closed behind our back when it is collected.
  const fd = await promisify(openFd)(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_APPEND, 0o600);
  await syncFolder(dir);
  return { fd, file, bytes: 0, number: n };
}

export async function removeSegment(dir: string, n: number): Promise<void> {
  await unlink(segmentFile(dir, n));
}

async function syncFolder(dir: string): Promise<void> {
  const fh = await open(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
