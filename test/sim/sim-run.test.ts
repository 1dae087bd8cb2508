// The simulator end to end, short and small: cards get personalized, every
// answer reaches its own station, and the report says so.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { silentLogger } from '../../src/log/logger.js';
import { DEFAULT_SIM, runSimulation, type Progress } from '../../src/sim/sim.js';
import { formatReport } from '../../src/sim/report.js';
import { CARD_FILES } from '../../src/sim/card/card-files.js';

test('a 2 s run of 2 machines x 3 stations personalizes cards with no wrong answers', async () => {
  const progress: Progress[] = [];
  const result = await runSimulation(
    { ...DEFAULT_SIM, machines: 2, stationsPerMachine: 3, seconds: 2, serviceTime: { kind: 'exp', meanMs: 5 } },
    silentLogger,
    (p) => progress.push(p),
  );
  const cards = result.stations.reduce((n, s) => n + s.cards, 0);
  const requests = result.stations.reduce((n, s) => n + s.requests, 0);
  assert.is(result.stations.length, 6);
  assert.ok(cards > 0, 'cards were personalized');
  assert.ok(result.stations.every((s) => s.cards > 0), 'every station finished cards');
  assert.ok(requests >= cards * (2 + CARD_FILES.length), 'a card is a transport key, session keys and a certificate per file');
  assert.is(result.stations.reduce((n, s) => n + s.rejected.total, 0), 0, 'no card rejected');
  const audited = result.audits.reduce((n, a) => n + (a.result.ok ? a.result.records : 0), 0);
  assert.ok(result.audits.length === 2 && result.audits.every((a) => a.result.ok), JSON.stringify(result.audits));
  // One record per answered op: all dispatched requests but those still at a server when the run stopped (at most its slots).
  const slots = DEFAULT_SIM.servers * DEFAULT_SIM.slots;
  assert.ok(audited <= result.served.total && audited >= result.served.total - slots, `${audited} records for ${result.served.total} dispatched`);
  assert.is(result.stations.reduce((n, s) => n + s.foreign, 0), 0);
  assert.is(result.waitsMs.length, result.served.total, 'one wait sample per dispatch');
  assert.ok(progress.length >= 1, 'progress was reported while running');
  const report = formatReport(result);
  assert.match(report, new RegExp(`Cards personalized\\s+${cards.toLocaleString('en-US')}\\b`));
  assert.match(report, /Errors by code\s+none/);
  assert.match(report, /Cards rejected\s+0\n/);
  assert.match(report, /m2\s+\d+%\s+\d+%\s+\d+%/);
});


test('two cascaded boxes: stations on the box without servers personalize cards through the other', async () => {
  const result = await runSimulation(
    { ...DEFAULT_SIM, boxes: 2, machines: 2, stationsPerMachine: 2, seconds: 2, serviceTime: { kind: 'exp', meanMs: 5 } },
    silentLogger,
    () => {},
  );
  const onA = result.stations.filter((s) => result.boxOf.get(s.name) === 'a');
  assert.is(onA.length, 2);
  assert.ok(onA.every((s) => s.cards > 0), 'box A stations finished cards');
  assert.ok(result.served.get('box-b') > 0, 'box A sent work to box B');
  assert.is(result.stations.reduce((n, s) => n + s.foreign, 0), 0);
  assert.match(formatReport(result), /on box A\s+\d+\s+\(2 stations, served through box B\)/);
});

test('a data server with a wrong master key: the cards it served are rejected, and the report says why', async () => {
  const result = await runSimulation(
    { ...DEFAULT_SIM, machines: 1, stationsPerMachine: 4, seconds: 2, servers: 2, wrongKeyServer: 'ds2', serviceTime: { kind: 'exp', meanMs: 5 } },
    silentLogger,
    () => {},
  );
  const rejected = result.stations.reduce((n, s) => n + s.rejected.get('card-cryptogram'), 0);
  const personalized = result.stations.reduce((n, s) => n + s.cards, 0);
  assert.ok(rejected > 0, 'cards rejected for the wrong key');
  assert.ok(personalized > 0, 'cards served by the good server still personalized');
  assert.match(formatReport(result), new RegExp(`${rejected}\\s+card-cryptogram: the server's card cryptogram differs from the chip's`));
});

test.run();
