// The gpio backend (onoff) against a fake sysfs laid out like a Raspberry Pi
// 5: the header chip found by its label (not the first chip), BCM + 571,
// export and direction through onoff, values per pattern through the panel,
// value 0 and unexport on stop, and each reason GPIO cannot be used. onoff
// hard-codes /sys/class/gpio/, so the driver runs under mock-fs in a child
// process (gpio-onoff.child.ts, about 1.5 s: tsx and onoff's loading, once
// for every scenario, and once more, alongside, for the scenario whose failed
// import would stay failed for the process); this file asserts on what it saw.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { findHeaderChip } from '../../src/panel/gpio-chip.js';
import { FakeSysfs } from './fake-sysfs.js';

type Writes = [string, string][];
interface Refusal {
  why: string;
  writes: Writes;
  left: string[];
  refusedOpens?: number;
  onoffLoaded?: boolean;
  blockedMs?: number;
}
let seen: Record<string, { crashed?: string } | undefined> = {};
const saw = <T>(scenario: string): T => {
  const r = seen[scenario];
  assert.ok(r, `the child ran '${scenario}'`);
  assert.not.ok(r.crashed, `'${scenario}' crashed in the child: ${r.crashed}`);
  return r as T;
};

/** Runs the child on the named scenarios (all but those that need a process of their own when none). */
async function runChild(...scenarios: string[]): Promise<Record<string, { crashed?: string }>> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./gpio-onoff.child.ts', import.meta.url)), ...scenarios], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const code = await new Promise<number | null>((done) => child.on('close', done));
  if (code !== 0) throw new Error(`the gpio child exited with ${code}: ${err}`);
  return JSON.parse(out.trim().split('\n').pop()!);
}

test.before(async () => {
  const [all, alone] = await Promise.all([runChild(), runChild('onoff cannot load')]);
  seen = { ...all, ...alone };
});

test('the header chip is the one labelled pinctrl-rp1, base 571, not the first chip', () => {
  const fs = FakeSysfs.pi5();
  try {
    assert.equal(findHeaderChip(fs, ['pinctrl-rp1']), { name: 'gpiochip571', label: 'pinctrl-rp1', base: 571, ngpio: 54 });
  } finally {
    fs.remove();
  }
});

test('open exports BCM + 571 and makes each an output at 0; stop writes 0 and unexports', () => {
  const r = saw<{ opened: Writes; after: string[]; lit: Writes; litValue: string; closed: Writes; left: string[] }>('open, light, close');
  assert.equal(r.opened, [
    ['class/gpio/export', '576'],
    ['class/gpio/gpio576/direction', 'low'],
    ['class/gpio/export', '577'],
    ['class/gpio/gpio577/direction', 'low'],
    ['class/gpio/export', '594'],
    ['class/gpio/gpio594/direction', 'low'],
  ]);
  assert.equal(r.after, ['out', '0']);
  assert.equal(r.lit, [['class/gpio/gpio576/value', '1']]);
  assert.is(r.litValue, '1');
  assert.equal(r.closed, [
    ['class/gpio/gpio576/value', '0'],
    ['class/gpio/gpio577/value', '0'],
    ['class/gpio/gpio594/value', '0'],
    ['class/gpio/unexport', '576'],
    ['class/gpio/unexport', '577'],
    ['class/gpio/unexport', '594'],
  ]);
  assert.equal(r.left, [], 'every pin unexported');
});

test('a pin an earlier run left exported is taken over without an export, and given back on stop', () => {
  const r = saw<{ opened: Writes; after: string[]; closed: Writes; left: string[] }>('exported by an earlier run');
  assert.equal(r.opened, [['class/gpio/gpio576/direction', 'low']]);
  assert.equal(r.after, ['out', '0']);
  assert.equal(r.closed, [
    ['class/gpio/gpio576/value', '0'],
    ['class/gpio/unexport', '576'],
  ]);
  assert.equal(r.left, []);
});

test('each pattern through the panel: the files written, in time', () => {
  const r = saw<{ steady: string[]; system: string[]; steadyWrites: Writes; fast: string; locate: string; fastWrites: number; stopped: Writes; left: string[] }>('patterns through the panel');
  // on: lit, and no further writes; off: dark. The system lamp toggles at 1 Hz (slow-blink) by the process.
  assert.equal(r.steady, ['1', '0']);
  assert.is(r.system.filter((v) => v === '1').length, 25, 'half of 50 ticks lit');
  assert.equal(r.steadyWrites, [], 'steady lamps cost no writes');
  // 5 Hz: 100 ms lit, 100 ms dark; at 20 ms a tick, inner runs of exactly 5 samples.
  const inner = (r.fast.match(/0+|1+/g) ?? []).slice(1, -1);
  assert.ok(inner.length >= 2 && inner.every((run) => run.length === 5), `fast blink samples ${r.fast}`);
  // A double flash per second: two lit runs in a second.
  assert.is((r.locate.match(/1+/g) ?? []).length, 2, `two flashes in ${r.locate}`);
  assert.ok(r.fastWrites >= 13 && r.fastWrites <= 15, `fast blink: a write per change, 10 a second, over 1.4 s: ${r.fastWrites}`);
  // A clean stop: every lamp written dark, then unexported.
  assert.equal(r.stopped.filter(([f]) => f === 'class/gpio/unexport').map(([, n]) => n), ['576', '577', '594']);
  assert.equal(r.stopped.filter(([f]) => f.endsWith('/value')).map(([, v]) => v).filter((v) => v !== '0'), []);
  assert.equal(r.left, []);
});

test('GPIO not accessible: each reason said exactly, nothing exported, onoff not loaded before sysfs is known', () => {
  const none = saw<Refusal>('no sysfs gpio');
  assert.match(none.why, /^gpio panel unavailable: \/sys\/class\/gpio does not exist: this kernel has no sysfs GPIO/);
  assert.is(none.onoffLoaded, false, 'a machine without GPIO never loads onoff or epoll');
  const noRp1 = saw<Refusal>('no rp1 chip');
  assert.match(noRp1.why, /no gpiochip labelled 'pinctrl-rp1' .*found: gpiochip512 'pinctrl-bcm2711'/);
  assert.is(noRp1.onoffLoaded, false);
  const tooHigh = saw<Refusal>('bcm beyond the chip');
  assert.match(tooHigh.why, /lamp x: BCM 60 is beyond gpiochip571's 54 lines/);
  const denied = saw<Refusal>('export denied');
  assert.match(denied.why, /cannot open \/sys\/class\/gpio\/export for writing \(EACCES\): the service user needs write access to it \(group gpio\); no GPIO was exported/);
  for (const r of [none, noRp1, tooHigh, denied]) {
    assert.equal(r.writes, [], r.why);
    assert.equal(r.left, []);
  }
});

test('a pin another driver holds (EBUSY): said, and the pins exported before it given back', () => {
  const r = saw<Refusal>('pin held by another driver');
  assert.match(r.why, /cannot export GPIO 577 \(BCM 6 \+ base 571 of gpiochip571\) for lamp line:m1-s2: writing \/sys\/class\/gpio\/export failed with EBUSY: another driver holds BCM 6/);
  assert.equal(r.writes, [
    ['class/gpio/export', '576'],
    ['class/gpio/gpio576/direction', 'low'],
    ['class/gpio/export', '577'],
    ['class/gpio/gpio576/value', '0'],
    ['class/gpio/unexport', '576'],
  ]);
  assert.equal(r.left, []);
});

test('a fresh export not yet writable (udev still at work) is waited for by onoff', () => {
  const r = saw<{ refusedOpens: number; direction: string; writes: Writes }>('udev late');
  assert.is(r.refusedOpens, 5, 'value refused 3 times, direction twice, then opened');
  assert.is(r.direction, 'out');
  assert.equal(r.writes, [
    ['class/gpio/export', '576'],
    ['class/gpio/gpio576/direction', 'low'],
  ]);
});

test('udev never makes a fresh export writable: onoff gives up, the reason is said, every pin given back', () => {
  const r = saw<Refusal>('udev never runs');
  assert.match(r.why, /lamp line:m1-s2: GPIO 577 \(BCM 6 \+ base 571 of gpiochip571\) is exported but \/sys\/class\/gpio\/gpio577\/value failed with EACCES \(the udev rule that gives exported GPIOs to group gpio did not run\)/);
  assert.is(r.refusedOpens, 10_000, "onoff's own limit");
  assert.equal(r.writes.filter(([f]) => f === 'class/gpio/unexport').map(([, n]) => n), ['576', '577']);
  assert.equal(r.left, []);
});

test('onoff that cannot be loaded (epoll never built) is a reason too, not a crash', () => {
  const r = saw<Refusal>('onoff cannot load');
  assert.match(r.why, /^gpio panel unavailable: cannot load onoff: .*epoll.* \(its native epoll addon is built by npm install; rebuild it with npm rebuild epoll\)$/);
  assert.equal(r.writes, []);
});

test('a value write that fails names the file', () => {
  assert.is(saw<{ error: string }>('a value write fails').error, 'writing /sys/class/gpio/gpio576/value failed with EIO');
});

test.run();
