import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { seededRandom } from '../../src/util/random.js';
import { CborScanError, checkItem, decodeText, mapFields, skipItem } from '../../src/wire/cbor-scan.js';
import { hex, toHex } from './helpers.js';

const accepts = suite('cbor-scan: well-formed plain items');

// RFC 8949 Appendix A examples without tags or indefinite lengths.
const wellFormed = [
  '00', '01', '0a', '17', '1818', '1819', '1864', '1903e8', '1a000f4240', '1b000000e8d4a51000', '1bffffffffffffffff',
  '20', '29', '3863', '3903e7', '3bffffffffffffffff',
  'f90000', 'f98000', 'f93c00', 'fb3ff199999999999a', 'f93e00', 'f97bff', 'fa47c35000', 'f97c00', 'f97e00', 'fb7ff8000000000000',
  'f4', 'f5', 'f6', 'f7', 'f0', 'f820', 'f8ff',
  '40', '4401020304', '60', '6161', '6449455446', '62225c', '62c3bc', '63e6b0b4',
  '80', '83010203', '8301820203820405',
  '98190102030405060708090a0b0c0d0e0f101112131415161718181819',
  'a0', 'a201020304', 'a26161016162820203', '826161a161626163',
  'a56161614161626142616361436164614461656145',
];

for (const h of wellFormed) {
  accepts(`accepts ${h}`, () => {
    const b = hex(h);
    assert.is(skipItem(b, 0), b.length);
    checkItem(b);
  });
}

accepts('skipItem returns the end of the first item and leaves the rest', () => {
  assert.is(skipItem(hex('01 02 03'), 0), 1);
  assert.is(skipItem(hex('01 82 02 03 04'), 1), 4);
  assert.is(skipItem(hex('a1 61 61 18 20 ff'), 0), 5);
});

accepts.run();

const rejects = suite('cbor-scan: rejections');

const throwsScan = (h: string, allowTags = false): CborScanError => {
  try {
    checkItem(hex(h), allowTags);
  } catch (e) {
    assert.instance(e, CborScanError, `${h} throws a CborScanError`);
    return e as CborScanError;
  }
  assert.unreachable(`${h} should be rejected`);
  throw new Error('unreachable');
};

rejects('indefinite lengths of every kind', () => {
  for (const h of ['5f 42 01 02 ff', '7f 61 61 ff', '9f ff', '9f 01 02 ff', 'bf 61 61 01 ff', '82 01 9f ff', 'a1 61 61 5f ff']) throwsScan(h);
});

rejects('a lone break and info 31 on integers and tags', () => {
  for (const h of ['ff', '1f', '3f', 'df 01']) throwsScan(h, true);
});

rejects('tags, unless allowTags', () => {
  for (const h of ['c0 74 32303133 2d30332d32315432303a30343a30305a', 'c1 1a 514b67b0', 'c2 49 010000000000000000', 'd8 20 63 616263', 'd0 80', 'd9 d9f7 80', 'db 0000000000000010 80']) {
    throwsScan(h);
    checkItem(hex(h), true);
  }
  throwsScan('82 01 c1 00', false);
  throwsScan('a1 61 61 c1 00', false);
  checkItem(hex('82 01 c1 00'), true);
  checkItem(hex('d0 d0 01'), true);
});

rejects('a tag with nothing after it, even when tags are allowed', () => {
  throwsScan('c1', true);
  throwsScan('d8 20', true);
});

rejects('reserved additional information 28, 29, 30 in every major type', () => {
  for (let major = 0; major < 8; major++) {
    for (const info of [28, 29, 30]) {
      const h = ((major << 5) | info).toString(16).padStart(2, '0');
      throwsScan(h + ' 00 00 00 00 00 00 00 00', true);
      // Even with plenty of bytes after it, the head itself is refused.
      const b = Buffer.concat([Buffer.of((major << 5) | info), Buffer.alloc(80)]);
      assert.throws(() => skipItem(b, 0, true), (e: unknown) => e instanceof CborScanError, `skipItem ${h}`);
    }
  }
});

rejects('two-byte simple values below 32', () => {
  for (const h of ['f8 00', 'f8 14', 'f8 1f']) throwsScan(h);
});

rejects('truncated items', () => {
  for (const h of ['', '18', '19 01', '1a 01 02 03', '1b 00 00 00 00 00 00 00', '38', '41', '44 01 02 03', '62 61', '81', '82 01', '83 01 02', 'a1', 'a1 01', 'a2 01 02 03', 'f9 00', 'fa 00 00 00', 'fb 00 00 00 00 00 00 00', 'f8', '82 81', '59 01']) {
    throwsScan(h);
  }
});

rejects('huge lengths are refused at once (no loop over the claimed count)', () => {
  for (const h of ['5b ffffffffffffffff 00', '7b 7fffffffffffffff 61', '9b ffffffffffffffff 00', 'bb ffffffffffffffff 00 00', '9a ffffffff 00', 'ba 80000000 01 02']) {
    throwsScan(h);
  }
});

rejects('trailing bytes after the item', () => {
  for (const h of ['01 02', 'a0 00', '80 80', '61 61 61', 'f6 f6']) throwsScan(h);
});

rejects('the error carries the offset where it went wrong', () => {
  const e = throwsScan('82 01 02 03');
  assert.is(e.offset, 3);
  const t = throwsScan('83 01 02 c1 00');
  assert.ok(t.offset >= 3 && t.offset <= 4, `offset ${t.offset}`);
  assert.match(t.message, /tag/);
});

rejects.run();

const fields = suite('cbor-scan: mapFields');

fields('returns each value as its raw slice, byte for byte', () => {
  // {"a": 1 as a 4-byte uint, "b": 1.0 as half float, "c": {1: h'01', -1: 2}, "d": [1, "x"], "e": h'', "f": -0.0 float64}
  const b = hex(`a6
    61 61  1a 00000001
    61 62  f9 3c00
    61 63  a2 01 41 01 20 02
    61 64  82 01 61 78
    61 65  40
    61 66  fb 8000000000000000`);
  const m = mapFields(b);
  assert.ok(m);
  assert.equal([...m.keys()], ['a', 'b', 'c', 'd', 'e', 'f']);
  assert.is(toHex(m.get('a')!), '1a00000001');
  assert.is(toHex(m.get('b')!), 'f93c00');
  assert.is(toHex(m.get('c')!), 'a20141012002');
  assert.is(toHex(m.get('d')!), '82016178');
  assert.is(toHex(m.get('e')!), '40');
  assert.is(toHex(m.get('f')!), 'fb8000000000000000');
});

fields('empty map and UTF-8 keys', () => {
  assert.equal(mapFields(hex('a0'))?.size, 0);
  const m = mapFields(hex('a1 62 c3bc 01')); // {"ü": 1}
  assert.ok(m);
  assert.is(toHex(m.get('ü')!), '01');
});

fields('not a map: null', () => {
  for (const h of ['80', '01', '61 61', 'f6', '83 01 02 03', '40']) assert.is(mapFields(hex(h)), null, h);
});

fields('a map with any non-text key: null', () => {
  for (const h of ['a1 01 02', 'a2 61 61 01 02 03', 'a2 02 03 61 61 01', 'a1 41 61 01', 'a1 80 01', 'a1 f6 01']) assert.is(mapFields(hex(h)), null, h);
});

fields('malformed input throws CborScanError', () => {
  for (const h of ['', 'a1 61 61', 'a2 61 61 01', 'a1 61 61 01 00', 'bf 61 61 01 ff', 'a1 61 61 c1 00', 'a1 61 61 9f ff', 'a1 62 61', '9f ff', '82 01']) {
    assert.throws(() => mapFields(hex(h)), (e: unknown) => e instanceof CborScanError, h);
  }
});

fields('a text key that is not UTF-8 throws CborScanError', () => {
  assert.throws(() => mapFields(hex('a1 62 fffe 01')), (e: unknown) => e instanceof CborScanError);
});

fields('keys of every length read the same through the ASCII path and the UTF-8 decoder; bad UTF-8 throws at any length', () => {
  for (const key of ['t', 'x'.repeat(16), 'x'.repeat(17), 'é', `${'x'.repeat(15)}é`, 'ключ-ключ-ключ-ключ']) {
    const k = Buffer.from(key, 'utf8');
    const m = mapFields(Buffer.concat([hex('a1'), k.length < 24 ? Buffer.of(0x60 | k.length) : Buffer.of(0x78, k.length), k, hex('01')]));
    assert.equal([...m!.keys()], [key]);
    assert.is(decodeText(k, 0, k.length), key);
  }
  for (const bad of [hex('ff'), hex('78 c3'), Buffer.concat([Buffer.alloc(20, 0x61), hex('ff')])]) assert.throws(() => decodeText(bad, 0, bad.length));
});

fields('short texts are remembered by their bytes, and never mixed up: thousands of distinct ones read back exactly', () => {
  const r = seededRandom(99);
  const texts = Array.from({ length: 3000 }, (_, i) => `${String.fromCharCode(97 + (i % 26))}${Math.floor(r() * 1e6).toString(36)}`.slice(0, 1 + (i % 24)));
  for (let round = 0; round < 2; round++) {
    for (const t of texts) {
      const b = Buffer.from(t, 'latin1');
      assert.is(decodeText(b, 0, b.length), t);
    }
  }
});

fields('slices are views: they read the bytes of the body they came from', () => {
  const b = hex('a1 61 78 43 010203');
  const v = mapFields(b)!.get('x')!;
  assert.is(v.buffer, b.buffer);
});

fields.run();
