// 24 stations, all lines opening at once, each with several requests in
// flight: every station receives exactly its own answers.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomBytes } from 'node:crypto';
import { decodeCbor } from '../../src/wire/cbor.js';
import { Site } from '../support/site.js';
import { waitFor } from '../support/wait.js';

const LINES = Array.from({ length: 24 }, (_, i) => ({ name: `m${Math.floor(i / 6) + 1}-s${(i % 6) + 1}` }));
const PER_STATION = 6;

let site: Site;
test.before(async () => {
  site = await new Site({
    lines: LINES,
    servers: [
      { name: 'ds1', slots: 4, serviceTime: { kind: 'exp', meanMs: 10 } },
      { name: 'ds2', slots: 4, serviceTime: { kind: 'exp', meanMs: 10 } },
    ],
  }).start();
});
test.after(() => site?.stop());

test('concurrent requests from 24 stations: each gets exactly its own answers', async () => {
  const sent = new Map<string, Map<number, string>>();
  for (const { name } of LINES) {
    const mine = new Map<number, string>();
    for (let id = 1; id <= PER_STATION; id++) {
      // Something only this request has: its line, its id and a random nonce.
      const nonce = `${name}#${id}#${randomBytes(8).toString('hex')}`;
      mine.set(id, nonce);
      site.station(name).request(id, 'echo', { nonce });
    }
    sent.set(name, mine);
  }
  await waitFor('all answers', () => LINES.every(({ name }) => site.station(name).received.filter((m) => m.t === 'res').length >= PER_STATION), 20_000);
  for (const { name } of LINES) {
    const answers = site.station(name).received.filter((m) => m.t === 'res');
    assert.equal(answers.map((a) => a.id).sort((x, y) => x! - y!), Array.from({ length: PER_STATION }, (_, i) => i + 1), `${name}: one answer per request`);
    for (const res of answers) {
      assert.ok(res.ok, `${name}: ${JSON.stringify(res)}`);
      if (!res.ok) continue;
      const { nonce } = decodeCbor(res.body) as { nonce: string };
      assert.is(nonce, sent.get(name)!.get(res.id!), `${name} request ${res.id} got someone else's answer`);
    }
  }
  const total = site.dataServer('ds1').totalExecutions + site.dataServer('ds2').totalExecutions;
  assert.is(total, LINES.length * PER_STATION);
  assert.ok(site.dataServer('ds1').totalExecutions > 0 && site.dataServer('ds2').totalExecutions > 0, 'both servers took work');
});

test.run();
