// A data server dies while holding requests: the idempotent op is sent again
// to the other server (never back to the dead one), the other op is answered
// server-lost. Every request gets exactly one answer.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { encodeCbor } from '../../src/wire/cbor.js';
import { REFERENCE_OPS } from '../../src/dataserver/ops/echo.js';
import type { OpHandler } from '../../src/dataserver/ops/op.js';
import { Site } from '../support/site.js';
import { sleep, waitFor } from '../support/wait.js';

// A non-idempotent op: each execution hands out the next serial number.
let issued = 0;
const ops = new Map<string, OpHandler>([...REFERENCE_OPS, ['issue-serial', () => ({ ok: true, body: encodeCbor({ serial: ++issued }) })]]);

let site: Site;
test.before(async () => {
  site = await new Site({
    lines: [{ name: 'l1' }, { name: 'l2' }],
    servers: [
      { name: 'ds1', slots: 4, serviceTime: { kind: 'fixed', ms: 400 }, ops },
      { name: 'ds2', slots: 4, serviceTime: { kind: 'fixed', ms: 20 }, ops },
    ],
    ops: { echo: { ttlMs: 5000, retry: true }, 'issue-serial': { ttlMs: 5000, retry: false } },
  }).start();
});
test.after(() => site?.stop());

test('retry op re-dispatched to the other server, the other op answered server-lost', async () => {
  // ds2 drains (slots 0) so everything lands on ds1 first.
  site.dataServer('ds2').drain();
  await waitFor('ds2 drained', () => site.router.snapshot().dispatch.servers.find((s) => s.name === 'ds2')?.slots === 0);
  site.station('l1').request(1, 'echo', 'one');
  site.station('l1').request(2, 'issue-serial', { csn: 'c1' });
  site.station('l2').request(1, 'echo', 'two');
  await waitFor('ds1 holding 3', () => site.router.snapshot().dispatch.servers.find((s) => s.name === 'ds1')?.busy === 3);

  site.dataServer('ds2').resume();
  await sleep(50);
  await site.dataServer('ds1').close(); // gone mid-request: connections dropped, not listening

  const r1 = await site.station('l1').answer(1);
  const r2 = await site.station('l1').answer(2);
  const r3 = await site.station('l2').answer(1);
  assert.ok(r1.ok && r3.ok, 'echo answered after the loss');
  if (r1.ok) assert.equal(Buffer.from(r1.body), encodeCbor('one'));
  assert.ok(!r2.ok && r2.err.code === 'server-lost', JSON.stringify(r2));
  assert.is(site.dataServer('ds2').executions.get('echo'), 2);
  assert.is(site.dataServer('ds2').executions.get('issue-serial') ?? 0, 0, 'the non-idempotent op was not run again');
  await sleep(200);
  for (const [line, id] of [['l1', 1], ['l1', 2], ['l2', 1]] as const) assert.is(site.station(line).answers(id).length, 1);
});

test('after the loss, new requests keep being served by the surviving server', async () => {
  site.station('l2').request(9, 'issue-serial', { csn: 'c2' });
  const res = await site.station('l2').answer(9);
  assert.ok(res.ok);
  assert.is(site.dataServer('ds2').executions.get('issue-serial'), 1);
});

test.run();
