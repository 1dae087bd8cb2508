// A real router on a real pty line, logging at debug: a station sending
// thousands of bad frames costs the log at most LINES_PER_MINUTE `line.drop`
// lines (before the budget, every drop was a debug line), and the line still
// serves. Bad requests on a native line and junk typed at an ASCII line go
// through the router's notes, which are written within the line's budget too.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { encodeCbor } from '../../src/wire/cbor.js';
import { encodeFrame } from '../../src/wire/frame.js';
import { encodeMessage } from '../../src/wire/messages.js';
import { LINES_PER_MINUTE } from '../../src/log/rate-limit.js';
import { Site } from '../support/site.js';
import { waitFor } from '../support/wait.js';

let site: Site;
test.before(async () => {
  site = await new Site({ lines: [{ name: 'l1' }, { name: 'l2' }, { name: 't1', protocol: 'ascii' }] }).start();
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

/** Log lines about one line (its budget's field, or a note naming it). */
const about = (line: string) => site.logLines.filter((l) => l.includes(` line=${line} `) || l.endsWith(` line=${line}`));

test('500 malformed requests on a native line: each answered bad-request, the log bounded', async () => {
  const bad = encodeFrame(encodeMessage({ t: 'req', id: 9, op: 7 } as never));
  site.station('l2').write(Buffer.concat(Array.from({ length: 500 }, () => bad)));
  site.station('l2').write(encodeFrame(encodeMessage({ t: 'req', id: 10, op: 'echo', body: encodeCbor({ ok: 1 }) })));
  assert.ok((await site.station('l2').answer(10, 60_000)).ok);
  const badAnswers = site.station('l2').answers(9).filter((r) => !r.ok && r.err.code === 'bad-request');
  assert.is(badAnswers.length, 500, 'every malformed request still gets its answer');
  const lines = about('l2');
  assert.ok(lines.length <= LINES_PER_MINUTE + 1, `${lines.length} log lines about l2`);
});

test('1000 junk lines typed at an ASCII line: the log bounded, the line still serves', async () => {
  site.station('t1').write('x\n'.repeat(1000));
  site.station('t1').write('PING 5\n');
  await waitFor('the PONG', () => site.station('t1').text.includes('PONG 5\r\n'), 60_000);
  const lines = about('t1');
  assert.ok(lines.length <= LINES_PER_MINUTE + 1, `${lines.length} log lines about t1`);
});

test.run();
