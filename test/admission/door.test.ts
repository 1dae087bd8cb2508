// The door (pure): the unauthenticated pool's verdicts in words, and routers
// that proved their key counted apart with their own cap.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Door } from '../../src/admission/door.js';

test('a full pool names the connection to close and why; authenticated links leave the pool', () => {
  const door = new Door<string>({ maxUnauthenticated: 2, perAddress: 2, maxAuthenticated: 1 });
  assert.is(door.arrived('a', '10.0.0.1'), undefined);
  assert.is(door.arrived('b', '10.0.0.2'), undefined);
  const out = door.arrived('router', '10.0.0.3');
  assert.is(out?.conn, 'a');
  assert.match(out!.why, /replaced by a newer connection \(at most 2 unauthenticated at once\)/);
  assert.ok(door.authenticated('router'));
  assert.equal(door.counts, { unauthenticated: 1, authenticated: 1 });
  assert.is(door.arrived('c', '10.0.0.4'), undefined, 'the router no longer takes a place in the pool');
});

test('past the cap of authenticated links a newly authenticated one is refused; a closed one frees its place', () => {
  const door = new Door<string>({ maxUnauthenticated: 4, perAddress: 4, maxAuthenticated: 1 });
  door.arrived('r1', '10.0.0.1');
  door.arrived('r2', '10.0.0.2');
  assert.ok(door.authenticated('r1'));
  assert.not.ok(door.authenticated('r2'));
  door.closed('r1');
  door.arrived('r3', '10.0.0.3');
  assert.ok(door.authenticated('r3'));
});

test.run();
