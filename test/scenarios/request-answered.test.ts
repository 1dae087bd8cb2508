// A station's request on a real pty, answered through a real data server on
// loopback TCP and on a serial link: ack at once, then the answer, body intact.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { encodeCbor } from '../../src/wire/cbor.js';
import { Site } from '../support/site.js';
import { waitFor } from '../support/wait.js';

for (const link of ['tcp', 'serial'] as const) {
  const test = suite(`request answered through a data server (${link} link)`);
  let site: Site;
  test.before(async () => {
    site = await new Site({ servers: [{ name: 'ds1', slots: 2, link }] }).start();
  });
  test.after(() => site?.stop());

  test('hello gets welcome naming router and line', async () => {
    site.station().send({ t: 'hello', v: 1, station: 'enc-1' });
    const welcome = await waitFor('welcome', () => site.station().received.find((m) => m.t === 'welcome'));
    assert.equal(welcome, { t: 'welcome', v: 1, router: 'test-box', line: 'l1' });
  });

  test('ack then res, the body byte for byte', async () => {
    // Integer map keys and a float: a decode/re-encode would change these bytes.
    const body = encodeCbor(new Map<unknown, unknown>([[1, 'one'], ['csn', Buffer.from('04a1b2c3', 'hex')], ['f', 1.5]]));
    site.station().send({ t: 'req', id: 41, op: 'echo', body });
    const res = await site.station().answer(41);
    assert.ok(res.ok, JSON.stringify(res));
    if (res.ok) assert.equal(Buffer.from(res.body).toString('hex'), body.toString('hex'));
    const order = site.station().received.filter((m) => 'id' in m && m.id === 41).map((m) => m.t);
    assert.equal(order, ['ack', 'res']);
    assert.equal(site.dataServer().executions.get('echo'), 1);
  });

  test('after its link drops, the router reopens it (the device is released) and is served again', async () => {
    assert.ok(site.router.resetServer('ds1', 'test: drop the link'));
    await waitFor('link back open and server available', () => site.router.snapshot().servers.find((s) => s.name === 'ds1')?.phase === 'open' && site.router.snapshot().dispatch.servers.some((s) => s.available), 8000);
    site.station().request(42, 'echo', 'again');
    assert.ok((await site.station().answer(42)).ok);
    assert.not.ok(site.logLines.some((l) => /Cannot lock port/.test(l)), 'the old file descriptor was closed');
  });

  test('ping gets pong with the same n', async () => {
    site.station().send({ t: 'ping', n: 77 });
    await waitFor('pong', () => site.station().received.find((m) => m.t === 'pong' && m.n === 77));
  });

  test.run();
}
