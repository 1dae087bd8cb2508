// A station's USB adapter unplugged and plugged back: that line goes down and
// comes back by itself; the other lines keep working throughout.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Site } from '../support/site.js';
import { StationPeer } from '../support/station-peer.js';
import { waitFor } from '../support/wait.js';

let site: Site;
test.before(async () => {
  site = await new Site({ lines: [{ name: 'a' }, { name: 'b' }, { name: 'c' }], servers: [{ name: 'ds1', slots: 4 }] }).start();
});
test.after(() => site?.stop());

const lineState = (name: string): string | undefined => site.router.snapshot().lines.find((l) => l.name === name)?.phase;

test('one line unplugged: it goes down, the others keep being served', async () => {
  await site.station('b').close();
  await site.pairs.get('b')!.kill();
  await waitFor('line b down', () => lineState('b') === 'waiting');
  site.station('a').request(1, 'echo', 'a1');
  site.station('c').request(1, 'echo', 'c1');
  assert.ok((await site.station('a').answer(1)).ok);
  assert.ok((await site.station('c').answer(1)).ok);
  assert.is(lineState('a'), 'open');
  assert.ok(site.logLines.some((l) => /warn .*line\.waiting line=b .*why=(disconnected|closed|"device gone")/.test(l)), 'the drop is logged with its line');
});

test('plugged back: the line reopens by itself and serves again', async () => {
  await site.pairs.get('b')!.start();
  await waitFor('line b open again', () => lineState('b') === 'open', 8000);
  const station = await new StationPeer(site.pairs.get('b')!.peerPath).open();
  site.stations.set('b', station);
  station.request(2, 'echo', 'b2');
  const res = await station.answer(2);
  assert.ok(res.ok);
});

test('reopening backs off instead of spinning while the port is gone', async () => {
  await site.station('c').close();
  await site.pairs.get('c')!.kill();
  await waitFor('line c down', () => lineState('c') === 'waiting');
  const before = site.logLines.filter((l) => /line\.opening line=c/.test(l)).length;
  await new Promise((r) => setTimeout(r, 1500));
  const attempts = site.logLines.filter((l) => /line\.opening line=c/.test(l)).length - before;
  // 200 ms doubling: 200, 400, 800 -> at most 4 attempts in 1.5 s (a busy loop would make hundreds).
  assert.ok(attempts >= 1 && attempts <= 4, `${attempts} open attempts in 1.5 s`);
});

test.run();
