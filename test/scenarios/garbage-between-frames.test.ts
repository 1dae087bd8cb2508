// Garbage and bad frames between good ones: each bad one is dropped and
// counted, the line stays open, and every good request is still answered.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { crc32 } from 'node:zlib';
import { cobsEncode } from '../../src/wire/cobs.js';
import { encodeCbor } from '../../src/wire/cbor.js';
import { encodeFrame } from '../../src/wire/frame.js';
import { encodeMessage } from '../../src/wire/messages.js';
import { Site } from '../support/site.js';
import { RouterWatch } from '../support/router-watch.js';
import { seededRandom } from '../../src/util/random.js';

let site: Site;
let watch: RouterWatch;
test.before(async () => {
  site = await new Site({}).start();
  watch = new RouterWatch(site.router);
});
test.after(() => site?.stop());

const good = (id: number): Buffer => encodeFrame(encodeMessage({ t: 'req', id, op: 'echo', body: encodeCbor({ id }) }));

test('bad frames are dropped by reason and good ones around them answered', async () => {
  const random = seededRandom(7);
  const noise = Buffer.from(Array.from({ length: 300 }, () => 1 + Math.floor(random() * 255)));
  const badCrc = good(900);
  badCrc[3] = badCrc[3]! ^ 0x01;
  const notAMap = encodeFrame(encodeCbor([1, 2, 3]));
  const tooLong = encodeFrame(encodeMessage({ t: 'req', id: 901, op: 'echo', body: encodeCbor(Buffer.alloc(5000, 7)) }));
  const notCbor = (() => {
    const body = Buffer.from([0xff, 0xff]);
    const withCrc = Buffer.concat([body, Buffer.alloc(4)]);
    withCrc.writeUInt32BE(crc32(body), body.length);
    return Buffer.concat([cobsEncode(withCrc), Buffer.of(0)]);
  })();
  const stream = Buffer.concat([good(1), noise, Buffer.of(0), good(2), badCrc, good(3), notAMap, tooLong, good(4), notCbor, good(5)]);
  // Sent in odd-sized chunks, as a noisy line would deliver them.
  for (let at = 0; at < stream.length; at += 97) site.station().write(stream.subarray(at, at + 97));

  for (const id of [1, 2, 3, 4, 5]) {
    const res = await site.station().answer(id);
    assert.ok(res.ok, `request ${id}: ${JSON.stringify(res)}`);
  }
  assert.equal(site.station().answers(900), []);
  assert.equal(site.station().answers(901), []);
  assert.is(site.dataServer().executions.get('echo'), 5);
  assert.is(watch.linePhase('l1'), 'open');
  assert.is(watch.lineDrops('l1', 'crc'), 1);
  assert.is(watch.lineDrops('l1', 'too-long'), 1);
  assert.is(watch.lineDrops('l1', 'not-a-message'), 1);
  assert.is(watch.lineDrops('l1', 'cbor'), 1);
  assert.ok(watch.lineDrops('l1', 'cobs') + watch.lineDrops('l1', 'crc') >= 2, 'the noise was counted');
  assert.ok(site.logLines.some((l) => /line\.drop .*reason=crc/.test(l)));
});

test('a req with a bad id is answered bad-request; a malformed ping is only counted', async () => {
  site.station().write(encodeFrame(encodeCbor({ t: 'req', id: 'x', op: 'echo' })));
  site.station().write(encodeFrame(encodeCbor({ t: 'req', id: 5000, op: 7 })));
  site.station().write(encodeFrame(encodeCbor({ t: 'ping', n: -1 })));
  const res = await site.station().answer(5000);
  assert.ok(!res.ok && res.err.code === 'bad-request', JSON.stringify(res));
  const nullId = await site.station().answer(null as unknown as number);
  assert.ok(!nullId.ok && nullId.err.code === 'bad-request');
});

test.run();
