// The gpio backend against a fake sysfs laid out like a Raspberry Pi 5: the
// header chip found by its label (not the first chip), BCM + 571, export,
// direction, values per pattern through the panel, value 0 and unexport on stop.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PanelUnavailableError, type Lamp } from '../../src/panel/driver.js';
import { findHeaderChip } from '../../src/panel/gpio-chip.js';
import { GpioDriver } from '../../src/panel/gpio-driver.js';
import { FrontPanel, TICK_MS } from '../../src/panel/panel.js';
import type { StatusView } from '../../src/status/view.js';
import { FakeScheduler } from './fake-scheduler.js';
import { FakeSysfs } from './fake-sysfs.js';
import { viewWith } from './views.js';

const lamps: Lamp[] = [
  { id: 'line:m1-s1', role: 'line', target: 'm1-s1', bcm: 5 },
  { id: 'line:m1-s2', role: 'line', target: 'm1-s2', bcm: 6 },
  { id: 'system', role: 'system', target: 'system', bcm: 23 },
];
const noPause = async (): Promise<void> => {};

test('the header chip is the one labelled pinctrl-rp1, base 571, not the first chip', () => {
  const fs = FakeSysfs.pi5();
  try {
    assert.equal(findHeaderChip(fs, ['pinctrl-rp1']), { name: 'gpiochip571', label: 'pinctrl-rp1', base: 571, ngpio: 54 });
  } finally {
    fs.remove();
  }
});

test('open exports BCM + 571 and makes each an output at 0; stop writes 0 and unexports', async () => {
  const fs = FakeSysfs.pi5();
  try {
    const driver = new GpioDriver({ files: fs, chipLabels: ['pinctrl-rp1'], pause: noPause });
    await driver.open(lamps);
    assert.equal(fs.take(), [
      ['class/gpio/export', '576'],
      ['class/gpio/gpio576/direction', 'low'],
      ['class/gpio/export', '577'],
      ['class/gpio/gpio577/direction', 'low'],
      ['class/gpio/export', '594'],
      ['class/gpio/gpio594/direction', 'low'],
    ]);
    assert.equal([fs.now('class/gpio/gpio576/direction'), fs.now('class/gpio/gpio576/value')], ['out', '0']);
    driver.level(lamps[0]!, true);
    assert.equal(fs.take(), [['class/gpio/gpio576/value', '1']]);
    await driver.close();
    assert.equal(fs.take(), [
      ['class/gpio/gpio576/value', '0'],
      ['class/gpio/gpio577/value', '0'],
      ['class/gpio/gpio594/value', '0'],
      ['class/gpio/unexport', '576'],
      ['class/gpio/unexport', '577'],
      ['class/gpio/unexport', '594'],
    ]);
    assert.is(fs.now('class/gpio/gpio576'), undefined, 'unexported');
  } finally {
    fs.remove();
  }
});

test('a pin exported already (by an earlier run) is used as it is and not unexported', async () => {
  const fs = FakeSysfs.pi5();
  try {
    fs.write('class/gpio/export', '576');
    fs.take();
    const driver = new GpioDriver({ files: fs, chipLabels: ['pinctrl-rp1'], pause: noPause });
    await driver.open([lamps[0]!]);
    assert.equal(fs.take(), [['class/gpio/gpio576/direction', 'low']]);
    await driver.close();
    assert.equal(fs.take(), [['class/gpio/gpio576/value', '0']]);
  } finally {
    fs.remove();
  }
});

test('each pattern through the panel: the files written, in time', async () => {
  const fs = FakeSysfs.pi5();
  const clock = new FakeScheduler(1_000);
  try {
    let view: StatusView = viewWith({ 'm1-s1': { pattern: 'on', state: 'idle' }, 'm1-s2': { pattern: 'off', state: 'device-missing' } }, 'slow-blink');
    const panel = new FrontPanel({ lamps, driver: new GpioDriver({ files: fs, chipLabels: ['pinctrl-rp1'], pause: noPause }), scheduler: clock, view: () => view });
    await panel.start();
    fs.take();
    const values = (gpio: number, ms: number): string[] => {
      const out: string[] = [];
      for (let t = 0; t < ms; t += TICK_MS) {
        clock.advance(TICK_MS);
        out.push(fs.now(`class/gpio/gpio${gpio}/value`)!);
      }
      return out;
    };
    // on: lit, and no further writes; off: dark. The system lamp toggles at 1 Hz (slow-blink) by the process.
    assert.equal([fs.now('class/gpio/gpio576/value'), fs.now('class/gpio/gpio577/value')], ['1', '0']);
    const sys = values(594, 1_000);
    assert.is(sys.filter((v) => v === '1').length, 25, 'half of 50 ticks lit');
    assert.equal(fs.take().filter(([f]) => f.includes('gpio576') || f.includes('gpio577')), [], 'steady lamps cost no writes');
    view = viewWith({ 'm1-s1': { pattern: 'fast-blink', state: 'errors' }, 'm1-s2': { pattern: 'locate', state: 'locate' } }, 'slow-blink');
    clock.advance(100); // the next view
    fs.take();
    const fast = values(576, 400).join('');
    // 5 Hz: 100 ms lit, 100 ms dark; at 20 ms a tick, inner runs of exactly 5 samples.
    const inner = (fast.match(/0+|1+/g) ?? []).slice(1, -1);
    assert.ok(inner.length >= 2 && inner.every((r) => r.length === 5), `fast blink samples ${fast}`);
    const locate = values(577, 1_000);
    // A double flash per second: two lit runs in a second.
    const runs = locate.join('').match(/1+/g) ?? [];
    assert.is(runs.length, 2, `two flashes in ${locate.join('')}`);
    const writes576 = fs.take().filter(([f]) => f === 'class/gpio/gpio576/value');
    assert.ok(writes576.length >= 13 && writes576.length <= 15, `fast blink: a write per change, 10 a second, over 1.4 s: ${writes576.length}`);
    await panel.stop();
    assert.equal(fs.take().filter(([f]) => f === 'class/gpio/unexport').map(([, n]) => n), ['576', '577', '594']);
  } finally {
    fs.remove();
  }
});

test('GPIO not accessible: each reason said exactly', async () => {
  const empty = new FakeSysfs();
  const noRp1 = new FakeSysfs();
  noRp1.chip('gpiochip512', 'pinctrl-bcm2711', 512, 58);
  const denied = FakeSysfs.pi5();
  denied.denied.add('class/gpio/export');
  const busy = FakeSysfs.pi5();
  try {
    const reason = async (fs: FakeSysfs): Promise<string> => {
      try {
        await new GpioDriver({ files: fs, chipLabels: ['pinctrl-rp1'], pause: noPause }).open(lamps);
        return 'opened';
      } catch (e) {
        assert.instance(e, PanelUnavailableError);
        return (e as Error).message;
      }
    };
    assert.match(await reason(empty), /class\/gpio does not exist: this kernel has no sysfs GPIO/);
    assert.match(await reason(noRp1), /no gpiochip labelled 'pinctrl-rp1' .*found: gpiochip512 'pinctrl-bcm2711'/);
    assert.match(await reason(denied), /cannot export GPIO 576 \(BCM 5 \+ base 571 of gpiochip571\) for lamp line:m1-s1: writing .*class\/gpio\/export failed with EACCES: the service user needs write access/);
    const tooHigh = await new GpioDriver({ files: busy, chipLabels: ['pinctrl-rp1'], pause: noPause }).open([{ id: 'x', role: 'line', target: 'x', bcm: 60 }]).catch((e: Error) => e.message);
    assert.match(String(tooHigh), /BCM 60 is beyond gpiochip571's 54 lines/);
  } finally {
    for (const fs of [empty, noRp1, denied, busy]) fs.remove();
  }
});

test('a fresh export not yet writable (udev still at work) is waited for', async () => {
  const fs = FakeSysfs.pi5();
  try {
    fs.denied.add('class/gpio/gpio576/direction');
    let pauses = 0;
    const driver = new GpioDriver({
      files: fs,
      chipLabels: ['pinctrl-rp1'],
      pause: async () => {
        if (++pauses === 3) fs.denied.clear(); // udev ran
      },
    });
    await driver.open([lamps[0]!]);
    assert.is(pauses, 3);
    assert.is(fs.now('class/gpio/gpio576/direction'), 'out');
  } finally {
    fs.remove();
  }
});

test.run();
