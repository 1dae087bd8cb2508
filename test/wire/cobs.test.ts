import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { cobsDecode, cobsEncode, cobsMaxEncodedLength } from '../../src/wire/cobs.js';
import { seededRandom } from '../../src/util/random.js';
import { hex, randInt, randomBytes, toHex } from './helpers.js';

// Reference encoder: StuffData() as printed in Cheshire & Baker, "Consistent
// Overhead Byte Stuffing", IEEE/ACM ToN 1999 (the paper PROTOCOL.md cites).
// It always ends with FinishBlock(code), so a packet ending in a full 254-byte
// block gets a final 0x01 block (standing for the logically appended zero).
function paperStuff(input: Uint8Array): Buffer {
  const dst: number[] = [0];
  let codePtr = 0;
  let code = 1;
  const finish = (x: number): void => {
    dst[codePtr] = x;
    codePtr = dst.length;
    dst.push(0);
    code = 1;
  };
  for (const byte of input) {
    if (byte === 0) finish(code);
    else {
      dst.push(byte);
      code++;
      if (code === 0xff) finish(code);
    }
  }
  finish(code);
  dst.pop(); // the slot reserved by the last FinishBlock is not part of the output
  return Buffer.from(dst);
}

// Reference encoder: the variant on Wikipedia, which leaves out that final
// 0x01 after a full block at the end. A station may use either; both must decode.
function wikipediaStuff(input: Uint8Array): Buffer {
  const out: number[] = [0];
  let codeAt = 0;
  let code = 1;
  for (let i = 0; i < input.length; i++) {
    const byte = input[i]!;
    if (byte !== 0) {
      out.push(byte);
      code++;
    }
    if (byte === 0 || code === 0xff) {
      out[codeAt] = code;
      code = 1;
      if (byte === 0 || i < input.length - 1) {
        codeAt = out.length;
        out.push(0);
      } else {
        return Buffer.from(out);
      }
    }
  }
  out[codeAt] = code;
  return Buffer.from(out);
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const bytes = (xs: number[]): Buffer => Buffer.from(xs);

const vectors = suite('cobs: published vectors');

// Wikipedia "Encoding examples" 1-6 and 9-11 (delimiter 00 left out), identical in both variants.
const table: Array<[string, Buffer, Buffer]> = [
  ['00', hex('00'), hex('01 01')],
  ['00 00', hex('00 00'), hex('01 01 01')],
  ['00 11 00', hex('00 11 00'), hex('01 02 11 01')],
  ['11 22 00 33', hex('11 22 00 33'), hex('03 11 22 02 33')],
  ['11 22 33 44', hex('11 22 33 44'), hex('05 11 22 33 44')],
  ['11 00 00 00', hex('11 00 00 00'), hex('02 11 01 01 01')],
  ['01 .. FF (255 bytes)', bytes(range(1, 255)), bytes([0xff, ...range(1, 254), 0x02, 0xff])],
  ['02 .. FF 00', bytes([...range(2, 255), 0]), bytes([0xff, ...range(2, 255), 0x01, 0x01])],
  ['03 .. FF 00 01', bytes([...range(3, 255), 0, 1]), bytes([0xfe, ...range(3, 255), 0x02, 0x01])],
];

for (const [name, input, encoded] of table) {
  vectors(`encode ${name}`, () => {
    assert.is(toHex(cobsEncode(input)), toHex(encoded));
  });
  vectors(`decode ${name}`, () => {
    const out = cobsDecode(encoded);
    assert.ok(out, 'valid COBS must decode');
    assert.is(toHex(out), toHex(input));
  });
}

vectors('the reference encoders agree with the table', () => {
  for (const [name, input, encoded] of table) {
    assert.is(toHex(paperStuff(input)), toHex(encoded), `paper ${name}`);
    assert.is(toHex(wikipediaStuff(input)), toHex(encoded), `wikipedia ${name}`);
  }
});

vectors('254 non-zero bytes: paper form FF <254> 01 is produced, and both forms decode', () => {
  const input = bytes(range(1, 254));
  const paper = bytes([0xff, ...range(1, 254), 0x01]);
  const wiki = bytes([0xff, ...range(1, 254)]); // Wikipedia example 7
  assert.is(toHex(paperStuff(input)), toHex(paper));
  assert.is(toHex(wikipediaStuff(input)), toHex(wiki));
  assert.is(toHex(cobsEncode(input)), toHex(paper));
  assert.is(toHex(cobsDecode(paper) ?? Buffer.alloc(0)), toHex(input), 'paper form');
  assert.is(toHex(cobsDecode(wiki) ?? Buffer.alloc(0)), toHex(input), 'Wikipedia form');
});

vectors('00 followed by 254 non-zero bytes (Wikipedia example 8), both forms decode', () => {
  const input = bytes([0, ...range(1, 254)]);
  const wiki = bytes([0x01, 0xff, ...range(1, 254)]);
  assert.is(toHex(cobsEncode(input)), toHex(paperStuff(input)));
  assert.is(toHex(cobsDecode(wiki) ?? Buffer.alloc(0)), toHex(input));
  assert.is(toHex(cobsDecode(cobsEncode(input)) ?? Buffer.alloc(0)), toHex(input));
});

vectors('empty input encodes to 01 and decodes back to nothing', () => {
  assert.is(toHex(cobsEncode(new Uint8Array(0))), '01');
  const out = cobsDecode(hex('01'));
  assert.ok(out);
  assert.is(out.length, 0);
});

vectors('runs of 508 and 509 non-zero bytes', () => {
  for (const n of [508, 509, 762]) {
    const input = Buffer.alloc(n, 0x41);
    const enc = cobsEncode(input);
    assert.is(toHex(enc), toHex(paperStuff(input)), `n=${n}`);
    assert.is(enc[0], 0xff);
    assert.is(enc[255], n > 254 ? 0xff : 0x01, `second code byte for n=${n}`);
    assert.is(toHex(cobsDecode(enc) ?? Buffer.alloc(0)), toHex(input));
    assert.is(toHex(cobsDecode(wikipediaStuff(input)) ?? Buffer.alloc(0)), toHex(input), `Wikipedia form n=${n}`);
  }
});

vectors.run();

const invalid = suite('cobs: invalid input gives null');

invalid('a zero inside the block', () => {
  assert.is(cobsDecode(hex('03 11 00 22')), null);
  assert.is(cobsDecode(hex('00')), null, 'a zero code byte');
  assert.is(cobsDecode(hex('02 11 00')), null, 'a zero code byte after a block');
  assert.is(cobsDecode(hex('01 01 00 01')), null);
});

invalid('a code running past the end', () => {
  assert.is(cobsDecode(hex('05 11 22 33')), null);
  assert.is(cobsDecode(hex('02')), null);
  assert.is(cobsDecode(hex('03 11 22 05 33')), null, 'a later block too long');
  assert.is(cobsDecode(bytes([0xff, ...range(1, 253)])), null, 'FF with only 253 data bytes');
});

invalid('a valid encoding cut short is rejected or decodes to something else, never throws', () => {
  const input = hex('11 22 00 33 44 55 00 66');
  const enc = cobsEncode(input);
  for (let cut = 1; cut < enc.length; cut++) {
    const out = cobsDecode(enc.subarray(0, cut));
    if (out !== null) assert.not.equal(toHex(out), toHex(input), `cut at ${cut}`);
  }
  assert.is(cobsDecode(enc.subarray(0, 2)), null, 'cut inside the first block');
});

invalid.run();

const random = suite('cobs: seeded random round trips');

random('random buffers round trip, hold no zero, match the paper encoder, fit cobsMaxEncodedLength', () => {
  const seed = 0xc0b5;
  const rand = seededRandom(seed);
  for (let i = 0; i < 600; i++) {
    const n = rand() < 0.3 ? randInt(rand, 0, 10) : randInt(rand, 0, 1300);
    const zeroChance = [0, 1 / 256, 0.1, 0.5, 0.95][i % 5]!;
    const input = randomBytes(rand, n, zeroChance);
    const enc = cobsEncode(input);
    const where = `seed ${seed} case ${i} n=${n} zeroChance=${zeroChance}`;
    assert.ok(!enc.includes(0), `no zero in the encoding (${where})`);
    assert.ok(enc.length >= n + 1, `at least one byte of overhead (${where})`);
    assert.ok(enc.length <= cobsMaxEncodedLength(n), `within cobsMaxEncodedLength (${where})`);
    assert.is(toHex(enc), toHex(paperStuff(input)), `same bytes as the paper's StuffData (${where})`);
    const back = cobsDecode(enc);
    assert.ok(back, `decodes (${where})`);
    assert.is(toHex(back), toHex(input), `round trip (${where})`);
    const wiki = cobsDecode(wikipediaStuff(input));
    assert.ok(wiki, `Wikipedia form decodes (${where})`);
    assert.is(toHex(wiki), toHex(input), `Wikipedia form round trip (${where})`);
  }
});

random('cobsMaxEncodedLength covers the worst case (no zeros) for every length up to 1100', () => {
  for (let n = 0; n <= 1100; n++) {
    const worst = n + 1 + Math.floor(n / 254); // one code byte per full block, plus the final block
    assert.ok(cobsMaxEncodedLength(n) >= worst, `n=${n}`);
    assert.is(cobsEncode(Buffer.alloc(n, 7)).length, worst, `n=${n}`);
  }
});

random('random garbage never throws and any non-null result re-encodes to a decodable form', () => {
  const seed = 77;
  const rand = seededRandom(seed);
  for (let i = 0; i < 2000; i++) {
    const junk = randomBytes(rand, randInt(rand, 0, 300), i % 2 ? 0 : 0.02);
    const out = cobsDecode(junk);
    if (junk.includes(0)) assert.is(out, null, `seed ${seed} case ${i}: input with a zero`);
    if (out !== null) assert.is(toHex(cobsDecode(cobsEncode(out)) ?? Buffer.alloc(0)), toHex(out), `seed ${seed} case ${i}`);
  }
});

random.run();
