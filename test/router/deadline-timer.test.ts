// The dispatcher's one timer on a fake clock: it never fires later than the
// deadline it was last asked for, a later deadline keeps the timer already set
// (no timer pair per request), and an earlier one moves it at once.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DeadlineTimer } from '../../src/router/deadline-timer.js';
import { FakeScheduler } from '../support/fake-scheduler.js';

function setup() {
  const clock = new FakeScheduler(1000);
  const fired: number[] = [];
  let timers = 0;
  const counting = { now: () => clock.now(), after: (ms: number, fn: () => void) => (timers++, clock.after(ms, fn)) };
  const timer = new DeadlineTimer(counting, (now) => fired.push(now));
  return { clock, fired, timer, timers: () => timers };
}

test('a later deadline keeps the timer set for an earlier one', () => {
  const s = setup();
  s.timer.arm(2000);
  for (let at = 2001; at < 2100; at++) s.timer.arm(at);
  assert.is(s.timers(), 1, 'one timer for 100 later deadlines');
  s.clock.advance(999);
  assert.equal(s.fired, []);
  s.clock.advance(1);
  assert.equal(s.fired, [2000], 'fires at the first deadline; the router then arms the one in force');
  s.timer.arm(2099);
  s.clock.advance(99);
  assert.equal(s.fired, [2000, 2099]);
});

test('an earlier deadline moves the timer at once', () => {
  const s = setup();
  s.timer.arm(5000);
  s.timer.arm(1500);
  s.clock.advance(500);
  assert.equal(s.fired, [1500]);
  s.clock.advance(10_000);
  assert.equal(s.fired, [1500], 'the timer for 5000 was cancelled');
  assert.is(s.clock.armed, 0);
});

test('disarming (nothing left, or stopping) leaves no timer', () => {
  const s = setup();
  s.timer.arm(3000);
  s.timer.arm(undefined);
  s.clock.advance(10_000);
  assert.equal(s.fired, []);
  s.timer.arm(12_000);
  s.timer.disarm();
  s.clock.advance(10_000);
  assert.equal(s.fired, []);
});

test.run();
