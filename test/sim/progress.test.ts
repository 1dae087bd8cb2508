// The live progress line of `persomux sim`: within 80 columns whatever the
// figures, and log lines printed above it, never into it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compactProgress, ProgressLine } from '../../src/sim/progress.js';
import type { Progress } from '../../src/sim/sim.js';

const big: Progress = {
  elapsedS: 86_399,
  cards: 123_456_789,
  rejected: 98_765,
  requests: 987_654_321,
  queued: 1024,
  servers: Array.from({ length: 16 }, (_, i) => ({ name: `ds${i + 1}`, busy: 1024, slots: 1024 })),
};
const small: Progress = { elapsedS: 5, cards: 12, rejected: 0, requests: 80, queued: 3, servers: [{ name: 'ds1', busy: 4, slots: 4 }, { name: 'ds2', busy: 3, slots: 4 }] };

test('fits 80 columns (79 characters, so the cursor never wraps), and a narrower terminal', () => {
  assert.ok(compactProgress(big).length <= 79, compactProgress(big));
  assert.ok(compactProgress(big, 200).length <= 79, 'never wider than 80 even on a wide terminal');
  assert.ok(compactProgress(big, 40).length <= 39);
  assert.ok(compactProgress(big).endsWith('...'), 'a cut line says so');
  assert.is(compactProgress(small, 0), compactProgress(small), 'a terminal that reports no width counts as 80 columns');
});

test('a small site shows every figure', () => {
  assert.is(compactProgress(small), '5s cards 12 (8,640/h) req 80 q 3 busy 4/4 3/4');
});

test('a log line clears the progress line, goes above it, and the progress is drawn again', () => {
  let terminal = '';
  const out = { write: (t: string) => (terminal += t) };
  const line = new ProgressLine(out);
  line.above('before any progress');
  line.show(small);
  line.above('2026-11-30T20:00:00.000Z warn  link.down server=ds1');
  line.show({ ...small, elapsedS: 6 });
  line.end();
  assert.is(
    terminal,
    'before any progress\n' +
      '\r\x1b[K5s cards 12 (8,640/h) req 80 q 3 busy 4/4 3/4' +
      '\r\x1b[K2026-11-30T20:00:00.000Z warn  link.down server=ds1\n5s cards 12 (8,640/h) req 80 q 3 busy 4/4 3/4' +
      '\r\x1b[K6s cards 12 (7,200/h) req 80 q 3 busy 4/4 3/4\n',
  );
  // What a terminal shows: each \r\x1b[K erases the current line, so no line holds log text and progress together.
  const rows = terminal.split('\n').map((r) => r.split('\r\x1b[K').pop());
  assert.equal(rows, ['before any progress', '2026-11-30T20:00:00.000Z warn  link.down server=ds1', '6s cards 12 (7,200/h) req 80 q 3 busy 4/4 3/4', '']);
});

test.run();
