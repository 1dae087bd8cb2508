// A child process for journal-kill.test.ts: records fingerprints without a
// pause, a batch of `per turn` per event-loop turn, and prints the highest
// id made durable after each commit. The test SIGKILLs it in the middle.
// It runs only as a process's main script: a test runner that loads every
// file of the folder (`uvu test/journal`) gets nothing from it.
import { fileURLToPath } from 'node:url';
import { Journal } from '../../../src/journal/journal.js';
import { journalFingerprint } from '../../../src/dispatch/journal-fingerprint.js';

if (process.argv[1] === fileURLToPath(import.meta.url)) await writeForever(process.argv[2]!, Number(process.argv[3] ?? '24'));

async function writeForever(dir: string, perTurn: number): Promise<never> {
  const journal = await Journal.open({ dir, maintainEveryMs: false });
  process.stdout.write(`open ${journal.recovered.live}\n`);
  let next = 0;
  for (;;) {
    const batch = Array.from({ length: perTurn }, () => next++);
    await Promise.all(batch.map((id) => journal.record(journalFingerprint('line', id, 'certificate', Buffer.of(id & 0xff)), 60_000)));
    process.stdout.write(`durable ${batch[batch.length - 1]}\n`);
}
}
