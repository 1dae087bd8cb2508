// The periodic tick over one-shot timers, on the fake clock: on the grid,
// stoppable from inside its own tick, and after a blocked loop one late tick,
// then back on the grid (no burst of the ticks that were missed).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { every } from '../../src/machines/every.js';
import { FakeScheduler } from '../support/fake-scheduler.js';

test('ticks every ms from the moment it starts, never before the first period', () => {
  const clock = new FakeScheduler(1_000);
  const at: number[] = [];
  every(clock, 20, () => at.push(clock.now()));
  clock.advance(19);
  assert.equal(at, []);
  clock.advance(81);
  assert.equal(at, [1_020, 1_040, 1_060, 1_080, 1_100]);
  assert.is(clock.armed, 1);
});

test('cancel stops it, also from inside its own tick', () => {
  const clock = new FakeScheduler();
  const at: number[] = [];
  const ticker = every(clock, 10, () => {
    at.push(clock.now());
    if (at.length === 3) ticker.cancel();
  });
  clock.advance(100);
  assert.equal(at, [10, 20, 30]);
  assert.is(clock.armed, 0);
});

test('after a stall: one late tick, then the next point of the original grid', () => {
  const clock = new FakeScheduler();
  const at: number[] = [];
  every(clock, 20, () => at.push(clock.now()));
  clock.advance(40);
  clock.stall(75); // blocked 40..115: the ticks due at 60, 80, 100 were missed
  clock.advance(30);
  assert.equal(at, [20, 40, 115, 120, 140]);
});

test('a tick that throws does not stop the ticks after it', () => {
  const clock = new FakeScheduler();
  let ticks = 0;
  every(clock, 5, () => {
    ticks++;
    throw new Error('one bad tick');
  });
  for (let i = 0; i < 3; i++) assert.throws(() => clock.advance(5), /one bad tick/);
  assert.is(ticks, 3);
  assert.is(clock.armed, 1);
});

test('a period that is not positive is refused, naming it', () => {
  assert.throws(() => every(new FakeScheduler(), 0, () => {}), /period must be a positive number of ms, got 0/);
  assert.throws(() => every(new FakeScheduler(), Number.NaN, () => {}), /got NaN/);
});

test.run();
