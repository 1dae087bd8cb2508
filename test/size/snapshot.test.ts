// Sizing inputs from a statistics snapshot (src/stats/snapshot-format.ts):
// the fields read, what is derived, what is missing, and a snapshot from a
// newer release or of another format refused.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readSnapshot, SnapshotError } from '../../src/size/snapshot.js';

const line = (requests: number) => ({ requests, answers: {}, drops: {}, bytesIn: 0, bytesOut: 0 });
const times = (count: number, meanMs: number) => ({ count, sumMs: count * meanMs, sumSquaresMs2: 0, counts: [] });

const SNAPSHOT = {
  format: 'persomux-statistics',
  version: 1,
  router: 'box-1',
  writtenAt: '2026-11-30T21:00:00.000Z',
  totals: {
    cards: 1000,
    requests: 6000,
    lines: Object.fromEntries([...Array.from({ length: 24 }, (_, i) => [`m1-s${i + 1}`, line(250)]), ['spare', line(0)]]),
    servers: { ds1: { requests: 3000, errors: 0, handshakes: 1, drops: {} }, ds2: { requests: 3000, errors: 0, handshakes: 1, drops: {} } },
  },
  cardsPerHour: 6000,
  serviceTimes: { bucketsMs: [], byOp: { 'transport-key': times(1000, 150), 'session-keys': times(1000, 200), certificate: times(4000, 250) } },
};

test('a snapshot: stations, requests per card, service times, own time by the response time law, servers', () => {
  const r = readSnapshot(SNAPSHOT, 'statistics.json');
  assert.equal([r.site.machines, r.site.stationsPerMachine, r.site.servers], [1, 24, 2], 'a line that made no request is no station');
  assert.equal([...r.site.ops!], [
    ['transport-key', { perCard: 1, serviceMs: 150 }],
    ['session-keys', { perCard: 1, serviceMs: 200 }],
    ['certificate', { perCard: 4, serviceMs: 250 }],
  ]);
  // 24 stations x 3600 s / 6000 cards = 14.4 s a card, of which 150 + 200 + 4 x 250 ms at the servers.
  assert.equal(r.site.localMs, [14_400 - 1_350]);
  assert.equal(r.missing, ['slots per server (not in a snapshot: --slots)']);
  assert.match(r.read.join('\n'), /own time per card at most 13\.05 s .*no queue waits/);
});

test('missing and ill-typed fields are skipped and named, never guessed', () => {
  const r = readSnapshot({ format: 'persomux-statistics', version: 1, totals: { cards: 10, lines: { a: line(3), b: line(3) } }, serviceTimes: { byOp: { echo: { count: '30', sumMs: 5 }, certificate: times(40, 9) } } }, 'statistics.json');
  assert.is(r.site.stationsPerMachine, 2);
  assert.equal([...r.site.ops!], [['certificate', { perCard: 4, serviceMs: 9 }]]);
  assert.equal(r.missing, ['serviceTimes.byOp.echo (count and sumMs)', 'own time per card (needs cardsPerHour, stations and service times)', 'servers (totals.servers)', 'slots per server (not in a snapshot: --slots)']);
  assert.is(r.site.localMs, undefined);
});

test('a snapshot from a newer release, of another format, or not an object is refused with the file named', () => {
  assert.throws(() => readSnapshot({ ...SNAPSHOT, version: 2 }, 'statistics.json'), (e: unknown) => e instanceof SnapshotError && /^statistics\.json: was written by a newer release \(snapshot version 2/.test(e.message));
  assert.throws(() => readSnapshot({ ...SNAPSHOT, format: 'other' }, 'statistics.json'), /statistics\.json: is not a persomux statistics snapshot \(format "other"\)/);
  assert.throws(() => readSnapshot([1, 2], 'statistics.json'), /statistics\.json: is not a statistics snapshot/);
});

test.run();
