// The key-store health machine: its transition table row by row, then the
// machine on a fake clock: when it probes, how often, what a failing or a
// rejected probe does, and that stop ends it, also mid-probe. No real time.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { KEY_STORE_PROBE_MS, KeyStoreHealth, nextHealth, probeKeyStore, type HealthChange, type HealthEvent, type HealthState } from '../../src/dataserver/key-store-health.js';
import type { KeyStore } from '../../src/dataserver/crypto/key-store.js';
import { FakeScheduler } from '../support/fake-scheduler.js';

const table = suite('key-store health: transition table');

const available: HealthState = { kind: 'available' };
const armed: HealthState = { kind: 'unavailable', probe: 'armed' };
const running: HealthState = { kind: 'unavailable', probe: 'running' };
const stopped: HealthState = { kind: 'stopped' };
const failed: HealthEvent = { kind: 'failed', why: 'token gone' };

const rows: [string, HealthState, HealthEvent, HealthState, string[]][] = [
  ['available, failed', available, failed, armed, ['changed:down:token gone', 'arm-probe']],
  ['armed, failed again', armed, failed, armed, []],
  ['running, failed again', running, failed, running, []],
  ['armed, probe due', armed, { kind: 'probe-due' }, running, ['run-probe']],
  ['running, back', running, { kind: 'probe-done', back: true }, available, ['changed:up']],
  ['running, not back', running, { kind: 'probe-done', back: false }, armed, ['arm-probe']],
  ['available, stop', available, { kind: 'stop' }, stopped, ['disarm']],
  ['armed, stop', armed, { kind: 'stop' }, stopped, ['disarm']],
  ['stopped, failed', stopped, failed, stopped, []],
  ['stopped, probe done', stopped, { kind: 'probe-done', back: true }, stopped, []],
  ['available, stale probe due', available, { kind: 'probe-due' }, available, []],
  ['armed, stale probe result', armed, { kind: 'probe-done', back: true }, armed, []],
];

for (const [name, from, event, to, effects] of rows) {
  table(name, () => {
    const next = nextHealth(from, event);
    assert.equal(next.state, to);
    assert.equal(
      next.effects.map((e) => (e.kind === 'changed' ? `changed:${e.change.available ? 'up' : `down:${e.change.why}`}` : e.kind)),
      effects,
    );
  });
}
table.run();

/** A probe the test answers by hand. */
class ManualProbe {
  calls = 0;
  private answer: ((back: boolean) => void) | undefined;
  private refuse: ((e: Error) => void) | undefined;
  readonly probe = (): Promise<boolean> => {
    this.calls++;
    return new Promise((resolve, reject) => {
      this.answer = resolve;
      this.refuse = reject;
    });
  };
  async resolve(back: boolean): Promise<void> {
    this.answer!(back);
    await settle();
  }
  async reject(): Promise<void> {
    this.refuse!(new Error('token gone'));
    await settle();
  }
}

/** Lets the promise callbacks already due run (no timer involved). */
const settle = (): Promise<void> => new Promise((r) => setImmediate(r));

function machine() {
  const clock = new FakeScheduler();
  const probe = new ManualProbe();
  const changes: HealthChange[] = [];
  const health = new KeyStoreHealth({ scheduler: clock, probe: probe.probe, onChange: (c) => changes.push(c) });
  return { clock, probe, changes, health };
}

const clocked = suite('key-store health on a fake clock');

clocked('a failure is announced at once; the first probe runs one period later, not before', () => {
  const { clock, probe, changes, health } = machine();
  health.failed('token not present');
  assert.equal(changes, [{ available: false, why: 'token not present' }]);
  assert.not.ok(health.available);
  clock.advance(KEY_STORE_PROBE_MS - 1);
  assert.is(probe.calls, 0);
  clock.advance(1);
  assert.is(probe.calls, 1);
  assert.equal(health.state, { kind: 'unavailable', probe: 'running' });
});

clocked('a store still down is probed again every period until it is back, then announced once', async () => {
  const { clock, probe, changes, health } = machine();
  health.failed('gone');
  clock.advance(KEY_STORE_PROBE_MS);
  await probe.resolve(false);
  clock.advance(KEY_STORE_PROBE_MS - 1);
  assert.is(probe.calls, 1, 'no probe before the period is over');
  clock.advance(1);
  assert.is(probe.calls, 2);
  await probe.reject();
  assert.not.ok(health.available, 'a probe that throws means not back');
  clock.advance(KEY_STORE_PROBE_MS);
  assert.is(probe.calls, 3);
  await probe.resolve(true);
  assert.ok(health.available);
  assert.equal(changes, [{ available: false, why: 'gone' }, { available: true }]);
  assert.is(clock.armed, 0, 'no probe once the store is back');
});

clocked('failures while the store is down change nothing and never start a second probe', async () => {
  const { clock, probe, changes, health } = machine();
  health.failed('one');
  health.failed('two');
  assert.is(clock.armed, 1);
  clock.advance(KEY_STORE_PROBE_MS);
  health.failed('three, while the probe runs');
  clock.advance(10 * KEY_STORE_PROBE_MS);
  assert.is(probe.calls, 1);
  assert.is(changes.length, 1);
});

clocked('stop disarms the probe; a probe running when it stops is ignored when it ends', async () => {
  const a = machine();
  a.health.failed('gone');
  a.health.stop();
  assert.is(a.clock.armed, 0);
  a.clock.advance(10 * KEY_STORE_PROBE_MS);
  assert.is(a.probe.calls, 0);

  const b = machine();
  b.health.failed('gone');
  b.clock.advance(KEY_STORE_PROBE_MS);
  b.health.stop();
  await b.probe.resolve(true);
  assert.equal(b.health.state, { kind: 'stopped' });
  assert.is(b.changes.length, 1, 'no "back" after stop');
});

clocked('the probe of a real store prefers its own presence check, else asks for the issuer key', async () => {
  const store = (issuer: () => Promise<unknown>): KeyStore =>
    ({ keyLength: () => 128, cmac: async () => Buffer.alloc(16), signIssuer: async () => Buffer.alloc(64), issuerPublicKey: issuer, close: async () => {} }) as KeyStore;
  let asked = 0;
  const withCheck = Object.assign(store(async () => (asked++, { spki: Buffer.alloc(0), keyId: 'k' })), { available: async () => false });
  assert.is(await probeKeyStore(withCheck), false);
  assert.is(asked, 0, 'the presence check, not the key');
  assert.is(await probeKeyStore(store(async () => ({ spki: Buffer.alloc(0), keyId: 'k' }))), true);
  const refused = await probeKeyStore(store(async () => Promise.reject(new Error('gone')))).then(() => 'resolved', () => 'rejected');
  assert.is(refused, 'rejected', 'a store that cannot give the key fails the probe');
  assert.is(await probeKeyStore(undefined), true, 'no store: nothing to wait for');
});

clocked.run();
