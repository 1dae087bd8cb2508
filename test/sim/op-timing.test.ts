// The simulator's per-op service times: each op waits its own time, stretched
// by the server's speed, before it runs; stop() drops what has not started.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { timedOps, type Timers } from '../../src/sim/op-timing.js';
import type { OpHandler } from '../../src/dataserver/ops/op.js';
import { seededRandom } from '../../src/util/random.js';

class FakeTimers implements Timers {
  readonly set_: { fn: () => void; ms: number; cleared: boolean }[] = [];
  set(fn: () => void, ms: number): unknown {
    const t = { fn, ms, cleared: false };
    this.set_.push(t);
    return t;
  }
  clear(handle: unknown): void {
    (handle as { cleared: boolean }).cleared = true;
  }
  fireAll(): void {
    for (const t of this.set_.splice(0)) if (!t.cleared) t.fn();
  }
}

const ran: string[] = [];
const handler = (name: string): OpHandler => () => {
  ran.push(name);
  return { ok: true, body: new Uint8Array([1]) };
};
const ops = new Map([['certificate', handler('certificate')], ['echo', handler('echo')]]);
const context = { op: 'x', station: 'r/l' };

test('each op waits its own service time divided by the server speed, then runs', async () => {
  ran.length = 0;
  const timers = new FakeTimers();
  const t = timedOps(ops, { byOp: new Map([['certificate', { kind: 'fixed', ms: 30 }]]), fallback: { kind: 'fixed', ms: 4 }, speed: 0.5, random: seededRandom(1), timers });
  const cert = t.ops.get('certificate')!(undefined, context);
  const echo = t.ops.get('echo')!(undefined, context);
  assert.equal(timers.set_.map((x) => x.ms), [60, 8], 'twice as long on a half-speed server');
  assert.equal(ran, [], 'nothing runs before its time');
  timers.fireAll();
  assert.equal(await cert, { ok: true, body: new Uint8Array([1]) });
  await echo;
  assert.equal(ran, ['certificate', 'echo']);
});

test('exponential times are drawn per request around the mean', () => {
  const timers = new FakeTimers();
  const t = timedOps(ops, { byOp: new Map(), fallback: { kind: 'exp', meanMs: 10 }, speed: 1, random: seededRandom(7), timers });
  for (let i = 0; i < 2000; i++) void t.ops.get('echo')!(undefined, context);
  const mean = timers.set_.reduce((a, x) => a + x.ms, 0) / timers.set_.length;
  assert.ok(mean > 9 && mean < 11, `mean ${mean}`);
  assert.ok(new Set(timers.set_.map((x) => x.ms)).size > 1900, 'they differ');
  t.stop();
});

test('stop: work that has not started never runs', async () => {
  ran.length = 0;
  const timers = new FakeTimers();
  const t = timedOps(ops, { byOp: new Map(), fallback: { kind: 'fixed', ms: 5 }, speed: 1, random: seededRandom(1), timers });
  void t.ops.get('echo')!(undefined, context);
  t.stop();
  void t.ops.get('echo')!(undefined, context);
  timers.fireAll();
  await Promise.resolve();
  assert.equal(ran, []);
  assert.is(timers.set_.length, 0, 'no timer set after stop');
});

test.run();
