// The journal on a real folder: durable before the promise resolves, read
// back by the next run, one write and one sync per event-loop turn, a torn
// tail ignored, hello honoured across restarts, and bounded by its window
// (rotation, deletion, compaction) on an injected wall clock.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { appendFileSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Journal, type JournalOptions } from '../../src/journal/journal.js';
import { journalFingerprint } from '../../src/dispatch/journal-fingerprint.js';
import { encodeRecord } from '../../src/journal/record.js';
import { ANSWER_WINDOW_MS } from '../../src/journal/window.js';
import { scratchDir } from '../../src/sim/pty-pair.js';

const scratch = scratchDir('journal');
test.after(() => scratch.remove());
let n = 0;
const TTL = 10_000;
const fp = (id: number, line = 'm1-s1') => journalFingerprint(line, id, 'certificate', Buffer.of(id & 0xff, id >> 8));

function clock(start = 1_800_000_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}

async function openAt(dir: string, c: { now: () => number }, more: Partial<JournalOptions> = {}): Promise<Journal> {
  return Journal.open({ dir, now: c.now, maintainEveryMs: false, ...more });
}

const segmentsIn = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.seg')).sort();

test('a recorded fingerprint is seen before by the next run; another is not', async () => {
  const dir = join(scratch.dir, `j${n++}`);
  const c = clock();
  const a = await openAt(dir, c);
  assert.is(a.admit(fp(1), TTL) instanceof Promise, true);
  await a.admit(fp(1), TTL);
  await a.record(fp(2), TTL);
  assert.not.ok(a.seenBefore(fp(1)), 'within one run the dispatcher decides');
  await a.close();
  const b = await openAt(dir, c);
  assert.is(b.admit(fp(1), TTL), 'seen-before');
  assert.ok(b.seenBefore(fp(2)));
  assert.not.ok(b.seenBefore(fp(3)));
  assert.not.ok(b.seenBefore(journalFingerprint('m1-s2', 1, 'certificate', Buffer.of(1, 0))), 'another line');
  assert.is(b.recovered.live, 2);
  await b.close();
});

test('the requests of one turn share one write and one sync; the next turn gets its own', async () => {
  const dir = join(scratch.dir, `j${n++}`);
  const j = await openAt(dir, clock());
  await Promise.all(Array.from({ length: 24 }, (_, i) => j.record(fp(i), TTL)));
  assert.equal({ commits: j.stats.commits, records: j.stats.records }, { commits: 1, records: 24 });
  await j.record(fp(100), TTL);
  assert.is(j.stats.commits, 2);
  await j.close();
});

test('a promise resolves only once its record is in the file', async () => {
  const dir = join(scratch.dir, `j${n++}`);
  const j = await openAt(dir, clock());
  const file = join(dir, segmentsIn(dir).at(-1)!);
  const before = statSync(file).size;
  const pending = j.record(fp(1), TTL);
  assert.is(statSync(file).size, before, 'nothing is written in the caller\'s turn');
  await pending;
  assert.ok(readFileSync(file).includes(encodeRecord({ kind: 'request', seq: 0, keepUntil: 0, fp: fp(1) }).subarray(-16)));
  await j.close();
});

test('a torn last record is ignored; the next run never appends after it', async () => {
  const dir = join(scratch.dir, `j${n++}`);
  const c = clock();
  const a = await openAt(dir, c);
  for (let i = 0; i < 5; i++) await a.record(fp(i), TTL);
  await a.close();
  const last = join(dir, segmentsIn(dir).at(-1)!);
  const torn = encodeRecord({ kind: 'request', seq: 99, keepUntil: c.now() + 1e6, fp: fp(99) });
  appendFileSync(last, torn.subarray(0, torn.length - 3)); // the crash cut the write 3 bytes short
  const b = await openAt(dir, c);
  assert.is(b.recovered.ignoredBytes, torn.length - 3);
  for (let i = 0; i < 5; i++) assert.ok(b.seenBefore(fp(i)), `fp ${i}`);
  assert.not.ok(b.seenBefore(fp(99)));
  await b.record(fp(6), TTL);
  await b.close();
  assert.is(readFileSync(last).length, statSync(last).size, 'the torn segment was left as it was');
  const c3 = await openAt(dir, c);
  assert.ok(c3.seenBefore(fp(6)) && c3.seenBefore(fp(4)), 'what came after the torn segment is read too');
  await c3.close();
});

test('a hello forgets the line across restarts too; other lines keep theirs', async () => {
  const dir = join(scratch.dir, `j${n++}`);
  const c = clock();
  const a = await openAt(dir, c);
  await a.record(fp(1, 'a'), TTL);
  await a.record(fp(1, 'b'), TTL);
  await a.close();
  const b = await openAt(dir, c);
  assert.ok(b.seenBefore(fp(1, 'a')));
  await b.forgetLine('a');
  assert.not.ok(b.seenBefore(fp(1, 'a')));
  const written = b.stats.records;
  for (let i = 0; i < 100; i++) await b.forgetLine('a');
  assert.is(b.stats.records, written, 'a hello with nothing to forget writes nothing: a hello flood costs no disk');
  await b.close();
  const c3 = await openAt(dir, c);
  assert.not.ok(c3.seenBefore(fp(1, 'a')), 'the hello was journaled');
  assert.ok(c3.seenBefore(fp(1, 'b')));
  await c3.close();
});

test('bounded: fingerprints leave after ttl + 5 min, and their segments are deleted', async () => {
  const dir = join(scratch.dir, `j${n++}`);
  const c = clock();
  const a = await openAt(dir, c, { rotateEveryMs: 60_000 });
  for (let minute = 0; minute < 10; minute++) {
    await Promise.all(Array.from({ length: 50 }, (_, i) => a.record(fp(minute * 100 + i), TTL)));
    c.advance(60_000);
    await a.maintain();
  }
  // Ten minutes of records, rotated each minute: only those of the last ttl + 5 min remain on disk.
  const windowMinutes = Math.ceil((TTL + ANSWER_WINDOW_MS) / 60_000);
  assert.ok(segmentsIn(dir).length <= windowMinutes + 2, `${segmentsIn(dir).length} segments`);
  await a.close();
  const b = await openAt(dir, c);
  assert.not.ok(b.seenBefore(fp(0)), 'ten minutes old');
  assert.ok(b.seenBefore(fp(900)), 'one minute old');
  assert.ok(b.recovered.live <= (windowMinutes + 1) * 50);
  await b.close();
});

test('compaction: a segment kept only by a long-ttl record is rewritten, and the record survives', async () => {
  const dir = join(scratch.dir, `j${n++}`);
  const c = clock();
  const a = await openAt(dir, c, { rotateEveryMs: 60_000 });
  await a.record(fp(1), 3_600_000); // one long ttl among short ones
  await Promise.all(Array.from({ length: 20 }, (_, i) => a.record(fp(10 + i), TTL)));
  const first = segmentsIn(dir)[0]!;
  for (let minute = 0; minute < 12; minute++) {
    c.advance(60_000);
    await a.record(fp(1000 + minute), TTL);
    await a.maintain();
  }
  assert.not.ok(segmentsIn(dir).includes(first), 'the first segment was compacted away');
  await a.close();
  const b = await openAt(dir, c);
  assert.ok(b.seenBefore(fp(1)), 'the long-ttl fingerprint was carried forward');
  assert.not.ok(b.seenBefore(fp(10)));
  await b.close();
});

test('a folder that cannot hold the journal is an error naming it', async () => {
  try {
    await Journal.open({ dir: '/dev/null/journal', maintainEveryMs: false });
    assert.unreachable('opened');
  } catch (e) {
    assert.match((e as Error).message, /\/dev\/null/);
  }
});

test.run();
