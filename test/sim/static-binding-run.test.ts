// The simulator's static binding reaches the real router: with one data
// server given a wrong master key, exactly the stations bound to it get
// their cards rejected, and the others never do (with dynamic dispatch
// every station meets both servers).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { silentLogger } from '../../src/log/logger.js';
import { DEFAULT_SIM, runSimulation } from '../../src/sim/sim.js';
import { formatReport } from '../../src/sim/report.js';

test('static binding: line i goes to server i mod 2 and to no other', async () => {
  const result = await runSimulation(
    { ...DEFAULT_SIM, machines: 1, stationsPerMachine: 4, seconds: 2, servers: 2, wrongKeyServer: 'ds2', binding: 'static', serviceTime: { kind: 'exp', meanMs: 5 } },
    silentLogger,
    () => {},
  );
  const byName = new Map(result.stations.map((s) => [s.name, s]));
  for (const name of ['m1-s1', 'm1-s3']) {
    assert.ok(byName.get(name)!.cards > 0, `${name} (ds1) personalizes cards`);
    assert.is(byName.get(name)!.rejected.total, 0, `${name} never reaches ds2`);
  }
  for (const name of ['m1-s2', 'm1-s4']) {
    assert.is(byName.get(name)!.cards, 0, `${name} (ds2) never reaches ds1`);
    assert.ok(byName.get(name)!.rejected.get('card-cryptogram') > 0, `${name} has its cards rejected`);
  }
  assert.match(formatReport(result), /binding: static, each station bound to one data server/);
});

test.run();
