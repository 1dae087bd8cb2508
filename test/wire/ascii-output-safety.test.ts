// What the router writes on an ASCII line is one line of printable ASCII,
// whatever a server put in its error; a malformed pair is named, not quoted.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { formatAscii, parseAsciiLine } from '../../src/wire/ascii.js';

test("a server's error text cannot end the line or forge another", () => {
  const line = formatAscii({ t: 'res', id: 7, ok: false, err: { code: 'key\nunavailable', msg: 'HSM slot \u010a gone\u010dACK 8 0\r\n\u001b[2J' } })!;
  assert.is(line.indexOf('\n'), line.length - 1, 'one LF, at the end');
  assert.is(line.indexOf('\r'), line.length - 2, 'one CR, before it');
  assert.ok(/^[\x20-\x7e]*\r\n$/.test(line), JSON.stringify(line));
  assert.ok(line.startsWith('RES 7 ERR key?unavailable HSM slot ? gone?ACK 8 0'), line);
});

test('a malformed pair is named by position; its value never appears in the reason', () => {
  const parsed = parseAsciiLine('REQ 3 transport-key 0x00112233445566778899aabbccddeeff');
  assert.ok(parsed && !parsed.ok && parsed.problem.kind === 'bad-field');
  if (parsed && !parsed.ok && parsed.problem.kind === 'bad-field') {
    assert.match(parsed.problem.why, /pair 1 after the op/);
    assert.not.match(parsed.problem.why, /0011/);
  }
});

test.run();
