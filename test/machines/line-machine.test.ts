// The station line's lifecycle: first as plain values through lineStep, then
// the real shell (StationLine) on a fake clock with in-memory devices, so
// reopen backoff and the presence check take no real time.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { initialLine, lineStep, LINE_BACKOFF, PRESENCE_CHECK_MS, type LineEvent, type LineMachine } from '../../src/machines/line-machine.js';
import { StationLine } from '../../src/lines/station-line.js';
import { createLogger } from '../../src/log/logger.js';
import type { LineConfig } from '../../src/config/types.js';
import { FakeScheduler } from '../support/fake-scheduler.js';
import { MemoryDevices, settle } from '../support/memory-transport.js';

const pure = suite('line machine: transitions');

function drive(events: LineEvent[], from: LineMachine = initialLine) {
  let m = from;
  const kinds: string[] = [];
  for (const e of events) {
    const step = lineStep(m, e);
    m = step.machine;
    kinds.push(...step.effects.map((x) => (x.kind === 'phase' ? `phase:${x.phase}:${x.level}` : x.kind === 'arm' ? `arm:${x.timer}:${x.ms}` : x.kind === 'disarm' ? `disarm:${x.timer}` : x.kind)));
  }
  return { m, kinds };
}

pure('start opens; opened is up with a presence check', () => {
  const { m, kinds } = drive([{ kind: 'start' }, { kind: 'opened' }]);
  assert.is(m.phase, 'open');
  assert.equal(kinds, ['phase:opening:debug', 'open-port', 'phase:open:info', `arm:presence:${PRESENCE_CHECK_MS}`, 'up']);
});

pure('failed opens back off, doubling to the ceiling; the first failure warns, the rest are quiet', () => {
  const events: LineEvent[] = [{ kind: 'start' }];
  for (let i = 0; i < 7; i++) events.push({ kind: 'open-failed', why: 'no such device' }, { kind: 'reopen-due' });
  const { kinds } = drive(events);
  assert.equal(kinds.filter((k) => k.startsWith('arm:reopen')), ['arm:reopen:200', 'arm:reopen:400', 'arm:reopen:800', 'arm:reopen:1600', 'arm:reopen:3200', 'arm:reopen:5000', 'arm:reopen:5000']);
  assert.equal(kinds.filter((k) => k.startsWith('phase:waiting')), ['phase:waiting:warn', ...Array(6).fill('phase:waiting:debug')]);
  assert.is(LINE_BACKOFF.maxMs, 5000);
});

pure('a lost open line closes, goes down, warns, and reopens after the first delay again', () => {
  const open = drive([{ kind: 'start' }, { kind: 'open-failed', why: 'x' }, { kind: 'reopen-due' }, { kind: 'opened' }]).m;
  const { m, kinds } = drive([{ kind: 'lost', why: 'device gone' }], open);
  assert.is(m.phase, 'waiting');
  assert.equal(kinds, ['disarm:presence', 'close-port', 'phase:waiting:warn', 'arm:reopen:200', 'down']);
});

pure('stop from open settles everything; events after stop do nothing', () => {
  const open = drive([{ kind: 'start' }, { kind: 'opened' }]).m;
  const { m, kinds } = drive([{ kind: 'stop' }, { kind: 'reopen-due' }, { kind: 'lost', why: 'late close' }, { kind: 'opened' }], open);
  assert.is(m.phase, 'stopped');
  assert.equal(kinds, ['disarm:reopen', 'disarm:presence', 'close-port', 'phase:stopped:info', 'down']);
});

const shell = suite('station line on a fake clock');
const config = (path: string): LineConfig => ({
  name: 'l1',
  serial: { path, baudRate: 115200, dataBits: 8, parity: 'none', stopBits: 1, rtscts: false },
  protocol: 'native',
  maxBody: 4096,
  maxOutstanding: 8,
});

function lineOnFakes(path = '/dev/fake-l1') {
  const clock = new FakeScheduler();
  const devices = new MemoryDevices();
  const seen: string[] = [];
  const logs: string[] = [];
  const line = new StationLine(
    config(path),
    { up: () => seen.push('up'), down: () => seen.push('down'), event: () => {}, phase: (p) => seen.push(p), traffic: () => {} },
    createLogger({ level: 'debug', write: (l) => logs.push(l) }),
    clock,
    devices,
  );
  return { clock, devices, seen, logs, line };
}

shell('a missing device is retried with backoff until it appears, then the line opens', async () => {
  const { clock, devices, line, seen } = lineOnFakes();
  devices.device('/dev/fake-l1').present = false;
  line.start();
  await settle();
  assert.is(line.state, 'waiting');
  clock.advance(199);
  assert.is(devices.opens, 1, 'not before its delay');
  clock.advance(1);
  await settle();
  assert.is(devices.opens, 2);
  devices.device('/dev/fake-l1').present = true;
  clock.advance(400);
  await settle();
  assert.is(line.state, 'open');
  assert.is(seen.filter((s) => s === 'up').length, 1);
  line.stop();
});

shell('an unplug the port misses is found by the presence check', async () => {
  const { clock, devices, line, seen, logs } = lineOnFakes();
  line.start();
  await settle();
  assert.is(line.state, 'open');
  devices.unplug('/dev/fake-l1', false);
  clock.advance(PRESENCE_CHECK_MS - 1);
  assert.is(line.state, 'open');
  clock.advance(1);
  assert.is(line.state, 'waiting');
  assert.equal(seen.slice(-2), ['waiting', 'down']);
  assert.ok(logs.some((l) => /warn +line\.waiting .*why="device gone" retryInMs=200/.test(l)), logs.join('\n'));
  line.stop();
});

shell('an unplug the port notices goes down at once and reopens when the device is back', async () => {
  const { clock, devices, line } = lineOnFakes();
  line.start();
  await settle();
  devices.unplug('/dev/fake-l1', true);
  assert.is(line.state, 'waiting');
  devices.device('/dev/fake-l1').present = true;
  clock.advance(200);
  await settle();
  assert.is(line.state, 'open');
  line.stop();
});

shell('stop leaves no timer armed', async () => {
  const { clock, line, devices } = lineOnFakes();
  devices.device('/dev/fake-l1').refuse = 'Cannot lock port';
  line.start();
  await settle();
  assert.is(line.state, 'waiting');
  line.stop();
  assert.is(clock.armed, 0);
  clock.advance(60_000);
  assert.is(devices.opens, 1, 'no reopen after stop');
});

pure.run();
shell.run();
