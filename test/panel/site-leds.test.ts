// The front panel on a real site (the real router, station lines on socat
// ptys, data servers on loopback TCP): real events through the status model
// bring each lamp to its documented pattern (a recording driver), and the
// console panel prints every documented state (device missing, server down,
// draining included). Real timers: the panel's own 20 ms tick.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { lampsOfConfig } from '../../src/panel/board.js';
import { FrontPanel } from '../../src/panel/panel.js';
import { realScheduler } from '../../src/panel/scheduler.js';
import { startFrontPanel } from '../../src/panel/start-panel.js';
import { createStatusModel } from '../../src/status/model.js';
import { LINE_PATTERNS, SERVER_PATTERNS, ROUTER_PATTERNS } from '../../src/status/patterns.js';
import { Site } from '../support/site.js';
import { waitFor } from '../support/wait.js';
import { RecordingDriver } from './recording-driver.js';

const garbageFrame = Buffer.from([0x05, 0x01, 0x02, 0x03, 0x04, 0x00]); // COBS-framed, bad CRC: one dropped frame

test('real events bring each lamp to its documented pattern', async () => {
  const site = await new Site({
    lines: [{ name: 'm1-s1' }, { name: 'm1-s2' }],
    servers: [{ name: 'ds1', slots: 1, serviceTime: { kind: 'fixed', ms: 600 } }],
  }).start();
  const driver = new RecordingDriver(() => realScheduler.now());
  const model = createStatusModel(site.router.snapshot(), { startedAt: realScheduler.now() });
  const unsubscribe = site.router.onEvent((e, now) => model.apply(e, now));
  const panel = new FrontPanel({ lamps: lampsOfConfig(['m1-s1', 'm1-s2'], ['ds1']), driver, scheduler: realScheduler, view: () => model.view(realScheduler.now()) });
  const reaches = (id: string, state: string, pattern: string) =>
    waitFor(`${id} ${state} (${pattern}), now ${driver.state(id)} (${driver.pattern(id)})`, () => driver.state(id) === state && driver.pattern(id) === pattern);
  try {
    await panel.start();
    await reaches('line:m1-s1', 'no-station', LINE_PATTERNS['no-station'].pattern);
    await reaches('server:ds1', 'ready', SERVER_PATTERNS.ready.pattern);
    await reaches('system', 'running', ROUTER_PATTERNS.running.pattern);

    site.station('m1-s1').send({ t: 'hello', v: 1, station: 'press-1' });
    await reaches('line:m1-s1', 'idle', LINE_PATTERNS.idle.pattern);

    // A request in flight (ds1 takes 600 ms, one slot); a second line's request waits for the slot.
    site.station('m1-s1').request(1, 'echo', 'a');
    await reaches('line:m1-s1', 'in-flight', LINE_PATTERNS['in-flight'].pattern);
    await reaches('server:ds1', 'busy', SERVER_PATTERNS.busy.pattern);
    const flickerFrom = realScheduler.now();
    site.station('m1-s2').request(1, 'echo', 'b');
    await reaches('line:m1-s2', 'waiting-for-server', LINE_PATTERNS['waiting-for-server'].pattern);
    await site.station('m1-s1').answer(1);
    await reaches('line:m1-s1', 'idle', 'on');
    assert.ok(driver.writesOf('line:m1-s1', flickerFrom).some(([, on]) => !on), 'the answer frame flickered the lamp');
    await site.station('m1-s2').answer(1);

    // A dropped frame: errors for a minute.
    site.station('m1-s2').write(garbageFrame);
    await reaches('line:m1-s2', 'errors', LINE_PATTERNS.errors.pattern);

    // The pty removed: the adapter is gone.
    await site.station('m1-s2').close();
    await site.pairs.get('m1-s2')!.kill();
    await reaches('line:m1-s2', 'device-missing', LINE_PATTERNS['device-missing'].pattern);

    // Drained by an operator, then the server killed.
    site.router.drain('ds1', 'test');
    await reaches('server:ds1', 'draining', SERVER_PATTERNS.draining.pattern);
    await site.dataServer('ds1').close();
    await reaches('server:ds1', 'down', SERVER_PATTERNS.down.pattern);
    await reaches('system', 'fault', ROUTER_PATTERNS.fault.pattern);
    const sysFrom = realScheduler.now();
    await waitFor('the system lamp toggled by the process at 5 Hz', () => driver.writesOf('system', sysFrom).length >= 3);
  } finally {
    unsubscribe();
    await panel.stop();
    await site.stop();
  }
});

test('the console panel prints every documented state, then all off on a clean stop', async () => {
  const site = await new Site({
    lines: [{ name: 'm1-s1' }, { name: 'm1-s2' }, { name: 'm2-s1' }],
    servers: [
      { name: 'ds1', slots: 1, serviceTime: { kind: 'fixed', ms: 600 } },
      { name: 'ds2', slots: 1 },
    ],
    sealed: true,
  }).start();
  let out = '';
  const panel = await startFrontPanel({ backend: 'console', board: undefined }, site.router, site.log, { console: { write: (t) => (out += t), live: false }, noLampTest: true });
  // A lamp's cell in the last frame, in its row ('m1', 'servers', 'system'): '<glyph> <state>'.
  const cell = (row: string, name: string): string | undefined => {
    const rows = out.trimEnd().split('\n').filter((l) => l.startsWith(`${row} `));
    const m = new RegExp(`(\\S) ${name} (\\S+)`).exec(rows[rows.length - 1] ?? '');
    return m ? `${m[1]} ${m[2]}` : undefined;
  };
  const shows = (row: string, name: string, expected: string) => waitFor(`console: ${row} ${name} ${expected} (now ${cell(row, name)})`, () => cell(row, name) === expected);
  try {
    assert.is(panel.backend, 'console');
    await shows('m1', 's1', '● no-station');
    await shows('servers', 'ds1', '● ready');
    site.station('m1-s1').send({ t: 'hello', v: 1 });
    await shows('m1', 's1', '● idle');
    site.router.drain('ds2', 'test');
    await shows('servers', 'ds2', '◐ draining');
    site.station('m1-s1').request(1, 'echo', 'x');
    await shows('servers', 'ds1', '● busy');
    assert.match(out, /m1 +● s1 in-flight/);
    site.station('m1-s2').request(1, 'echo', 'y');
    await shows('m1', 's2', '◐ waiting');
    await site.station('m1-s2').answer(1);
    site.station('m1-s2').write(garbageFrame);
    await shows('m1', 's2', '◑ errors');
    await site.station('m2-s1').close();
    await site.pairs.get('m2-s1')!.kill();
    await shows('m2', 's1', '○ missing');
    await site.dataServer('ds1').close();
    await shows('servers', 'ds1', '○ down');
    await site.dataServer('ds2').close();
    await waitFor(`system fault (now ${out.trimEnd().split('\n').filter((l) => l.startsWith('system')).pop()})`, () => /^system +◑ fault/m.test(out));
    assert.ok(panel.locate('m1-s1'));
    await shows('m1', 's1', '◎ locate');
    assert.is(panel.locate('nope'), undefined);
    assert.match(out, /system +◐ running/);
  } finally {
    await panel.stop();
    await site.stop();
  }
  const last = out.trimEnd().split('\n').slice(-4);
  assert.equal(last.join('\n').match(/[●◐◑◎]/g), null, `every lamp off after the stop:\n${last.join('\n')}`);
  assert.ok(last.every((l) => !/\b(idle|ready|running)\b/.test(l)));
});

test.run();
