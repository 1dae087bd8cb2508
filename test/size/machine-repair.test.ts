// The closed finite-source model against figures computed by hand and the
// classical machine-repair example.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { machineRepair, ModelInputError } from '../../src/size/machine-repair.js';

const close = (actual: number, expected: number, digits: number, what: string): void =>
  assert.ok(Math.abs(actual - expected) < 0.5 * 10 ** -digits, `${what}: ${actual} is not ${expected} to ${digits} places`);

test('one station, one server: idle mu/(lambda+mu) of the time, never waits', () => {
  // p0 = mu / (lambda + mu); X = lambda mu / (lambda + mu); a request never waits.
  const r = machineRepair({ n: 1, c: 1, lambda: 0.5, mu: 2 });
  close(r.p0, 0.8, 12, 'p0');
  close(r.x, 0.4, 12, 'X');
  close(r.l, 0.2, 12, 'L');
  close(r.responseS, 0.5, 12, 'response = 1/mu');
  close(r.waitS, 0, 12, 'wait');
  close(r.utilisation, 0.2, 12, 'utilisation');
});

test('two stations, one server, by hand: p = (0.4, 0.4, 0.2) for lambda 1, mu 2', () => {
  // p1/p0 = 2 lambda/mu = 1, p2/p1 = lambda/mu = 0.5: weights 1, 1, 0.5 over 2.5.
  const r = machineRepair({ n: 2, c: 1, lambda: 1, mu: 2 });
  r.p.forEach((p, i) => close(p, [0.4, 0.4, 0.2][i]!, 12, `p${i}`));
  close(r.l, 0.8, 12, 'L');
  close(r.lq, 0.2, 12, 'Lq');
  close(r.x, 1.2, 12, 'X = mu (1 - p0)');
  close(r.x, 1 * (2 - r.l), 12, 'X = lambda (N - L)');
  close(r.responseS, 0.8 / 1.2, 12, 'response = L/X');
  close(r.waitS, 0.2 / 1.2, 12, 'wait = Lq/X');
});

test('two stations, two servers, by hand: no one ever waits', () => {
  // p1/p0 = 2 rho = 1, p2/p1 = rho/2 = 0.25: weights 1, 1, 0.25 over 2.25.
  const r = machineRepair({ n: 2, c: 2, lambda: 1, mu: 2 });
  close(r.p0, 1 / 2.25, 12, 'p0');
  close(r.x, 2 * (1 / 2.25 + (2 * 0.25) / 2.25), 12, 'X');
  close(r.waitS, 0, 12, 'wait');
});

test('the classical example: N = 5, c = 1, lambda = 0.4/s, mu = 2.5/s', () => {
  const r = machineRepair({ n: 5, c: 1, lambda: 0.4, mu: 2.5 });
  close(r.p0, 0.3775, 4, 'p0');
  close(r.l, 1.1094, 4, 'L');
  close(r.x, 1.5562, 4, 'X');
});

test('large sites do not overflow: 5,000 stations on 100 slots stay finite and balanced', () => {
  const r = machineRepair({ n: 5000, c: 100, lambda: 0.05, mu: 2 });
  assert.ok(r.p.every(Number.isFinite), 'every probability finite');
  close(r.p.reduce((a, b) => a + b, 0), 1, 9, 'probabilities sum to 1');
  assert.ok(r.x <= 100 * 2 + 1e-9, 'never more than c mu');
  close(r.x, 0.05 * (5000 - r.l), 6, 'flow balance X = lambda (N - L)');
  assert.ok(r.utilisation > 0.99, `saturated: ${r.utilisation}`);
});

test('bad inputs are refused with the field named', () => {
  assert.throws(() => machineRepair({ n: 0, c: 1, lambda: 1, mu: 1 }), (e: unknown) => e instanceof ModelInputError && e.field === 'stations');
  assert.throws(() => machineRepair({ n: 2, c: 1.5, lambda: 1, mu: 1 }), (e: unknown) => e instanceof ModelInputError && e.field === 'servers');
  assert.throws(() => machineRepair({ n: 2, c: 1, lambda: 0, mu: 1 }), (e: unknown) => e instanceof ModelInputError && e.field === 'lambda');
  assert.throws(() => machineRepair({ n: 2, c: 1, lambda: 1, mu: Infinity }), (e: unknown) => e instanceof ModelInputError && e.field === 'mu');
});

test.run();
