// Journal records on disk (pure): what is written reads back the same, and a
// torn or damaged last record is ignored, never misread as another record.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { journalFingerprint } from '../../src/dispatch/journal-fingerprint.js';
import { decodeSegment, encodeRecord, type JournalRecord } from '../../src/journal/record.js';
import { encodeCbor } from '../../src/wire/cbor.js';
import * as zlib from 'node:zlib';

const req = (seq: number, id: number, body?: unknown): JournalRecord => ({
  kind: 'request',
  seq,
  keepUntil: 1_700_000_000_000 + seq,
  fp: journalFingerprint('m1-s1', id, 'certificate', body === undefined ? undefined : encodeCbor(body)),
});

test('records read back as written, in order', () => {
  const records = [req(0, 1, { csn: Buffer.of(1, 2, 3, 4) }), { kind: 'hello', seq: 1, keepUntil: 5, line: 'm1-s1' } as const, req(2, 0xffff_ffff)];
  const d = decodeSegment(Buffer.concat(records.map(encodeRecord)));
  assert.equal(d.records, records);
  assert.is(d.ignoredBytes, 0);
});

test('a record holds the hash of the body, never the body', () => {
  const secretish = Buffer.from('0102030405060708090a0b0c0d0e0f10', 'hex');
  const bytes = encodeRecord(req(0, 7, { csn: secretish }));
  assert.is(bytes.indexOf(secretish), -1);
  assert.ok(bytes.length < 80, `${bytes.length} bytes`);
});

test('a body, no body and an empty body are three fingerprints', () => {
  const a = journalFingerprint('l', 1, 'echo', undefined).bodyHash;
  const b = journalFingerprint('l', 1, 'echo', Buffer.alloc(0)).bodyHash;
  const c = journalFingerprint('l', 1, 'echo', Buffer.of(0)).bodyHash;
  assert.not.ok(a.equals(b) || b.equals(c) || a.equals(c));
});

test('the last record cut at any byte is ignored; the ones before it are kept', () => {
  const whole = [req(0, 1, 'a'), req(1, 2, 'b'), req(2, 3, 'c')].map(encodeRecord);
  const head = Buffer.concat(whole.slice(0, 2));
  const last = whole[2]!;
  for (let cut = 1; cut < last.length; cut++) {
    const d = decodeSegment(Buffer.concat([head, last.subarray(0, cut)]));
    assert.is(d.records.length, 2, `cut at ${cut}`);
    assert.is(d.validBytes, head.length);
    assert.is(d.ignoredBytes, cut);
  }
});

test('a flipped bit in the last record, or garbage after the records, is ignored', () => {
  const good = encodeRecord(req(0, 1, 'a'));
  const last = encodeRecord(req(1, 2, 'b'));
  for (let bit = 0; bit < last.length * 8; bit += 7) {
    const bad = Buffer.from(last);
    bad[bit >> 3]! ^= 1 << (bit & 7);
    const d = decodeSegment(Buffer.concat([good, bad]));
    assert.ok(d.records.length === 1, `bit ${bit}`);
  }
  assert.is(decodeSegment(Buffer.concat([good, Buffer.alloc(64, 0xff)])).records.length, 1);
  assert.is(decodeSegment(Buffer.concat([good, Buffer.alloc(64)])).records.length, 1);
});

test('a record with a valid checksum but not the record layout stops the reading', () => {
  const payload = encodeCbor([0, 1, 2]);
  const { crc32 } = zlib;
  const header = Buffer.alloc(8);
  header.writeUInt32BE(payload.length, 0);
  header.writeUInt32BE(crc32(payload), 4);
  const d = decodeSegment(Buffer.concat([encodeRecord(req(0, 1)), header, payload, encodeRecord(req(2, 3))]));
  assert.is(d.records.length, 1);
});


test.run();
