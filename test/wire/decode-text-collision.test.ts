// The memory of short texts (cbor-scan.ts TextMemory) keys texts by a hash of
// their bytes: two texts in the same place must still read back as
// themselves. 'op-1rnw' and 'op-ipba' share a place in a memory of 512 (found
// by the review of this change); were the compare lost, a station's op
// 'op-ipba' would be read as 'op-1rnw' and could be served another op's
// answer (PROTOCOL.md 2.1 rule 2). A memory of its own per test, so no other
// test file fills it first.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { TextMemory } from '../../src/wire/cbor-scan.js';

const read = (m: TextMemory, s: string): string => {
  const b = Buffer.from(s, 'latin1');
  return m.decode(b, 0, b.length);
};

test('two short texts in the same place each read back as themselves, in any order', () => {
  const m = new TextMemory(512);
  for (const s of ['op-1rnw', 'op-ipba', 'op-1rnw', 'op-1rnw', 'op-ipba']) assert.is(read(m, s), s);
});

test('a memory of 2 places: every text still reads back as itself, whatever it overwrites', () => {
  const m = new TextMemory(2);
  const texts = ['t', 'id', 'op', 'body', 'ttl', 'station', 'echo', 'x'.repeat(24)];
  for (let round = 0; round < 3; round++) for (const s of texts) assert.is(read(m, s), s);
});

test('places must be a power of two', () => {
  assert.throws(() => new TextMemory(500), /power of two/);
});

test.run();
