// Quoted input is cut to a short prefix; no log field is ever long.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { formatLine } from '../../src/log/logger.js';
import { MAX_FIELD_CHARS, quote, quoteBytes } from '../../src/log/quote.js';

test('short input is quoted whole; long input keeps a prefix and says how much is missing', () => {
  assert.is(quote('certificate'), 'certificate');
  assert.is(quote('x'.repeat(4000)), `${'x'.repeat(40)}...(+3960 chars)`);
  assert.is(quoteBytes(Buffer.alloc(4)), '00000000');
  assert.is(quoteBytes(Buffer.alloc(1000, 0xab)), `${'ab'.repeat(20)}...(1000 bytes)`);
});

test('a 4000-character op name cannot make an 8 KiB log line', () => {
  const line = formatLine('info', 'request.rejected', { line: 'm1-s1', op: 'o'.repeat(4000), why: `unknown op '${'o'.repeat(4000)}'` });
  assert.ok(line.length < 2 * MAX_FIELD_CHARS + 150, `${line.length} characters`);
  assert.match(line, /op="o+\.\.\.\(\+3800 chars\)"/);
});

test.run();
