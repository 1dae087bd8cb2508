// Review 13b (pre-existing, kept by decodeText): the strict UTF-8 decoder is
// built without `ignoreBOM`, so a text that starts with U+FEFF loses it. A
// station's op "\uFEFFecho" is read, dispatched and forwarded as "echo", and a
// key "\uFEFFop" reads as "op": the router does not move text byte for byte.
// Fix: new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { decodeText } from '../../src/wire/cbor-scan.js';
import { encodeCbor } from '../../src/wire/cbor.js';
import { parseStationMessage } from '../../src/wire/parse.js';

test('a text starting with U+FEFF keeps it', () => {
  const bytes = Buffer.from('\uFEFFecho', 'utf8');
  assert.is(decodeText(bytes, 0, bytes.length), '\uFEFFecho');
});

test('a req whose op starts with U+FEFF is not read as another op', () => {
  const parsed = parseStationMessage(encodeCbor({ t: 'req', id: 1, op: '\uFEFFecho' }));
  assert.ok(parsed.ok);
  assert.is(parsed.ok && (parsed.msg as { op: string }).op, '\uFEFFecho');
});

test.run();
