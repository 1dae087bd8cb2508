// NamedTimers on a fake clock: arming replaces only the named timer,
// disarm stops it, and `again` re-arms a timer that fired with the same
// timer object (no new scheduler timer), which is what lets a line check
// its device twice a second without allocating a timer each time.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { NamedTimers } from '../../src/machines/named-timers.js';
import { FakeScheduler } from '../support/fake-scheduler.js';

function counting() {
  const clock = new FakeScheduler(1000);
  let made = 0;
  const scheduler = { now: () => clock.now(), after: (ms: number, fn: () => void) => (made++, clock.after(ms, fn)) };
  return { clock, scheduler, made: () => made };
}

test('arming a name replaces that timer only; disarm stops it', () => {
  const { clock, scheduler } = counting();
  const timers = new NamedTimers<'a' | 'b'>(scheduler);
  const fired: string[] = [];
  timers.arm('a', 100, () => fired.push('a1'));
  timers.arm('b', 150, () => fired.push('b'));
  timers.arm('a', 200, () => fired.push('a2'));
  clock.advance(199);
  assert.equal(fired, ['b']);
  assert.ok(timers.isArmed('a'));
  clock.advance(1);
  assert.equal(fired, ['b', 'a2']);
  assert.not.ok(timers.isArmed('a'));
  timers.arm('b', 10, () => fired.push('b2'));
  timers.disarm('b');
  clock.advance(100);
  assert.equal(fired, ['b', 'a2']);
  assert.is(clock.armed, 0);
});

test('again re-arms a fired timer for its time and function, without a new scheduler timer', () => {
  const { clock, scheduler, made } = counting();
  const timers = new NamedTimers<'presence'>(scheduler);
  const at: number[] = [];
  const fire = () => {
    at.push(clock.now());
    if (at.length < 5) assert.ok(timers.again('presence'), 'a fired timer can be re-armed');
  };
  timers.arm('presence', 500, fire);
  clock.advance(10_000);
  assert.equal(at, [1500, 2000, 2500, 3000, 3500]);
  assert.is(made(), 1, 'one scheduler timer for five firings');
  assert.not.ok(timers.isArmed('presence'));
});

test('again refuses what it cannot repeat: never armed, still waiting, disarmed', () => {
  const { clock, scheduler } = counting();
  const timers = new NamedTimers<'x'>(scheduler);
  assert.not.ok(timers.again('x'), 'never armed');
  let fired = 0;
  timers.arm('x', 100, () => fired++);
  assert.not.ok(timers.again('x'), 'still waiting');
  clock.advance(100);
  assert.is(fired, 1);
  timers.disarm('x');
  assert.not.ok(timers.again('x'), 'disarmed after it fired');
  clock.advance(1000);
  assert.is(fired, 1);
});

test('disarmAll stops every timer; names armed later work as before', () => {
  const { clock, scheduler } = counting();
  const timers = new NamedTimers<'a' | 'b'>(scheduler);
  const fired: string[] = [];
  timers.arm('a', 10, () => fired.push('a'));
  timers.arm('b', 20, () => fired.push('b'));
  timers.disarmAll();
  clock.advance(100);
  assert.equal(fired, []);
  timers.arm('a', 10, () => fired.push('a again'));
  clock.advance(10);
  assert.equal(fired, ['a again']);
});

test('arming a name that was re-armed by again replaces it: only the new function fires', () => {
  const { clock, scheduler } = counting();
  const timers = new NamedTimers<'p'>(scheduler);
  const fired: string[] = [];
  timers.arm('p', 100, () => fired.push('old'));
  clock.advance(100);
  assert.ok(timers.again('p'));
  timers.arm('p', 300, () => fired.push('new'));
  clock.advance(1000);
  assert.equal(fired, ['old', 'new']);
});

test('the fake clock, like Node, does nothing on refresh after cancel', () => {
  const clock = new FakeScheduler(0);
  let fired = 0;
  const t = clock.after(10, () => fired++);
  t.cancel();
  t.refresh();
  clock.advance(100);
  assert.is(fired, 0);
  assert.is(clock.armed, 0);
});

test.run();
