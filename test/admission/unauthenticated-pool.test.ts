// The door of an accepting side (pure): unauthenticated connections have a
// cap of their own and a limit per address; a newcomer replaces the oldest,
// so a client holding connections open never locks a real router out.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { UnauthenticatedPool } from '../../src/admission/unauthenticated-pool.js';

test('below the limits everyone is let in and nobody is evicted', () => {
  const pool = new UnauthenticatedPool<string>({ maxUnauthenticated: 4, perAddress: 2 });
  assert.equal(pool.admit('a1', '10.0.0.1'), {});
  assert.equal(pool.admit('b1', '10.0.0.2'), {});
  assert.is(pool.size, 2);
});

test('one address at its limit replaces its own oldest, never someone else\'s', () => {
  const pool = new UnauthenticatedPool<string>({ maxUnauthenticated: 4, perAddress: 2 });
  pool.admit('router', '10.0.0.1');
  for (let i = 0; i < 100; i++) {
    const r = pool.admit(`x${i}`, '10.0.0.66');
    if (i >= 2) assert.equal(r.evict, { conn: `x${i - 2}`, why: 'address-full' });
  }
  assert.is(pool.from('10.0.0.66'), 2);
  assert.is(pool.from('10.0.0.1'), 1, 'the router still waits at the door');
});

test('at the cap a newcomer replaces the oldest of all: a real router always gets its turn', () => {
  const pool = new UnauthenticatedPool<string>({ maxUnauthenticated: 3, perAddress: 3 });
  pool.admit('x1', '10.0.0.2');
  pool.admit('x2', '10.0.0.3');
  pool.admit('x3', '10.0.0.4');
  assert.equal(pool.admit('router', '10.0.0.1').evict, { conn: 'x1', why: 'pool-full' });
  pool.authenticated('router');
  assert.is(pool.size, 2, 'an authenticated link no longer counts');
  assert.equal(pool.admit('x4', '10.0.0.5'), {});
  assert.equal(pool.admit('x5', '10.0.0.6').evict, { conn: 'x2', why: 'pool-full' });
});

test('closed connections leave; limits below 1 are refused', () => {
  const pool = new UnauthenticatedPool<string>({ maxUnauthenticated: 2, perAddress: 1 });
  pool.admit('a', '1');
  pool.closed('a');
  assert.equal(pool.admit('b', '1'), {});
  assert.throws(() => new UnauthenticatedPool({ maxUnauthenticated: 0, perAddress: 1 }), /at least 1/);
});

test.run();
