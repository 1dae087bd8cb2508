// A real crash: a child process writes the journal flat out and is killed
// with SIGKILL mid-stream. The next run must read back every fingerprint the
// child was told was durable, and nothing that is not a whole record of it
// (the records form a prefix of what was written: no gap, no garbage).
// SIGKILL keeps the page cache, so this shows the write order and the
// acknowledgement, not the disk's own durability (that is fdatasync's job).
// Takes ~2-3 s: two child processes started at once (tsx) and ~40 commits each (an fdatasync is ~10 ms on this disk).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { Journal } from '../../src/journal/journal.js';
import { journalFingerprint } from '../../src/dispatch/journal-fingerprint.js';
import { scratchDir } from '../../src/sim/pty-pair.js';
import { waitFor } from '../support/wait.js';

const scratch = scratchDir('journal-kill');
test.after(() => scratch.remove());

async function killMidStream(dir: string, perTurn: number, afterDurable: number): Promise<number> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'support/journal-writer.ts'), dir, String(perTurn)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (c) => (out += c));
  const exited = new Promise((r) => child.on('exit', r));
  const lastDurable = (): number => {
    const all = [...out.matchAll(/durable (\d+)\n/g)];
    return all.length === 0 ? -1 : Number(all[all.length - 1]![1]);
  };
  try {
    await waitFor(`${afterDurable} durable records`, () => lastDurable() >= afterDurable, 30_000);
  } finally {
    child.kill('SIGKILL');
    await exited;
  }
  return lastDurable();
}

async function checkPrefix(dir: string, perTurn: number, acknowledged: number): Promise<void> {
  const j = await Journal.open({ dir, maintainEveryMs: false });
  try {
    const seen = (id: number) => j.seenBefore(journalFingerprint('line', id, 'certificate', Buffer.of(id & 0xff)));
    for (let id = 0; id <= acknowledged; id++) assert.ok(seen(id), `${perTurn} per turn: acknowledged id ${id} lost`);
    let end = acknowledged + 1;
    while (seen(end)) end++;
    // Past the prefix, nothing at all: a record after a gap would mean a misread or a reordering.
    for (let id = end; id < end + 10 * perTurn + 100; id++) assert.not.ok(seen(id), `${perTurn} per turn: id ${id} after a gap at ${end}`);
    assert.is(j.recovered.live, end, 'every live record is one of the prefix');
  } finally {
    await j.close();
  }
}

test('SIGKILL while writing (1 and 24 per turn, two children at once): every acknowledged fingerprint survives, as a clean prefix', async () => {
  const runs = [1, 24].map((perTurn) => ({ perTurn, dir: join(scratch.dir, `kill-${perTurn}`) }));
  const acknowledged = await Promise.all(runs.map((r) => killMidStream(r.dir, r.perTurn, r.perTurn * 40)));
  for (const [i, r] of runs.entries()) await checkPrefix(r.dir, r.perTurn, acknowledged[i]!);
});

test.run();
