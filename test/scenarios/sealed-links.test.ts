// Protected links (PROTOCOL.md 3) end to end: a station's request answered
// through a sealed TCP link and a sealed serial link; a tampered, a replayed
// and a wrongly keyed frame each dropped without the link or the router
// failing; three drops in a row close the link, which comes back with a
// fresh handshake and still answers the station.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { loadLinkKeys } from '../../src/keys/link-key-file.js';
import { deriveContext, linkIdContext } from '../../src/secure/context.js';
import { sealMessage } from '../../src/secure/seal.js';
import { encodeFrame } from '../../src/wire/frame.js';
import { encodeMessage } from '../../src/wire/messages.js';
import { Site } from '../support/site.js';
import { RouterWatch } from '../support/router-watch.js';
import { sleep, waitFor } from '../support/wait.js';

for (const link of ['tcp', 'serial'] as const) {
  const test = suite(`sealed ${link} link`);
  let site: Site;
  test.before(async () => {
    site = await new Site({ sealed: true, servers: [{ name: 'ds1', slots: 2, link }] }).start();
  });
  test.after(() => site?.stop());

  test('a station request is answered through the sealed link', async () => {
    site.station().request(1, 'echo', { csn: Buffer.from('04a1b2c3', 'hex') });
    const res = await site.station().answer(1);
    assert.ok(res.ok, JSON.stringify(res));
    assert.ok(site.logLines.some((l) => /link\.open server=ds1 .*sealed=true/.test(l)), 'the link says it is sealed');
  });
  test.run();
}

const tamper = suite('tampered, replayed and wrongly keyed frames');
let site: Site;
tamper.before(async () => {
  site = await new Site({
    sealed: true,
    pingIntervalMs: 100,
    servers: [
      { name: 'ds1', slots: 2, proxy: true, serviceTime: { kind: 'fixed', ms: 150 } },
      { name: 'ds2', slots: 2, serviceTime: { kind: 'fixed', ms: 150 } },
    ],
  }).start();
  // ds2 drains (0 slots) so that every request goes through the proxied ds1.
  site.dataServer('ds2').drain();
  await waitFor('ds2 drained', () => site.router.snapshot().dispatch.servers.find((s) => s.name === 'ds2')?.slots === 0);
  watch = new RouterWatch(site.router);
});
tamper.after(() => site?.stop());

let watch: RouterWatch;
const routerLink = () => ({ drops: { get: (reason: string) => watch.linkDrops('ds1', reason) }, state: watch.linkPhase('ds1') });

tamper('a tampered frame is dropped as decrypt; the link stays and serves', async () => {
  site.proxies.get('ds1')!.tamper(1);
  await waitFor('a decrypt drop', () => routerLink().drops.get('decrypt') === 1);
  assert.is(routerLink().state, 'open');
  site.station().request(1, 'echo', 'after tamper');
  assert.ok((await site.station().answer(1)).ok);
});

tamper('a replayed frame is dropped as replay; the link stays and serves', async () => {
  const proxy = site.proxies.get('ds1')!;
  proxy.injectToRouter(proxy.toRouter[proxy.toRouter.length - 1]!);
  await waitFor('a replay drop', () => routerLink().drops.get('replay') === 1);
  assert.is(routerLink().state, 'open');
  site.station().request(2, 'echo', 'after replay');
  assert.ok((await site.station().answer(2)).ok);
});

tamper('a frame sealed with the wrong key is dropped; the link stays and serves', async () => {
  const real = loadLinkKeys(site.keyFiles.get('ds1')!.server);
  // The server's kid, the right shape, but another master secret.
  const forged = deriveContext({ masterSecret: Buffer.alloc(32, 7), senderId: real.senderId, recipientId: real.recipientId, idContext: linkIdContext(Buffer.alloc(8, 1), Buffer.alloc(8, 2)) });
  const before = routerLink().drops.get('decrypt') ?? 0;
  site.proxies.get('ds1')!.injectToRouter(encodeFrame(sealMessage(forged, encodeMessage({ t: 'ready', slots: 100, ops: ['echo'] }), 1_000_000)));
  await waitFor('a decrypt drop', () => routerLink().drops.get('decrypt') === before + 1);
  assert.is(site.router.snapshot().dispatch.servers.find((s) => s.name === 'ds1')?.slots, 2, "the forged 'ready' changed nothing");
  site.station().request(3, 'echo', 'after forgery');
  assert.ok((await site.station().answer(3)).ok);
});

tamper('three drops in a row close the link; the request goes to the other server, and a fresh handshake brings the link back', async () => {
  const handshakesBefore = site.logLines.filter((l) => /link\.open server=ds1/.test(l)).length;
  site.station().request(4, 'echo', 'in flight while the link breaks');
  await waitFor('request 4 at ds1', () => site.router.snapshot().dispatch.servers.find((s) => s.name === 'ds1')?.busy === 1);
  site.dataServer('ds2').resume();
  site.proxies.get('ds1')!.tamper(3);
  const res = await site.station().answer(4, 5000);
  // echo is retry: true, so it is sent again, to the other server (never back to the one that failed, 2.2 rule 3).
  assert.ok(res.ok, JSON.stringify(res));
  assert.is(site.dataServer('ds2').executions.get('echo'), 1);
  assert.ok(site.logLines.some((l) => /link\.waiting server=ds1 .*why="3 sealed messages dropped in a row"/.test(l)), 'the reason is logged');
  await waitFor('ds1 back with a fresh handshake', () => site.logLines.filter((l) => /link\.open server=ds1/.test(l)).length > handshakesBefore && site.router.snapshot().dispatch.servers.find((s) => s.name === 'ds1')?.available);
  site.dataServer('ds2').drain();
  await waitFor('ds2 drained again', () => site.router.snapshot().dispatch.servers.find((s) => s.name === 'ds2')?.slots === 0);
  const executedAtDs1 = site.dataServer('ds1').executions.get('echo') ?? 0;
  site.station().request(5, 'echo', 'after the new handshake');
  assert.ok((await site.station().answer(5)).ok);
  assert.is(site.dataServer('ds1').executions.get('echo'), executedAtDs1 + 1, 'served by ds1 over its new context');
});

tamper.run();
