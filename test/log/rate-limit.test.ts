// Logs that cannot be flooded (issue 11 item 4), on a fake clock: one budget
// per source, at most LINES_PER_MINUTE lines in any minute plus one summary,
// shared by every connection of a listener, and nothing lost from the counts.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createLogger, type Level } from '../../src/log/logger.js';
import { LINES_PER_MINUTE, rateLimited, WINDOW_MS } from '../../src/log/rate-limit.js';
import { DropCounter } from '../../src/log/drop-counter.js';

/** A fake clock and scheduler: timers fire when the clock passes them. */
function fakeTime() {
  let t = 0;
  let timers: { at: number; fn: () => void }[] = [];
  return {
    now: () => t,
    after: (ms: number, fn: () => void) => {
      const timer = { at: t + ms, fn };
      timers.push(timer);
      return () => void (timers = timers.filter((x) => x !== timer));
    },
    advance(ms: number) {
      const until = t + ms;
      for (;;) {
        const due = timers.filter((x) => x.at <= until).sort((a, b) => a.at - b.at)[0];
        if (!due) break;
        t = due.at;
        timers = timers.filter((x) => x !== due);
        due.fn();
      }
      t = until;
    },
  };
}

function capture(level: Level = 'info') {
  const lines: { at: number; text: string }[] = [];
  let clock = () => 0;
  const log = createLogger({ level, write: (text) => lines.push({ at: clock(), text }) });
  return { log, lines, setClock: (c: () => number) => (clock = c) };
}

/** The most lines (summaries apart) in any 60 s window. */
function busiestMinute(lines: { at: number; text: string }[]): number {
  const times = lines.filter((l) => !l.text.includes('log.suppressed')).map((l) => l.at);
  let most = 0;
  for (let i = 0; i < times.length; i++) most = Math.max(most, times.filter((t) => t >= times[i]! && t < times[i]! + WINDOW_MS).length);
  return most;
}

test('a flood from one source: at most the stated lines in any minute, one summary a minute, every event counted', () => {
  const time = fakeTime();
  const out = capture();
  out.setClock(time.now);
  const log = rateLimited(out.log, { line: 'm1-s1' }, time);
  let sent = 0;
  for (let ms = 0; ms < 3 * WINDOW_MS; ms += 10) {
    log.info(ms % 20 === 0 ? 'request.rejected' : 'line.drop', { n: sent++ });
    time.advance(10);
  }
  time.advance(WINDOW_MS);
  assert.ok(busiestMinute(out.lines) <= LINES_PER_MINUTE, `${busiestMinute(out.lines)} lines in a minute`);
  const summaries = out.lines.filter((l) => l.text.includes('log.suppressed'));
  assert.ok(summaries.length >= 3 && summaries.length <= 4, `${summaries.length} summaries`);
  const summarised = summaries.reduce((k, l) => k + Number(/suppressed=(\d+)/.exec(l.text)![1]), 0);
  assert.is(summarised + log.counts.written, sent, 'every line is written or counted in a summary');
  assert.match(summaries[0]!.text, /line=m1-s1 suppressed=\d+ events=request\.rejected:\d+,line\.drop:\d+ limit=30\/min/);
});

test('connections of one listener share its budget: a thousand of them cannot buy a thousand lines', () => {
  const time = fakeTime();
  const out = capture();
  const listener = rateLimited(out.log, { listener: '127.0.0.1:7000' }, time);
  for (let i = 0; i < 1000; i++) new DropCounter(out.log, 'link.drop', listener.child({ from: `10.0.0.${i % 250}` })).record('bad-open');
  assert.is(out.lines.length, LINES_PER_MINUTE);
  time.advance(WINDOW_MS);
  assert.is(out.lines.length, LINES_PER_MINUTE + 1);
  assert.match(out.lines.at(-1)!.text, /log\.suppressed listener=127\.0\.0\.1:7000 suppressed=970 events=link\.drop:970/);
});

test('a counter given a connection\'s logger that spends the listener\'s budget uses that budget', () => {
  const time = fakeTime();
  const out = capture();
  const listener = rateLimited(out.log, { listener: '0.0.0.0:7300' }, time);
  for (let i = 0; i < 200; i++) new DropCounter(listener.child({ from: `10.0.0.${i}` }), 'link.drop').record('before-handshake');
  assert.is(out.lines.length, LINES_PER_MINUTE);
  assert.is(listener.counts.suppressed, 200 - LINES_PER_MINUTE);
});

test('without a shared budget each counter starts afresh (the flood issue 11 saw); a line\'s own counter is capped', () => {
  const out = capture();
  for (let i = 0; i < 100; i++) new DropCounter(out.log, 'link.drop').record('bad-open');
  assert.is(out.lines.length, 100, 'one budget per connection does not bound a listener');
  const line = capture();
  const counter = new DropCounter(line.log, 'line.drop');
  for (let i = 0; i < 100_000; i++) counter.record('crc');
  assert.is(line.lines.length, 6, "warnings at 1, 10, 100, 1000, 10000, 100000 only");
  assert.is(counter.get('crc'), 100_000);
});

test('lines below the level spend no budget; the budget comes back as the minute slides', () => {
  const time = fakeTime();
  const out = capture('info');
  const log = rateLimited(out.log, { line: 'l' }, { ...time, perMinute: 3 });
  for (let i = 0; i < 100; i++) log.debug('quiet');
  log.info('a');
  log.info('b');
  time.advance(30_000);
  log.info('c');
  log.info('d'); // suppressed: 3 in the last minute
  time.advance(30_000);
  log.info('e'); // a and b are a minute old now
  log.info('f');
  log.info('g'); // suppressed
  assert.equal(out.lines.filter((l) => !l.text.includes('log.suppressed')).map((l) => l.text.split(/ +/)[2]), ['a', 'b', 'c', 'e', 'f']);
  log.close();
  assert.match(out.lines.at(-1)!.text, /suppressed=2 events=d:1,g:1/);
});

test.run();
