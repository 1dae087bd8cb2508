// A child process for journal-kill.test.ts: records fingerprints without a
// pause, a batch of `per turn` per event-loop turn, and prints the highest
// id made durable after each commit. The test SIGKILLs it in the middle.
import { Journal } from '../../../src/journal/journal.js';
import { journalFingerprint } from '../../../src/journal/fingerprint.js';

const [dir, perTurnText] = process.argv.slice(2);
const perTurn = Number(perTurnText ?? '24');
const journal = await Journal.open({ dir: dir!, maintainEveryMs: false });
process.stdout.write(`open ${journal.recovered.live}\n`);
let next = 0;
for (;;) {
  const batch = Array.from({ length: perTurn }, () => next++);
  await Promise.all(batch.map((id) => journal.record(journalFingerprint('line', id, 'certificate', Buffer.of(id & 0xff)), 60_000)));
  process.stdout.write(`durable ${batch[batch.length - 1]}\n`);
}
