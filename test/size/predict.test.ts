// A site mapped onto the model: requests per card, mean service time, slots,
// dynamic pool versus static binding, and the count of servers for a target.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { machineRepair } from '../../src/size/machine-repair.js';
import { ceilingCardsPerHour, predictDynamic, predictStatic } from '../../src/size/predict.js';
import { size } from '../../src/size/sizing.js';
import type { Site } from '../../src/site/site.js';

const close = (actual: number, expected: number, what: string, eps = 1e-6): void => assert.ok(Math.abs(actual - expected) < eps, `${what}: ${actual} is not ${expected}`);

function site(over: Partial<Site>): Site {
  return {
    machines: 1,
    stationsPerMachine: 5,
    localMs: [2500],
    ops: new Map([['echo', { perCard: 1, serviceMs: 400 }]]),
    serviceShape: 'exp',
    servers: 1,
    slots: 1,
    serverSpeed: [1],
    ...over,
  };
}

test('one request per card: the classical example as a site (5 stations, 2.5 s own time, 400 ms service)', () => {
  const p = predictDynamic(site({}), 1);
  close(p.cardsPerHour, 3600 * 1.55621, 'cards/hour = 3600 X', 0.5);
  const m = machineRepair({ n: 5, c: 1, lambda: 0.4, mu: 2.5 });
  close(p.utilisation, 1 - m.p0, 'utilisation = 1 - p0');
  close(p.waitMs, m.waitS * 1000, 'wait per request');
});

test('several ops per card: R requests, own time split over them, service time weighted by count', () => {
  // 2 + 2 requests, mean service (2 x 300 + 2 x 500) / 4 = 400 ms; 10 s own time = 2.5 s per request.
  const s = site({ localMs: [10_000], ops: new Map([['a', { perCard: 2, serviceMs: 300 }], ['b', { perCard: 2, serviceMs: 500 }]]) });
  const m = machineRepair({ n: 5, c: 1, lambda: 0.4, mu: 2.5 });
  const p = predictDynamic(s, 1);
  close(p.cardsPerHour, (3600 * m.x) / 4, 'a card is 4 requests');
  close(p.waitPerCardMs, 4 * m.waitS * 1000, 'wait per card = 4 waits');
});

test('slots: a server with 3 slots is 3 servers of the model', () => {
  const s = site({ stationsPerMachine: 12, slots: 3 });
  close(predictDynamic(s, 2).cardsPerHour, 3600 * machineRepair({ n: 12, c: 6, lambda: 0.4, mu: 2.5 }).x, 'c = servers x slots');
});

test('static binding: separate pools, never better than one shared pool', () => {
  const s = site({ stationsPerMachine: 10 });
  const stat = predictStatic(s, 2);
  const dyn = predictDynamic(s, 2);
  close(stat.cardsPerHour, 2 * 3600 * machineRepair({ n: 5, c: 1, lambda: 0.4, mu: 2.5 }).x, 'two pools of 5');
  close(dyn.cardsPerHour, 3600 * machineRepair({ n: 10, c: 2, lambda: 0.4, mu: 2.5 }).x, 'one pool of 10 on 2');
  assert.ok(dyn.cardsPerHour > stat.cardsPerHour, 'the shared pool makes more cards');
  assert.ok(dyn.waitMs < stat.waitMs, 'and its stations wait less');
  close(predictStatic(s, 1).cardsPerHour, predictDynamic(s, 1).cardsPerHour, 'one server: the same thing');
});

test('an uneven site: a slow server hurts its bound stations, the pool shares it', () => {
  const s = site({ machines: 2, stationsPerMachine: 6, localMs: [1000, 4000], servers: 2, slots: 2, serverSpeed: [1, 0.5] });
  const stat = predictStatic(s, 2);
  const dyn = predictDynamic(s, 2);
  assert.ok(dyn.cardsPerHour > stat.cardsPerHour * 1.05, `${dyn.cardsPerHour} vs ${stat.cardsPerHour}`);
});

test('the ceiling: every request finds a free slot', () => {
  const s = site({});
  close(ceilingCardsPerHour(s), (5 * 3600) / 2.9, 'each station: 2.5 s + 0.4 s per card');
  assert.ok(predictDynamic(s, 5).cardsPerHour <= ceilingCardsPerHour(s) + 1e-9);
});

test('sizing: the smallest count that meets the target, and its margin', () => {
  const s = site({ stationsPerMachine: 24, localMs: [4000], servers: 1 });
  const by = (n: number): number => predictDynamic(s, n).cardsPerHour;
  const target = (by(2) + by(3)) / 2;
  const sizing = size(s, { target });
  assert.is(sizing.needed?.servers, 3);
  close(sizing.needed!.margin, by(3) / target - 1, 'margin');
  assert.is(sizing.rows.length, 4, 'one row past the answer');
});

test('sizing: a target above the ceiling is never met, and the table stops once it is flat', () => {
  const s = site({});
  const sizing = size(s, { target: ceilingCardsPerHour(s) * 1.1 });
  assert.is(sizing.needed, undefined);
  assert.ok(sizing.rows.length < 64 && sizing.rows.at(-1)!.dynamic.cardsPerHour >= 0.99 * sizing.ceiling);
});

test.run();
