// The panel on a fake clock with a recording driver: flicker on traffic at
// most once per 100 ms, the system lamp always toggled by the process, the
// lamp test, locate for 30 s through the status model, a clean stop, and a
// driver that fails mid-run.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Lamp, LedDriver } from '../../src/panel/driver.js';
import { FLICKER_OFF_MS, FrontPanel, LAMP_TEST } from '../../src/panel/panel.js';
import { createLogger } from '../../src/log/logger.js';
import { createStatusModel } from '../../src/status/model.js';
import type { StatusView } from '../../src/status/view.js';
import { snapshot, upEvents } from '../status/helpers.js';
import { FakeScheduler } from './fake-scheduler.js';
import { RecordingDriver } from './recording-driver.js';
import { viewWith } from './views.js';

const lamps: Lamp[] = [
  { id: 'system', role: 'system', target: 'system' },
  { id: 'line:m1-s1', role: 'line', target: 'm1-s1' },
  { id: 'line:m1-s2', role: 'line', target: 'm1-s2' },
  { id: 'server:ds1', role: 'server', target: 'ds1' },
];

test('traffic flickers a steady lamp dark for 40 ms, at most once per 100 ms however busy the line', async () => {
  const clock = new FakeScheduler(0);
  const driver = new RecordingDriver(() => clock.now());
  let traffic: number | undefined;
  const panel = new FrontPanel({ lamps, driver, scheduler: clock, view: () => viewWith({ 'm1-s1': { pattern: 'on', state: 'in-flight', ...(traffic === undefined ? {} : { lastTrafficAt: traffic }) }, 'm1-s2': { pattern: 'on', state: 'idle' } }) });
  await panel.start();
  clock.advance(1_000);
  const before = driver.writesOf('line:m1-s1', 1);
  // A frame every 2 ms for a second: 500 frames.
  for (let i = 0; i < 500; i++) {
    traffic = clock.now();
    clock.advance(2);
  }
  const darkAt = driver.writesOf('line:m1-s1', 1_000).filter(([, on]) => !on).map(([t]) => t);
  assert.equal(before, [], 'a quiet steady lamp is not written');
  assert.ok(darkAt.length >= 8 && darkAt.length <= 10, `about 10 flickers in a busy second, got ${darkAt.length}`);
  for (let i = 1; i < darkAt.length; i++) assert.ok(darkAt[i]! - darkAt[i - 1]! >= 100, 'never two flickers within 100 ms');
  const writes = driver.writesOf('line:m1-s1', 1_000);
  for (let i = 0; i + 1 < writes.length; i += 2) assert.is(writes[i + 1]![0] - writes[i]![0], FLICKER_OFF_MS, "dark for 40 ms (two 20 ms ticks)");
  assert.is(driver.writesOf('line:m1-s2', 1_000).length, 0, 'the quiet line is not touched');
  await panel.stop();
});

test('the system lamp is toggled by the process even where the driver could blink by itself; other lamps may be delegated', async () => {
  const clock = new FakeScheduler(0);
  const driver = new RecordingDriver(() => clock.now(), ['slow-blink']);
  const panel = new FrontPanel({ lamps, driver, scheduler: clock, view: () => viewWith({ 'm1-s1': { pattern: 'slow-blink', state: 'waiting-for-server' }, 'm1-s2': { pattern: 'off', state: 'device-missing' } }, 'slow-blink') });
  await panel.start();
  clock.advance(3_000);
  assert.ok(driver.writesOf('system').length >= 5, 'system toggled at 1 Hz by the process');
  assert.is(driver.writesOf('line:m1-s1').length, 0, 'the line blink is the driver\'s own');
  await panel.stop();
});

test('lamp test: every lamp on, then each in turn, then the picture', async () => {
  const clock = new FakeScheduler(0);
  const driver = new RecordingDriver(() => clock.now());
  const view = viewWith({ 'm1-s1': { pattern: 'on', state: 'idle' }, 'm1-s2': { pattern: 'off', state: 'device-missing' } }, 'on', { ds1: { pattern: 'on', state: 'ready' } });
  const panel = new FrontPanel({ lamps, driver, scheduler: clock, view: () => view });
  await panel.start();
  let done = false;
  void panel.runLampTest().then(() => (done = true));
  const lit = (): string[] => lamps.map((l) => l.id).filter((id) => driver.levels.get(id));
  clock.advance(500);
  assert.equal(lit(), lamps.map((l) => l.id), 'all on');
  assert.is(driver.state('line:m1-s2'), 'lamp-test');
  for (let i = 0; i < lamps.length; i++) {
    clock.advance(i === 0 ? LAMP_TEST.allOnMs - 500 + 100 : LAMP_TEST.eachMs);
    assert.equal(lit(), [lamps[i]!.id], `turn ${i}`);
  }
  clock.advance(LAMP_TEST.eachMs);
  await Promise.resolve();
  assert.ok(done, 'the lamp test ended');
  assert.equal(lit(), ['system', 'line:m1-s1', 'server:ds1'], 'the picture is back');
  await panel.stop();
});

test('locate through the status model: the locate pattern for 30 s, then the line\'s own state', async () => {
  const clock = new FakeScheduler(0);
  const driver = new RecordingDriver(() => clock.now());
  const model = createStatusModel(snapshot(['m1-s1', 'm1-s2'], ['ds1']), { startedAt: 0 });
  for (const e of upEvents(['m1-s1', 'm1-s2'], ['ds1'])) model.apply(e, 0);
  const panel = new FrontPanel({ lamps, driver, scheduler: clock, view: () => model.view(clock.now()) });
  await panel.start();
  clock.advance(200);
  assert.ok(model.locate('m1-s2', clock.now()));
  clock.advance(200);
  assert.equal([driver.pattern('line:m1-s2'), driver.state('line:m1-s2')], ['locate', 'locate']);
  const from = clock.now();
  clock.advance(1_000);
  assert.is(driver.writesOf('line:m1-s2', from).filter(([, on]) => on).length, 2, 'a double flash a second');
  clock.advance(28_700);
  assert.is(driver.pattern('line:m1-s2'), 'locate');
  clock.advance(200);
  assert.equal([driver.pattern('line:m1-s2'), driver.state('line:m1-s2')], ['on', 'no-station'], 'after 30 s');
  await panel.stop();
});

test('a clean stop turns every lamp off and closes the driver; no timer is left', async () => {
  const clock = new FakeScheduler(0);
  const driver = new RecordingDriver(() => clock.now());
  const panel = new FrontPanel({ lamps, driver, scheduler: clock, view: () => viewWith({ 'm1-s1': { pattern: 'on', state: 'idle' }, 'm1-s2': { pattern: 'on', state: 'idle' } }, 'on', { ds1: { pattern: 'on', state: 'ready' } }) });
  await panel.start();
  clock.advance(100);
  assert.ok(driver.levels.get('line:m1-s1'));
  await panel.stop();
  for (const l of lamps) assert.equal([driver.levels.get(l.id), driver.pattern(l.id)], [false, 'off'], l.id);
  assert.ok(driver.closed);
  assert.is(clock.pending, 0);
});

test('a driver that fails mid-run: logged once, the panel stops ticking, nothing thrown', async () => {
  const clock = new FakeScheduler(0);
  const logs: string[] = [];
  let fail = false;
  const recording = new RecordingDriver(() => clock.now());
  const driver: LedDriver = {
    kind: 'flaky',
    open: (l) => recording.open(),
    show: (l, s, d) => recording.show(l, s, d),
    level: (l, on) => {
      if (fail) throw Object.assign(new Error('EIO: i/o error, write'), { code: 'EIO' });
      recording.level(l, on);
    },
    close: () => recording.close(),
  };
  let view: StatusView = viewWith({ 'm1-s1': { pattern: 'on', state: 'idle' }, 'm1-s2': { pattern: 'off', state: 'device-missing' } });
  const panel = new FrontPanel({ lamps, driver, scheduler: clock, view: () => view, log: createLogger({ level: 'debug', write: (l) => logs.push(l) }) });
  await panel.start();
  fail = true;
  clock.advance(2_000);
  view = viewWith({ 'm1-s1': { pattern: 'off', state: 'device-missing' }, 'm1-s2': { pattern: 'on', state: 'idle' } });
  clock.advance(2_000);
  assert.is(logs.filter((l) => l.includes('panel.write-failed')).length, 1);
  assert.match(logs.join('\n'), /EIO/);
  assert.is(clock.pending, 0);
  await panel.stop();
});

test.run();
