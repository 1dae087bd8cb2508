// A site as the simulator runs it: times divided by the scale, own time per
// card spread over its requests, the card plan the virtual cards follow.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DEFAULT_SIM } from '../../src/sim/sim.js';
import { simOptionsFromSite, SiteNotSimulable } from '../../src/sim/site-options.js';
import { DEFAULT_SITE, type Site } from '../../src/site/site.js';

const site: Site = {
  ...DEFAULT_SITE,
  machines: 2,
  stationsPerMachine: 2,
  localMs: [6000, 12000],
  ops: new Map([['transport-key', { perCard: 1, serviceMs: 100 }], ['session-keys', { perCard: 1, serviceMs: 200 }], ['certificate', { perCard: 4, serviceMs: 300 }]]),
  serverSpeed: [1, 0.5],
};

test('the default site runs as the default simulation always has', () => {
  const o = simOptionsFromSite(DEFAULT_SITE, DEFAULT_SIM, { timeScale: 1, binding: 'dynamic' });
  assert.is(o.chipMs, DEFAULT_SIM.chipMs);
  assert.equal(o.serviceTime, DEFAULT_SIM.serviceTime);
  assert.equal([o.machines, o.stationsPerMachine, o.servers, o.slots], [DEFAULT_SIM.machines, DEFAULT_SIM.stationsPerMachine, DEFAULT_SIM.servers, DEFAULT_SIM.slots]);
});

test('times are divided by the scale; each station waits its own time / 6 before each request', () => {
  const o = simOptionsFromSite(site, DEFAULT_SIM, { timeScale: 100, binding: 'static' });
  assert.equal(o.stationChipMs, [10, 10, 20, 20]);
  assert.equal(o.opServiceTimes?.get('certificate'), { kind: 'exp', meanMs: 3 });
  assert.equal(o.serviceTime, { kind: 'exp', meanMs: (100 + 200 + 1200) / 6 / 100 });
  assert.equal([o.binding, o.timeScale, o.serverSpeed], ['static', 100, [1, 0.5]]);
});

test('a site whose cards ask for other requests than the virtual cards cannot be simulated', () => {
  const other = { ...site, ops: new Map([['certificate', { perCard: 6, serviceMs: 300 }]]) };
  assert.throws(() => simOptionsFromSite(other, DEFAULT_SIM, { timeScale: 1, binding: 'dynamic' }), (e: unknown) => e instanceof SiteNotSimulable && /make 4 'certificate' request\(s\) each, the site says 6/.test(e.message));
  const echo = { ...site, ops: new Map([['echo', { perCard: 6, serviceMs: 300 }]]) };
  assert.throws(() => simOptionsFromSite(echo, DEFAULT_SIM, { timeScale: 1, binding: 'dynamic' }), /never ask for op 'echo'/);
});

test.run();
