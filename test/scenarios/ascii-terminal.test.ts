// The ASCII protocol typed as a person at a terminal would: a key at a time,
// CR LF or a lone LF, a typo among the lines.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Site } from '../support/site.js';
import { sleep, waitFor } from '../support/wait.js';

let site: Site;
test.before(async () => {
  site = await new Site({ lines: [{ name: 'term', protocol: 'ascii' }] }).start();
});
test.after(() => site?.stop());

async function type(text: string): Promise<void> {
  for (const ch of text) {
    site.station('term').write(ch);
    await sleep(1);
  }
}

test('a request typed key by key is acknowledged and answered in text', async () => {
  await type('REQ 7 echo csn=0x04a1b2 n=42 who=enc-3\r\n');
  const text = await waitFor('RES 7', () => /RES 7 .*\r\n/.exec(site.station('term').text)?.[0]);
  assert.ok(site.station('term').text.includes('ACK 7 0\r\n'), site.station('term').text);
  assert.is(text, 'RES 7 OK csn=0x04a1b2 n=42 who=enc-3\r\n');
});

test('a lone LF ends a line too, and PING gets PONG', async () => {
  await type('PING 12\n');
  await waitFor('PONG 12', () => site.station('term').text.includes('PONG 12\r\n'));
});

test('a malformed line is answered bad-request, and the next line still works', async () => {
  await type('REQ 8 echo csn=0xABC\r\n');
  await type('REQ nine echo\r\n');
  await type('REQ 10 echo a=b\r\n');
  await waitFor('RES 10', () => site.station('term').text.includes('RES 10 OK a=b\r\n'));
  const text = site.station('term').text;
  assert.match(text, /RES 8 ERR bad-request value of 'csn' starts with 0x but is not an even number of hex digits\r\n/);
  assert.match(text, /RES - ERR bad-request id must be a decimal unsigned integer/);
  assert.is(site.dataServer().executions.get('echo'), 2);
});

test('an unknown op is refused in text', async () => {
  await type('REQ 11 launch-missiles\r\n');
  await waitFor('RES 11', () => /RES 11 ERR unknown-op .*\r\n/.test(site.station('term').text));
});

test.run();
