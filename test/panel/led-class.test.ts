// The led-class backend against a fake /sys/class/leds: simple blinks handed
// to the kernel's timer trigger, steady levels and the locate flash written
// by the process, the system lamp never on a kernel timer, all off on stop.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PanelUnavailableError, type Lamp } from '../../src/panel/driver.js';
import { LedClassDriver } from '../../src/panel/led-class-driver.js';
import { FrontPanel } from '../../src/panel/panel.js';
import type { StatusView } from '../../src/status/view.js';
import { FakeScheduler } from './fake-scheduler.js';
import { FakeSysfs } from './fake-sysfs.js';
import { viewWith } from './views.js';

const lamps: Lamp[] = [
  { id: 'line:m1-s1', role: 'line', target: 'm1-s1', ledClass: 'persomux-m1-s1' },
  { id: 'line:m1-s2', role: 'line', target: 'm1-s2', ledClass: 'persomux-m1-s2' },
  { id: 'system', role: 'system', target: 'system', ledClass: 'persomux-system' },
];

function tree(): FakeSysfs {
  const fs = new FakeSysfs();
  fs.led('persomux-m1-s1', 255);
  fs.led('persomux-m1-s2');
  fs.led('persomux-system');
  return fs;
}

test('open: trigger none and brightness 0 on each LED', async () => {
  const fs = tree();
  try {
    await new LedClassDriver(fs).open(lamps);
    assert.equal(fs.take(), [
      ['class/leds/persomux-m1-s1/trigger', 'none'],
      ['class/leds/persomux-m1-s1/brightness', '0'],
      ['class/leds/persomux-m1-s2/trigger', 'none'],
      ['class/leds/persomux-m1-s2/brightness', '0'],
      ['class/leds/persomux-system/trigger', 'none'],
      ['class/leds/persomux-system/brightness', '0'],
    ]);
  } finally {
    fs.remove();
  }
});

test('through the panel: slow and fast blink on the kernel timer, on at max_brightness, locate and the system lamp by the process', async () => {
  const fs = tree();
  const clock = new FakeScheduler(0);
  try {
    let view: StatusView = viewWith({ 'm1-s1': { pattern: 'slow-blink', state: 'waiting-for-server' }, 'm1-s2': { pattern: 'on', state: 'idle' } }, 'slow-blink');
    const panel = new FrontPanel({ lamps, driver: new LedClassDriver(fs), scheduler: clock, view: () => view });
    await panel.start();
    const first = fs.take().slice(6);
    assert.equal(first.filter(([f]) => f.includes('m1-s1')), [
      ['class/leds/persomux-m1-s1/trigger', 'timer'],
      ['class/leds/persomux-m1-s1/delay_on', '500'],
      ['class/leds/persomux-m1-s1/delay_off', '500'],
    ]);
    assert.equal(first.filter(([f]) => f.includes('m1-s2')), [['class/leds/persomux-m1-s2/brightness', '1']]);
    clock.advance(2_000);
    const later = fs.take();
    assert.equal(later.filter(([f]) => f.includes('m1-s1') || f.includes('m1-s2')), [], 'the kernel blinks; steady costs nothing');
    const sys = later.filter(([f]) => f.includes('persomux-system'));
    assert.ok(sys.length >= 3 && sys.every(([f]) => f === 'class/leds/persomux-system/brightness'), 'the system lamp: brightness toggled by the process, never a trigger');
    assert.is(fs.now('class/leds/persomux-system/trigger'), 'none');

    view = viewWith({ 'm1-s1': { pattern: 'fast-blink', state: 'errors' }, 'm1-s2': { pattern: 'locate', state: 'locate' } }, 'slow-blink');
    clock.advance(100);
    const changed = fs.take();
    assert.equal(changed.filter(([f]) => f.includes('m1-s1')), [
      ['class/leds/persomux-m1-s1/trigger', 'timer'],
      ['class/leds/persomux-m1-s1/delay_on', '100'],
      ['class/leds/persomux-m1-s1/delay_off', '100'],
    ]);
    clock.advance(1_000);
    const flashes = fs.take().filter(([f]) => f === 'class/leds/persomux-m1-s2/brightness').map(([, v]) => v);
    assert.equal(flashes.filter((v) => v === '1').length, 2, `a double flash each second: ${flashes.join(',')}`);

    view = viewWith({ 'm1-s1': { pattern: 'on', state: 'idle' }, 'm1-s2': { pattern: 'off', state: 'device-missing' } }, 'slow-blink');
    clock.advance(100);
    const back = fs.take().filter(([f]) => f.includes('m1-s1'));
    assert.equal(back, [['class/leds/persomux-m1-s1/trigger', 'none'], ['class/leds/persomux-m1-s1/brightness', '255']], 'timer off, then lit at max_brightness');
    assert.is(fs.now('class/leds/persomux-m1-s1/delay_on'), undefined, 'the kernel removed delay_on with the timer');

    await panel.stop();
    for (const l of ['persomux-m1-s1', 'persomux-m1-s2', 'persomux-system']) {
      assert.equal([fs.now(`class/leds/${l}/trigger`), fs.now(`class/leds/${l}/brightness`)], ['none', '0'], `${l} off after a clean stop`);
    }
  } finally {
    fs.remove();
  }
});

test('delay_on still root-owned (no udev rule yet): the process blinks the lamp instead', async () => {
  const fs = tree();
  const clock = new FakeScheduler(0);
  try {
    fs.denied.add('class/leds/persomux-m1-s1/delay_on');
    const view = viewWith({ 'm1-s1': { pattern: 'slow-blink', state: 'waiting-for-server' }, 'm1-s2': { pattern: 'off', state: 'device-missing' } });
    const panel = new FrontPanel({ lamps, driver: new LedClassDriver(fs), scheduler: clock, view: () => view });
    await panel.start();
    clock.advance(2_000);
    const writes = fs.take().filter(([f]) => f.includes('m1-s1'));
    assert.ok(writes.some(([f, v]) => f.endsWith('/trigger') && v === 'none'), 'timer given up');
    assert.ok(writes.filter(([f]) => f.endsWith('/brightness')).length >= 4, 'brightness toggled by the process');
    await panel.stop();
  } finally {
    fs.remove();
  }
});

test('a missing LED names the overlay line it needs; a write refused names the udev rule', async () => {
  const fs = new FakeSysfs();
  const denied = tree();
  denied.denied.add('class/leds/persomux-m1-s1/trigger');
  try {
    const err = await new LedClassDriver(fs).open(lamps).catch((e: Error) => e);
    assert.instance(err, PanelUnavailableError);
    assert.match((err as Error).message, /class\/leds\/persomux-m1-s1 does not exist for lamp line:m1-s1: the boot config needs 'dtoverlay=gpio-led,gpio=<BCM>,label=persomux-m1-s1,trigger=none'/);
    const err2 = await new LedClassDriver(denied).open(lamps).catch((e: Error) => e);
    assert.match((err2 as Error).message, /persomux-m1-s1\/trigger failed with EACCES \(the udev rule for the persomux LEDs is missing/);
  } finally {
    fs.remove();
    denied.remove();
  }
});

test.run();
