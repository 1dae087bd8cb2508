// The journal in memory (pure): which fingerprints count as "sent before the
// restart", how a hello cancels a line's earlier requests wherever compaction
// moved them, and the window that bounds it all.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { journalFingerprint } from '../../src/dispatch/journal-fingerprint.js';
import { FingerprintIndex } from '../../src/journal/fingerprint-index.js';
import type { JournalRecord } from '../../src/journal/record.js';
import { ANSWER_WINDOW_MS, keepUntil } from '../../src/journal/window.js';

const fp = (line: string, id: number) => journalFingerprint(line, id, 'certificate', Buffer.of(id));
const req = (seq: number, line: string, id: number, until = 10_000): JournalRecord => ({ kind: 'request', seq, keepUntil: until, fp: fp(line, id) });
const hello = (seq: number, line: string, until = 10_000): JournalRecord => ({ kind: 'hello', seq, keepUntil: until, line });

test('a fingerprint is kept for its ttl plus the 5 minutes of PROTOCOL.md 2.1', () => {
  assert.is(keepUntil(1000, 10_000), 1000 + 10_000 + ANSWER_WINDOW_MS);
});

test('only what an earlier run recorded counts as seen before, and only inside its window', () => {
  const index = new FingerprintIndex();
  index.replay([{ segment: 1, records: [req(0, 'a', 1, 500), req(1, 'a', 2, 2000)] }], 100);
  assert.ok(index.seenBefore(fp('a', 1), 100));
  assert.not.ok(index.seenBefore(fp('a', 1), 500), 'at its keepUntil it is out');
  assert.not.ok(index.seenBefore(fp('a', 3), 100));
  assert.not.ok(index.seenBefore(journalFingerprint('a', 1, 'certificate', Buffer.of(9)), 100), 'another body is another request');
  index.add(req(5, 'a', 3), 2);
  assert.not.ok(index.seenBefore(fp('a', 3), 100), 'this run is the dispatcher\'s business');
});

test('an expired record is not even loaded', () => {
  const index = new FingerprintIndex();
  index.replay([{ segment: 1, records: [req(0, 'a', 1, 50)] }], 100);
  assert.is(index.size, 0);
});

test('a hello cancels the lower-seq requests of its line, whatever segment holds either', () => {
  const index = new FingerprintIndex();
  // Compaction copied request seq 0 into a later segment than the hello: seq decides, not file order.
  index.replay([{ segment: 1, records: [hello(1, 'a'), req(2, 'a', 2)] }, { segment: 2, records: [req(0, 'a', 1), req(3, 'b', 1)] }], 0);
  assert.not.ok(index.seenBefore(fp('a', 1), 0));
  assert.ok(index.seenBefore(fp('a', 2), 0));
  assert.ok(index.seenBefore(fp('b', 1), 0));
});

test('forgetLine drops the line and says how long its hello must be kept', () => {
  const index = new FingerprintIndex();
  index.replay([{ segment: 1, records: [req(0, 'a', 1, 300), req(1, 'a', 2, 700), req(2, 'b', 1, 900)] }], 0);
  assert.is(index.forgetLine('a'), 700);
  assert.not.ok(index.seenBefore(fp('a', 2), 0));
  assert.ok(index.seenBefore(fp('b', 1), 0));
  assert.is(index.forgetLine('c'), undefined, 'nothing to forget: no record needed');
});

test('expire and the live segments', () => {
  const index = new FingerprintIndex();
  index.replay([{ segment: 1, records: [req(0, 'a', 1, 300)] }, { segment: 2, records: [req(1, 'a', 2, 700)] }], 0);
  assert.equal([...index.liveSegments()], [1, 2]);
  index.expire(300);
  assert.equal([...index.liveSegments()], [2]);
  assert.is(index.inSegment(2).length, 1);
});

test.run();
