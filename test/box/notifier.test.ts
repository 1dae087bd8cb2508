// The notifier on a fake clock: READY=1 once healthy, WATCHDOG=1 at its
// interval, skipped after a stall or while unhealthy, STOPPING=1 last.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Notifier } from '../../src/box/notifier.js';
import { watchdogSettings } from '../../src/box/watchdog-settings.js';
import { silentLogger } from '../../src/log/logger.js';
import { FakeScheduler } from './fake-scheduler.js';

function rig(options: { healthy?: () => boolean; watchdogUsec?: string } = {}) {
  const clock = new FakeScheduler();
  const sent: { at: number; state: string }[] = [];
  let closed = false;
  const watchdog = watchdogSettings(options.watchdogUsec === undefined ? { WATCHDOG_USEC: '2000000' } : { WATCHDOG_USEC: options.watchdogUsec }, 1);
  const notifier = new Notifier({
    sink: { send: (state) => sent.push({ at: clock.now(), state }), close: () => (closed = true) },
    healthy: options.healthy ?? (() => true),
    watchdog,
    scheduler: clock,
    log: silentLogger,
  });
  return { clock, sent, notifier, closed: () => closed, pings: () => sent.filter((s) => s.state === 'WATCHDOG=1').map((s) => s.at) };
}

test('READY=1 at once when healthy, then WATCHDOG=1 every WATCHDOG_USEC/2', () => {
  const r = rig();
  r.notifier.start();
  assert.equal(r.sent[0], { at: 0, state: 'READY=1' });
  r.clock.advance(5000);
  assert.equal(r.pings(), [1000, 2000, 3000, 4000, 5000]);
  assert.is(r.sent.filter((s) => s.state === 'READY=1').length, 1);
});

test('READY=1 waits for health, and no WATCHDOG=1 goes out before it', () => {
  let healthy = false;
  const r = rig({ healthy: () => healthy });
  r.notifier.start();
  r.clock.advance(2500);
  assert.equal(r.sent, []);
  healthy = true;
  r.clock.advance(100);
  assert.equal(r.sent.map((s) => s.state), ['READY=1']);
  r.clock.advance(1000);
  assert.equal(r.pings(), [3000]);
});

test('a stalled event loop skips the ping that comes due after it, then pinging resumes', () => {
  const r = rig();
  r.notifier.start();
  r.clock.advance(1200);
  r.clock.stall(1500); // blocked from 1200 to 2700: the ping due at 2000 runs 700 ms late
  r.clock.advance(0);
  assert.equal(r.pings(), [1000]);
  r.clock.advance(1000);
  assert.equal(r.pings(), [1000, 3700]);
});

test('a stall that ends just after a ping came due is seen by the samples between pings', () => {
  const r = rig({ watchdogUsec: '8000000' }); // ping every 4000 ms, lag limit 4000, sample every 1000
  r.notifier.start();
  r.clock.advance(4100);
  r.clock.stall(5200); // blocked 4100..9300: the ping due at 8000 is only 1300 late, the sample due at 5000 is 4300 late
  r.clock.advance(0);
  assert.equal(r.pings(), [4000]);
  r.clock.advance(4000);
  assert.equal(r.pings(), [4000, 13300]);
});

test('a short hiccup does not cost a ping', () => {
  const r = rig();
  r.notifier.start();
  r.clock.advance(1100);
  r.clock.stall(300);
  r.clock.advance(1000);
  assert.equal(r.pings(), [1000, 2000]);
});

test('no WATCHDOG=1 while unhealthy after READY', () => {
  let healthy = true;
  const r = rig({ healthy: () => healthy });
  r.notifier.start();
  r.clock.advance(1000);
  healthy = false;
  r.clock.advance(2000);
  healthy = true;
  r.clock.advance(1000);
  assert.equal(r.pings(), [1000, 4000]);
});

test('STOPPING=1 is the last word: the socket closes and every timer is cancelled', () => {
  const r = rig();
  r.notifier.start();
  r.clock.advance(1000);
  r.notifier.stopping();
  r.notifier.stopping();
  r.clock.advance(5000);
  assert.equal(r.sent.map((s) => s.state), ['READY=1', 'WATCHDOG=1', 'STOPPING=1']);
  assert.ok(r.closed());
  assert.is(r.clock.pending(), 0);
});

test('without WATCHDOG_USEC only READY=1 and STOPPING=1 are sent', () => {
  const clock = new FakeScheduler();
  const sent: string[] = [];
  const n = new Notifier({ sink: { send: (s) => sent.push(s), close: () => {} }, healthy: () => true, watchdog: undefined, scheduler: clock, log: silentLogger });
  n.start();
  clock.advance(10_000);
  n.stopping();
  assert.equal(sent, ['READY=1', 'STOPPING=1']);
});

test.run();
