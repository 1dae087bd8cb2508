// Sizing inputs from a statistics snapshot: the fields read, what is derived,
// what is missing, and a snapshot from a newer release refused.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readSnapshot, SnapshotError } from '../../src/size/snapshot.js';

const SNAPSHOT = {
  version: 1,
  stations: 24,
  cards: 1000,
  cardsPerHour: 6000,
  ops: {
    'transport-key': { count: 1000, meanServiceMs: 150, meanAnswerMs: 200 },
    'session-keys': { count: 1000, meanServiceMs: 200, meanAnswerMs: 250 },
    certificate: { count: 4000, meanServiceMs: 250, meanAnswerMs: 300 },
  },
  servers: [{ name: 'ds1', slots: 4 }, { name: 'ds2', slots: 4 }],
  somethingElse: { ignored: true },
};

test('a full snapshot: stations, requests per card, service times, own time by the response time law, servers', () => {
  const r = readSnapshot(SNAPSHOT, 'stats.json');
  assert.equal([r.site.machines, r.site.stationsPerMachine, r.site.servers, r.site.slots], [1, 24, 2, 4]);
  assert.equal([...r.site.ops!], [
    ['transport-key', { perCard: 1, serviceMs: 150 }],
    ['session-keys', { perCard: 1, serviceMs: 200 }],
    ['certificate', { perCard: 4, serviceMs: 250 }],
  ]);
  // 24 stations x 3600 s / 6000 cards = 14.4 s a card, of which 200 + 250 + 4 x 300 ms waiting on answers.
  assert.equal(r.site.localMs, [14_400 - 1_650]);
  assert.equal(r.missing, []);
});

test('missing and ill-typed fields are skipped and named, never guessed', () => {
  const r = readSnapshot({ lines: [{}, {}, {}], totals: { cards: 10 }, ops: { echo: { count: '30', meanServiceMs: 5 }, certificate: { requests: 40, serviceMs: 9 } } }, 'stats.json');
  assert.is(r.site.stationsPerMachine, 3, 'stations counted from lines');
  assert.equal([...r.site.ops!], [['certificate', { perCard: 4, serviceMs: 9 }]]);
  assert.equal(r.missing, ['ops.echo (count and meanServiceMs)', 'own time per card (needs cardsPerHour and meanAnswerMs of every op)', 'servers']);
  assert.is(r.site.localMs, undefined);
});

test('a snapshot from a newer release is refused with the file named; so is a non-object', () => {
  assert.throws(() => readSnapshot({ ...SNAPSHOT, version: 2 }, 'stats.json'), (e: unknown) => e instanceof SnapshotError && /^stats\.json: was written by a newer release \(snapshot version 2/.test(e.message));
  assert.throws(() => readSnapshot([1, 2], 'stats.json'), /stats\.json: is not a statistics snapshot/);
});

test.run();
