// sealMessage / openMessage: round trips, the exact body layout, and every
// way a body is dropped (PROTOCOL.md 3), including garbage that must never throw.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { deriveContext, linkIdContext, type SecurityContext } from '../../src/secure/context.js';
import { NO_PIV_YET, openMessage, sealMessage, type OpenResult } from '../../src/secure/seal.js';
import { seededRandom } from '../../src/util/random.js';
import { coseBody, hex, toHex } from './helpers.js';

const SECRET = hex('0102030405060708090a0b0c0d0e0f10');
const SALT = hex('9e7ca92223786340');
const R1 = hex('1111111111111111');
const R2 = hex('2222222222222222');

function pair(secret = SECRET, r2 = R2): { router: SecurityContext; server: SecurityContext } {
  const idContext = linkIdContext(R1, r2);
  return {
    router: deriveContext({ masterSecret: secret, masterSalt: SALT, senderId: hex('01'), recipientId: hex('02'), idContext }),
    server: deriveContext({ masterSecret: secret, masterSalt: SALT, senderId: hex('02'), recipientId: hex('01'), idContext }),
  };
}
const { router, server } = pair();
const MESSAGE = hex('a2617464706f6e67616e05'); // {"t": "pong", "n": 5}, written by hand

function reason(r: OpenResult): string {
  return r.ok ? 'ok' : r.reason;
}

// ---------------------------------------------------------------------------
const roundTrip = suite('seal: round trips');

roundTrip('server seals, router opens, for pivs from 0 to 2^40 - 1', () => {
  for (const piv of [0, 1, 23, 24, 255, 256, 65535, 65536, 2 ** 32, 2 ** 40 - 1]) {
    const opened = openMessage(router, sealMessage(server, MESSAGE, piv), NO_PIV_YET);
    assert.ok(opened.ok, `piv ${piv}`);
    if (opened.ok) {
      assert.is(toHex(opened.plaintext), toHex(MESSAGE));
      assert.is(opened.piv, piv);
    }
  }
});

roundTrip('both directions, and an empty plaintext', () => {
  const a = openMessage(server, sealMessage(router, MESSAGE, 7), 6);
  assert.ok(a.ok && a.plaintext.equals(MESSAGE));
  const b = openMessage(router, sealMessage(server, new Uint8Array(0), 0), NO_PIV_YET);
  assert.ok(b.ok && b.plaintext.length === 0);
});

roundTrip('a 4096-byte plaintext (maxBody)', () => {
  const big = Buffer.alloc(4096, 0x5a);
  const opened = openMessage(router, sealMessage(server, big, 3), 2);
  assert.ok(opened.ok && opened.plaintext.equals(big));
});

roundTrip('sealing the same plaintext under two pivs gives two ciphertexts', () => {
  assert.is.not(toHex(sealMessage(server, MESSAGE, 1)), toHex(sealMessage(server, MESSAGE, 2)));
});

roundTrip.run();

// ---------------------------------------------------------------------------
const layout = suite('seal: body layout 16([h\'\', {4: kid, 6: piv}, ciphertext])');

layout('piv 0 is h\'00\'', () => {
  const body = sealMessage(server, MESSAGE, 0);
  // d0 tag 16, 83 array(3), 40 h'', a2 map(2), 04 41 02 kid h'02', 06 41 00 piv h'00', 53 bstr(19)
  assert.is(toHex(body.subarray(0, 11)), 'd08340a204410206410053'); // 0x53: 19 = 11 plaintext + 8 tag bytes
  assert.is(body.length, 11 + MESSAGE.length + 8);
});

layout('piv 256 is h\'0100\'', () => {
  const body = sealMessage(server, MESSAGE, 256);
  assert.is(toHex(body.subarray(0, 11)), 'd08340a204410206420100');
});

layout('piv 2^40 - 1 is five bytes; 2^40 is refused', () => {
  assert.is(toHex(sealMessage(server, MESSAGE, 2 ** 40 - 1).subarray(0, 14)), 'd08340a20441020645ffffffffff');
  assert.throws(() => sealMessage(server, MESSAGE, 2 ** 40), RangeError);
  assert.throws(() => sealMessage(server, MESSAGE, -1), RangeError);
});

layout('an empty Sender ID is kid h\'\'', () => {
  const ctx = deriveContext({ masterSecret: SECRET, senderId: hex(''), recipientId: hex('01') });
  assert.is(toHex(sealMessage(ctx, MESSAGE, 0).subarray(0, 9)), 'd08340a20440064100');
});

layout('a plaintext over 65535 bytes is refused (CCM length field)', () => {
  assert.throws(() => sealMessage(server, Buffer.alloc(65536), 0), RangeError);
});

layout('heads in a longer (non-preferred) form still open: plain CBOR allows them', () => {
  const body = sealMessage(server, MESSAGE, 0);
  const long = Buffer.concat([hex('d810'), body.subarray(1)]); // tag 16 as d8 10
  assert.ok(openMessage(router, long, NO_PIV_YET).ok);
});

layout.run();

// ---------------------------------------------------------------------------
const drops = suite('open: drop reasons');

drops('tampering with any ciphertext byte -> decrypt', () => {
  const body = sealMessage(server, MESSAGE, 4);
  for (let i = 11; i < body.length; i++) {
    const bad = Buffer.from(body);
    bad[i] = bad[i]! ^ 0x01;
    assert.is(reason(openMessage(router, bad, NO_PIV_YET)), 'decrypt', `byte ${i}`);
  }
});

drops('a changed piv (same length) -> decrypt, not accepted under the new number', () => {
  const body = Buffer.from(sealMessage(server, MESSAGE, 4));
  body[9] = 5;
  assert.is(reason(openMessage(router, body, NO_PIV_YET)), 'decrypt');
});

drops('replay: the same body twice', () => {
  const body = sealMessage(server, MESSAGE, 10);
  const first = openMessage(router, body, 9);
  assert.ok(first.ok);
  assert.is(reason(openMessage(router, body, first.ok ? first.piv : 0)), 'replay');
});

drops('reordering: an older piv after a newer one', () => {
  const older = sealMessage(server, MESSAGE, 4);
  const newer = sealMessage(server, MESSAGE, 5);
  const n = openMessage(router, newer, 3);
  assert.ok(n.ok);
  assert.is(reason(openMessage(router, older, 5)), 'replay');
});

drops('piv 0 is accepted first, and only first', () => {
  const zero = sealMessage(server, MESSAGE, 0);
  assert.ok(openMessage(router, zero, NO_PIV_YET).ok);
  assert.is(reason(openMessage(router, zero, 0)), 'replay');
});

drops('gaps are fine: links may lose frames (piv 3 after 0)', () => {
  assert.ok(openMessage(router, sealMessage(server, MESSAGE, 3), 0).ok);
});

drops('wrong key (another Master Secret) -> decrypt', () => {
  const other = pair(hex('0f0e0d0c0b0a09080706050403020100'));
  assert.is(reason(openMessage(router, sealMessage(other.server, MESSAGE, 0), NO_PIV_YET)), 'decrypt');
});

drops('another connection (another R2, so another ID Context) -> decrypt', () => {
  const other = pair(SECRET, hex('3333333333333333'));
  assert.is(reason(openMessage(router, sealMessage(other.server, MESSAGE, 0), NO_PIV_YET)), 'decrypt');
});

drops('wrong kid: a third party, and our own message reflected back', () => {
  const third = deriveContext({ masterSecret: SECRET, masterSalt: SALT, senderId: hex('03'), recipientId: hex('01'), idContext: linkIdContext(R1, R2) });
  assert.is(reason(openMessage(router, sealMessage(third, MESSAGE, 0), NO_PIV_YET)), 'wrong-kid');
  assert.is(reason(openMessage(router, sealMessage(router, MESSAGE, 0), NO_PIV_YET)), 'wrong-kid');
});

drops('kid is checked before replay, replay before decryption', () => {
  const third = deriveContext({ masterSecret: SECRET, senderId: hex('03'), recipientId: hex('01') });
  assert.is(reason(openMessage(router, sealMessage(third, MESSAGE, 0), 5)), 'wrong-kid');
  const forged = coseBody('02', '01', '00'.repeat(20));
  assert.is(reason(openMessage(router, forged, 5)), 'replay');
  assert.is(reason(openMessage(router, forged, 0)), 'decrypt');
});

// Hand-built bodies that are not the one COSE shape PROTOCOL.md 3 allows.
const CT = '00'.repeat(12);
const notCose: Array<[string, string]> = [
  ['empty body', ''],
  ['a plain message map (unsealed frame)', 'a2617464706f6e67616e05'],
  ['the array without tag 16', `8340a20441020641004c${CT}`],
  ['tag 17 (COSE_Mac0)', `d18340a20441020641004c${CT}`],
  ['tag 96 (COSE_Encrypt)', `d8608340a20441020641004c${CT}`],
  ['tag 16 twice', `d0d08340a20441020641004c${CT}`],
  ['a 2-element array', `d08240a2044102064100`],
  ['a 4-element array', `d08440a20441020641004c${CT}40`],
  ['protected header not empty (h\'a0\')', `d08341a0a20441020641004c${CT}`],
  ['protected header as a map, not a bstr', `d083a0a20441020641004c${CT}`],
  ['unprotected header not a map', `d0834080${'4c' + CT}`],
  ['header map without piv', `d08340a1044102 4c${CT}`],
  ['header map without kid', `d08340a1064100 4c${CT}`],
  ['header map with a third label', `d08340a3044102064100054100 4c${CT}`],
  ['kid twice', `d08340a20441020441024c${CT}`],
  ['label 5 instead of 6', `d08340a20441020541004c${CT}`],
  ['negative label', `d08340a20441022541004c${CT}`],
  ['text labels', `d08340a2616b4102617041004c${CT}`],
  ['kid as text', `d08340a20461020641004c${CT}`],
  ['piv as an integer', `d08340a2 0441 02 06 00 4c${CT}`],
  ['piv empty', `d08340a20441020640 4c${CT}`],
  ['piv of 6 bytes', `d08340a2 044102 06 46 010000000000 4c${CT}`],
  ['piv with a leading zero', `d08340a204410206420001 4c${CT}`],
  ['ciphertext as text', `d08340a20441020641006c${CT}`],
  ['ciphertext shorter than the tag', `d08340a204410206410047${'00'.repeat(7)}`],
  ['a byte after the item', `d08340a20441020641004c${CT}00`],
  ['truncated', `d08340a20441020641004c${CT.slice(2)}`],
  ['indefinite-length array', `d09f40a20441020641004c${CT}ff`],
  ['indefinite-length ciphertext', `d08340a20441020641005f4c${CT}ff`],
  ['reserved additional information', `d08340a20441020641005c${CT}`],
];

for (const [what, h] of notCose) {
  drops(`not-cose: ${what}`, () => {
    assert.is(reason(openMessage(router, hex(h), NO_PIV_YET)), 'not-cose');
  });
}

drops.run();

// ---------------------------------------------------------------------------
const fuzz = suite('open: garbage never throws and never opens');

function randomBytes(rand: () => number, n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(rand() * 256);
  return b;
}

fuzz('5000 random bodies (seeded)', () => {
  const rand = seededRandom(8613);
  for (let i = 0; i < 5000; i++) {
    const body = randomBytes(rand, Math.floor(rand() * 80));
    let r: OpenResult | undefined;
    try {
      r = openMessage(router, body, NO_PIV_YET);
    } catch (e) {
      assert.unreachable(`threw on ${toHex(body)}: ${String(e)}`);
    }
    assert.ok(r && !r.ok, toHex(body));
  }
});

fuzz('5000 random tails behind a valid COSE prefix (seeded)', () => {
  const rand = seededRandom(9052);
  const prefixes = ['d0', 'd083', 'd08340', 'd08340a2', 'd08340a20441', 'd08340a2044102', 'd08340a204410206'];
  for (let i = 0; i < 5000; i++) {
    const prefix = hex(prefixes[Math.floor(rand() * prefixes.length)]!);
    const body = Buffer.concat([prefix, randomBytes(rand, Math.floor(rand() * 40))]);
    let r: OpenResult | undefined;
    try {
      r = openMessage(router, body, NO_PIV_YET);
    } catch (e) {
      assert.unreachable(`threw on ${toHex(body)}: ${String(e)}`);
    }
    assert.ok(r && !r.ok, toHex(body));
  }
});

fuzz('every single-bit flip of a sealed body is dropped', () => {
  const body = sealMessage(server, MESSAGE, 300);
  for (let i = 0; i < body.length * 8; i++) {
    const bad = Buffer.from(body);
    bad[i >> 3] = bad[i >> 3]! ^ (1 << (i & 7));
    assert.not.ok(openMessage(router, bad, NO_PIV_YET).ok, `bit ${i}`);
  }
});

fuzz('every truncation of a sealed body is not-cose', () => {
  const body = sealMessage(server, MESSAGE, 300);
  for (let n = 0; n < body.length; n++) {
    assert.is(reason(openMessage(router, body.subarray(0, n), NO_PIV_YET)), 'not-cose', `length ${n}`);
  }
});

fuzz.run();
