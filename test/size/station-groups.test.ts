// Stations of different speeds: the product form over groups, against a
// chain solved by hand and against the one-group recurrence.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { machineRepair } from '../../src/size/machine-repair.js';
import { stationGroups } from '../../src/size/station-groups.js';

const close = (actual: number, expected: number, what: string, eps = 1e-9): void => assert.ok(Math.abs(actual - expected) < eps, `${what}: ${actual} is not ${expected}`);

test('two different stations, one server, by hand (the Markov chain balanced state by state)', () => {
  // lambda 1 and 2, mu 4: p(none) 0.5, p(A only) 0.125, p(B only) 0.25, p(both) 0.125.
  // A sends 1 x (p(none) + p(B only)) = 0.75/s, B sends 2 x (p(none) + p(A only)) = 1.25/s.
  const r = stationGroups([{ count: 1, lambda: 1 }, { count: 1, lambda: 2 }], 1, 4);
  close(r.xByGroup[0]!, 0.75, 'X of A');
  close(r.xByGroup[1]!, 1.25, 'X of B');
  close(r.x, 2, 'X = mu x busy share');
  close(r.l, 0.125 + 0.25 + 2 * 0.125, 'L');
  close(r.lq, 0.125, 'Lq');
});

test('groups of equal stations give the one-group recurrence', () => {
  const split = stationGroups([{ count: 4, lambda: 0.3 }, { count: 7, lambda: 0.3 }, { count: 2, lambda: 0.3 }], 3, 1.7);
  const one = machineRepair({ n: 13, c: 3, lambda: 0.3, mu: 1.7 });
  close(split.x, one.x, 'X');
  close(split.l, one.l, 'L');
  close(split.waitS, one.waitS, 'wait');
  close(split.xByGroup[1]!, (one.x * 7) / 13, 'each group its share');
});

test('flow balance: what the groups send is what the servers serve', () => {
  const r = stationGroups([{ count: 18, lambda: 0.5 }, { count: 6, lambda: 2 }], 8, 3);
  close(r.xByGroup.reduce((a, b) => a + b, 0), r.x, 'sum of groups', 1e-6);
  assert.ok(r.xByGroup[1]! / 6 > r.xByGroup[0]! / 18, 'a busier station sends more');
});

test('an empty group is allowed and sends nothing', () => {
  const r = stationGroups([{ count: 0, lambda: 1 }, { count: 3, lambda: 1 }], 1, 2);
  assert.is(r.xByGroup[0], 0);
  close(r.x, machineRepair({ n: 3, c: 1, lambda: 1, mu: 2 }).x, 'X');
});

test.run();
