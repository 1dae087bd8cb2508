// Partial IV encoding, nonce layout and context inputs, against values
// worked out by hand from RFC 8613 5.2, 6.1 and 3.3.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { deriveContext, linkIdContext } from '../../src/secure/context.js';
import { aeadNonce } from '../../src/secure/nonce.js';
import { decodePiv, encodePiv, MAX_PIV } from '../../src/secure/piv.js';
import { hex, toHex } from './helpers.js';

const piv = suite('piv: shortest big-endian form, 0 to 2^40 - 1');

const table: Array<[number, string]> = [
  [0, '00'], [1, '01'], [20, '14'], [255, 'ff'], [256, '0100'], [65535, 'ffff'], [65536, '010000'],
  [2 ** 32 - 1, 'ffffffff'], [2 ** 32, '0100000000'], [2 ** 40 - 1, 'ffffffffff'],
];
for (const [n, h] of table) {
  piv(`${n} <-> h'${h}'`, () => {
    assert.is(toHex(encodePiv(n)), h);
    assert.is(decodePiv(hex(h)), n);
  });
}

piv('MAX_PIV is 2^40 - 1', () => {
  assert.is(MAX_PIV, 1099511627775);
});

piv('encodePiv refuses what is not a sequence number', () => {
  for (const n of [-1, 2 ** 40, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
    assert.throws(() => encodePiv(n), RangeError, String(n));
  }
});

piv('decodePiv refuses empty, over 5 bytes, and leading zeros', () => {
  for (const h of ['', '000000000001', '010000000000', '0001', '00ff', '0000']) {
    assert.is(decodePiv(hex(h)), undefined, h);
  }
});

piv.run();

// ---------------------------------------------------------------------------
// With a zero Common IV the nonce is the bare layout of RFC 8613 5.2:
// size of ID (1) || ID left-padded to 7 || Partial IV left-padded to 5.
const nonce = suite('nonce: RFC 8613 5.2 layout');

nonce('empty ID, piv 00', () => {
  assert.is(toHex(aeadNonce(hex(''), hex('00'), Buffer.alloc(13))), '00' + '00000000000000' + '0000000000');
});

nonce('ID aa, piv 0100', () => {
  assert.is(toHex(aeadNonce(hex('aa'), hex('0100'), Buffer.alloc(13))), '01' + '000000000000aa' + '0000000100');
});

nonce('7-byte ID, 5-byte piv fill every byte', () => {
  assert.is(toHex(aeadNonce(hex('01020304050607'), hex('a1a2a3a4a5'), Buffer.alloc(13))), '07' + '01020304050607' + 'a1a2a3a4a5');
});

nonce('the Common IV is XORed over the whole layout', () => {
  const iv = hex('ffffffffffffffffffffffffff');
  assert.is(toHex(aeadNonce(hex('aa'), hex('0100'), iv)), 'fe' + 'ffffffffffff55' + 'fffffffeff');
});

nonce('refuses an 8-byte ID, a 6-byte piv, a short Common IV', () => {
  assert.throws(() => aeadNonce(hex('0102030405060708'), hex('00'), Buffer.alloc(13)), RangeError);
  assert.throws(() => aeadNonce(hex('01'), hex('010203040506'), Buffer.alloc(13)), RangeError);
  assert.throws(() => aeadNonce(hex('01'), hex('00'), Buffer.alloc(12)), RangeError);
});

nonce.run();

// ---------------------------------------------------------------------------
const context = suite('context: inputs');

context('IDs up to 7 bytes (RFC 8613 3.3); 8 is refused', () => {
  const base = { masterSecret: hex('0102030405060708090a0b0c0d0e0f10') };
  deriveContext({ ...base, senderId: hex('01020304050607'), recipientId: hex('') });
  assert.throws(() => deriveContext({ ...base, senderId: hex('0102030405060708'), recipientId: hex('01') }), RangeError);
  assert.throws(() => deriveContext({ ...base, senderId: hex('01'), recipientId: hex('0102030405060708') }), RangeError);
});

context('equal Sender and Recipient IDs are refused (RFC 8613 3.3: one key, one nonce space for both directions)', () => {
  const base = { masterSecret: hex('0102030405060708090a0b0c0d0e0f10') };
  assert.throws(() => deriveContext({ ...base, senderId: hex('01'), recipientId: hex('01') }), RangeError);
  assert.throws(() => deriveContext({ ...base, senderId: hex(''), recipientId: hex('') }), RangeError);
});

context('the two sides of a link get crossed keys and the same Common IV', () => {
  const idContext = linkIdContext(hex('1111111111111111'), hex('2222222222222222'));
  const base = { masterSecret: hex('0102030405060708090a0b0c0d0e0f10'), idContext };
  const a = deriveContext({ ...base, senderId: hex('01'), recipientId: hex('02') });
  const b = deriveContext({ ...base, senderId: hex('02'), recipientId: hex('01') });
  assert.ok(a.senderKey.equals(b.recipientKey));
  assert.ok(a.recipientKey.equals(b.senderKey));
  assert.ok(a.commonIv.equals(b.commonIv));
  assert.not.ok(a.senderKey.equals(a.recipientKey));
});

context('ID Context absent, empty and R1 || R2 are three different contexts', () => {
  const base = { masterSecret: hex('0102030405060708090a0b0c0d0e0f10'), senderId: hex('01'), recipientId: hex('02') };
  const none = deriveContext(base);
  const empty = deriveContext({ ...base, idContext: new Uint8Array(0) });
  const link = deriveContext({ ...base, idContext: linkIdContext(hex('1111111111111111'), hex('2222222222222222')) });
  const keys = new Set([none, empty, link].map((c) => toHex(c.senderKey)));
  assert.is(keys.size, 3);
});

context('linkIdContext is R1 || R2 and wants 8 bytes each', () => {
  assert.is(toHex(linkIdContext(hex('1111111111111111'), hex('2222222222222222'))), '11111111111111112222222222222222');
  assert.throws(() => linkIdContext(hex('11'), hex('2222222222222222')), RangeError);
  assert.throws(() => linkIdContext(hex('1111111111111111'), hex('222222222222222222')), RangeError);
});

context('the context copies its inputs', () => {
  const senderId = hex('01');
  const ctx = deriveContext({ masterSecret: hex('0102030405060708090a0b0c0d0e0f10'), senderId, recipientId: hex('02') });
  senderId[0] = 9;
  assert.is(toHex(ctx.senderId), '01');
});

context.run();
