// IdMap (the tables of requests in flight) against a Map under random sets,
// deletes and clears: same values, same size, same insertion order, and it
// grows to the most ids held at once, then stays that size.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { IdMap } from '../../src/dispatch/id-map.js';
import { seededRandom } from '../../src/util/random.js';

for (const [idRange, most] of [[8, 8], [1000, 40], [2 ** 32, 300]] as const) {
  test(`ids below ${idRange}, up to ${most} at once: holds exactly what a Map holds, in its order`, () => {
    const r = seededRandom(idRange % 9973 + most);
    const map = new IdMap<string>();
    const model = new Map<number, string>();
    const known: number[] = [];
    for (let step = 0; step < 20_000; step++) {
      const roll = r();
      const id = known.length > 0 && roll < 0.6 ? known[Math.floor(r() * known.length)]! : Math.floor(r() * idRange);
      if (roll < 0.001) {
        map.clear();
        model.clear();
      } else if (roll < 0.35 || model.size >= most) {
        assert.is(map.delete(id), model.delete(id), `step ${step}: delete(${id})`);
      } else if (roll < 0.7) {
        map.set(id, `v${step}`);
        model.set(id, `v${step}`);
        known.push(id);
        if (known.length > 64) known.shift();
      } else {
        assert.is(map.get(id), model.get(id), `step ${step}: get(${id})`);
        assert.is(map.has(id), model.has(id));
      }
      assert.is(map.size, model.size);
      if (step % 97 === 0) assert.equal(map.values(), [...model.values()], `step ${step}: order`);
    }
    assert.ok(map.capacity <= 2 ** Math.ceil(Math.log2(Math.max(4, most + 1))), `capacity ${map.capacity} for at most ${most + 1} ids at once`);
  });
}

test('a known id keeps its place in the order when set again; a deleted one goes last when it comes back', () => {
  const map = new IdMap<number>();
  for (const id of [5, 6, 7]) map.set(id, id);
  map.set(5, 50);
  assert.equal(map.values(), [50, 6, 7]);
  map.delete(6);
  map.set(6, 60);
  assert.equal(map.values(), [50, 7, 60]);
});

test('it grows past its first capacity and never shrinks: the same arrays serve every later request', () => {
  const map = new IdMap<number>();
  for (let id = 0; id < 10; id++) map.set(id, id);
  assert.is(map.capacity, 16);
  for (let id = 10; id < 100_000; id++) {
    map.delete(id - 10);
    map.set(id, id);
  }
  assert.is(map.capacity, 16, 'ten in flight at a time need no more room');
  assert.equal(map.values(), Array.from({ length: 10 }, (_, i) => 99_990 + i));
});

test.run();
