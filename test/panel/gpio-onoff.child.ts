// Runs the gpio backend (onoff) against a fake Raspberry Pi 5 sysfs, in a
// process of its own: onoff hard-codes /sys/class/gpio/, and mock-fs, which
// fakes it, replaces the file system of the whole process. Each scenario
// installs the fake kernel, drives the driver (or the panel on a fake clock),
// takes it away and keeps what it saw; the JSON of all of them is printed at
// the end (nothing can be printed while mock-fs holds the file system) and
// test/panel/gpio.test.ts asserts on it.
import { PanelUnavailableError, type Lamp } from '../../src/panel/driver.js';
import { GpioDriver } from '../../src/panel/gpio-driver.js';
import { FrontPanel, TICK_MS } from '../../src/panel/panel.js';
import type { StatusView } from '../../src/status/view.js';
import { FakeGpioKernel, onoffLoaded, PI5_CHIPS } from './fake-gpio-kernel.js';
import { FakeScheduler } from './fake-scheduler.js';
import { viewWith } from './views.js';

const LAMPS: Lamp[] = [
  { id: 'line:m1-s1', role: 'line', target: 'm1-s1', bcm: 5 },
  { id: 'line:m1-s2', role: 'line', target: 'm1-s2', bcm: 6 },
  { id: 'system', role: 'system', target: 'system', bcm: 23 },
];
const rp1 = (): GpioDriver => new GpioDriver({ chipLabels: ['pinctrl-rp1'] });

/** Opens the driver on a fresh fake kernel and says why it could not, or 'opened'. */
async function reason(setUp: (k: FakeGpioKernel) => void, lamps: Lamp[] = LAMPS, tree?: ConstructorParameters<typeof FakeGpioKernel>[0]) {
  const k = new FakeGpioKernel(tree);
  try {
    setUp(k);
    const driver = rp1();
    try {
      await driver.open(lamps);
      await driver.close();
      return { why: 'opened', writes: k.take(), left: exportedNow(k) };
    } catch (e) {
      return { why: e instanceof PanelUnavailableError ? e.message : `not a PanelUnavailableError: ${String(e)}`, writes: k.take(), left: exportedNow(k), refusedOpens: k.refusedOpens };
    }
  } finally {
    k.remove();
  }
}

const exportedNow = (k: FakeGpioKernel): string[] => [576, 577, 594].filter((n) => k.now(`class/gpio/gpio${n}/value`) !== undefined).map(String);

const scenarios: Record<string, () => Promise<unknown>> = {
  // First, while nothing has loaded onoff: a machine without sysfs GPIO never loads it (nor epoll).
  async 'no sysfs gpio'() {
    const r = await reason(() => {}, LAMPS, {});
    return { ...r, onoffLoaded: onoffLoaded() };
  },
  async 'no rp1 chip'() {
    const r = await reason(() => {}, LAMPS, { chips: [{ name: 'gpiochip512', label: 'pinctrl-bcm2711', base: 512, ngpio: 58 }] });
    return { ...r, onoffLoaded: onoffLoaded() };
  },
  async 'bcm beyond the chip'() {
    const r = await reason(() => {}, [{ id: 'x', role: 'line', target: 'x', bcm: 60 }]);
    return { ...r, onoffLoaded: onoffLoaded() };
  },
  async 'export denied'() {
    const r = await reason((k) => k.denied.add('class/gpio/export'));
    return { ...r, onoffLoaded: onoffLoaded() };
  },
  // Alone in its process (the test runs it so): a failed import stays failed for the process.
  async 'onoff cannot load'() {
    const r = await reason(() => {}, LAMPS, { chips: PI5_CHIPS, missing: ['epoll'] });
    return { ...r, onoffLoaded: onoffLoaded() };
  },
  'pin held by another driver': () => reason((k) => k.held.add(577)),
  'udev never runs': async () => {
    const startedAt = performance.now();
    const r = await reason((k) => k.udevLag.set('class/gpio/gpio577/value', Infinity));
    return { ...r, blockedMs: Math.round(performance.now() - startedAt) };
  },
  async 'udev late'() {
    const k = new FakeGpioKernel();
    try {
      k.udevLag.set('class/gpio/gpio576/value', 3);
      k.udevLag.set('class/gpio/gpio576/direction', 2);
      await rp1().open([LAMPS[0]!]);
      return { refusedOpens: k.refusedOpens, direction: k.now('class/gpio/gpio576/direction'), writes: k.take() };
    } finally {
      k.remove();
    }
  },
  async 'open, light, close'() {
    const k = new FakeGpioKernel();
    try {
      const driver = rp1();
      await driver.open(LAMPS);
      const opened = k.take();
      const after = [k.now('class/gpio/gpio576/direction'), k.now('class/gpio/gpio576/value')];
      driver.level(LAMPS[0]!, true);
      const lit = k.take();
      const litValue = k.now('class/gpio/gpio576/value');
      await driver.close();
      return { opened, after, lit, litValue, closed: k.take(), left: exportedNow(k) };
    } finally {
      k.remove();
    }
  },
  async 'exported by an earlier run'() {
    const k = new FakeGpioKernel({ chips: PI5_CHIPS, exported: [576] });
    try {
      const driver = rp1();
      await driver.open([LAMPS[0]!]);
      const opened = k.take();
      const after = [k.now('class/gpio/gpio576/direction'), k.now('class/gpio/gpio576/value')];
      await driver.close();
      return { opened, after, closed: k.take(), left: exportedNow(k) };
    } finally {
      k.remove();
    }
  },
  async 'a value write fails'() {
    const k = new FakeGpioKernel();
    try {
      const driver = rp1();
      await driver.open([LAMPS[0]!]);
      k.broken.add('class/gpio/gpio576/value');
      let error = 'none';
      try {
        driver.level(LAMPS[0]!, true);
      } catch (e) {
        error = (e as Error).message;
      }
      k.broken.clear();
      await driver.close();
      return { error };
    } finally {
      k.remove();
    }
  },
  async 'patterns through the panel'() {
    const k = new FakeGpioKernel();
    const clock = new FakeScheduler(1_000);
    try {
      let view: StatusView = viewWith({ 'm1-s1': { pattern: 'on', state: 'idle' }, 'm1-s2': { pattern: 'off', state: 'device-missing' } }, 'slow-blink');
      const panel = new FrontPanel({ lamps: LAMPS, driver: rp1(), scheduler: clock, view: () => view });
      await panel.start();
      k.take();
      const values = (gpio: number, ms: number): string[] => {
        const out: string[] = [];
        for (let t = 0; t < ms; t += TICK_MS) {
          clock.advance(TICK_MS);
          out.push(k.now(`class/gpio/gpio${gpio}/value`)!);
        }
        return out;
      };
      const steady = [k.now('class/gpio/gpio576/value'), k.now('class/gpio/gpio577/value')];
      const system = values(594, 1_000);
      const steadyWrites = k.take().filter(([f]) => f.includes('gpio576') || f.includes('gpio577'));
      view = viewWith({ 'm1-s1': { pattern: 'fast-blink', state: 'errors' }, 'm1-s2': { pattern: 'locate', state: 'locate' } }, 'slow-blink');
      clock.advance(100); // the next view
      k.take();
      const fast = values(576, 400).join('');
      const locate = values(577, 1_000).join('');
      const fastWrites = k.take().filter(([f]) => f === 'class/gpio/gpio576/value').length;
      await panel.stop();
      const stopped = k.take();
      return { steady, system, steadyWrites, fast, locate, fastWrites, stopped, left: exportedNow(k) };
    } finally {
      k.remove();
    }
  },
};

/** Scenarios that must run in a process of their own, named on the command line. */
const ALONE = new Set(['onoff cannot load']);
const named = process.argv.slice(2);
const results: Record<string, unknown> = {};
for (const [name, run] of Object.entries(scenarios)) {
  if (named.length > 0 ? !named.includes(name) : ALONE.has(name)) continue;
  try {
    results[name] = await run();
  } catch (e) {
    results[name] = { crashed: (e as Error).stack ?? String(e) };
  }
}
process.stdout.write(`${JSON.stringify(results)}\n`);
