// A real router on a real pty line, logging at debug: a station sending
// thousands of bad frames costs the log at most LINES_PER_MINUTE `line.drop`
// lines (before the budget, every drop was a debug line), and the line still
// serves. Other flood cases (bad requests, unauthenticated connections) pass
// through the router and the accepting links, wired by the lead (see the report).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { encodeCbor } from '../../src/wire/cbor.js';
import { encodeFrame } from '../../src/wire/frame.js';
import { encodeMessage } from '../../src/wire/messages.js';
import { LINES_PER_MINUTE } from '../../src/log/rate-limit.js';
import { Site } from '../support/site.js';

let site: Site;
test.before(async () => {
  site = await new Site({}).start();
});
test.after(() => site?.stop());

test('3000 bad frames on one line: at most the stated log lines, and the line still answers', async () => {
  const bad = encodeFrame(encodeMessage({ t: 'req', id: 1, op: 'echo', body: encodeCbor({ x: 1 }) }));
  bad[3] = bad[3]! ^ 0x01; // a bad CRC
  site.station().write(Buffer.concat(Array.from({ length: 3000 }, () => bad)));
  site.station().write(encodeFrame(encodeMessage({ t: 'req', id: 7, op: 'echo', body: encodeCbor({ ok: 1 }) })));
  const res = await site.station().answer(7);
  assert.ok(res.ok);
  const drops = site.logLines.filter((l) => / line\.drop /.test(l));
  assert.ok(drops.length <= LINES_PER_MINUTE, `${drops.length} line.drop lines`);
  assert.ok(drops.length >= 4, 'the first drops are still told');
  assert.match(drops.at(-1)!, /dropped=\d+/);
});

test.run();
