// The answer cache's id index against a Map, under random inserts and
// removals: small tables and ids chosen to collide, so probe runs wrap
// around the table end and removals shift entries back across it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { IdIndex } from '../../src/dispatch/id-index.js';
import { seededRandom } from '../../src/util/random.js';

for (const [slots, idRange] of [[4, 16], [8, 1000], [256, 600], [256, 2 ** 32]] as const) {
  test(`${slots} slots, ids below ${idRange}: finds exactly what a Map holds`, () => {
    const r = seededRandom(slots * 7 + 1);
    const ids = new Array<number>(slots).fill(-1);
    const index = new IdIndex(slots, (slot) => ids[slot]!);
    const model = new Map<number, number>();
    for (let step = 0; step < 20_000; step++) {
      const slot = Math.floor(r() * slots);
      if (ids[slot] !== -1 && r() < 0.5) {
        index.remove(ids[slot]!);
        model.delete(ids[slot]!);
        ids[slot] = -1;
      } else {
        const id = Math.floor(r() * idRange);
        if (model.has(id)) continue; // the cache empties an id's old slot first
        if (ids[slot] !== -1) {
          index.remove(ids[slot]!);
          model.delete(ids[slot]!);
        }
        ids[slot] = id;
        index.insert(id, slot);
        model.set(id, slot);
      }
      const probe = r() < 0.5 && model.size > 0 ? [...model.keys()][Math.floor(r() * model.size)]! : Math.floor(r() * idRange);
      assert.is(index.find(probe), model.get(probe) ?? -1, `step ${step}, id ${probe}`);
    }
    for (const [id, slot] of model) assert.is(index.find(id), slot);
    index.clear();
    for (const id of model.keys()) assert.is(index.find(id), -1);
  });
}

test.run();
