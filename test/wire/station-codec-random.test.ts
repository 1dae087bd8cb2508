// Seeded random streams through the station codecs: good messages between
// frames with every field of the wrong type, CBOR that is not a map, unknown
// types, garbage, bad CRCs and oversized frames. Each failure names its seed.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { crc32 } from 'node:zlib';
import { cobsEncode, cobsMaxEncodedLength } from '../../src/wire/cobs.js';
import { AsciiCodec, NativeCodec, type StationEvent } from '../../src/wire/station-codec.js';
import { seededRandom, type Random } from '../../src/util/random.js';
import { cbor, CMap, cmap, pick, randInt, randomBytes, randomChunks, randomValue, randomWord, raw, toHex, type C } from './helpers.js';

function frameOf(body: Uint8Array, crc = crc32(body)): Buffer {
  const r = Buffer.alloc(body.length + 4);
  r.set(body, 0);
  r.writeUInt32BE(crc >>> 0, body.length);
  return Buffer.concat([cobsEncode(r), Buffer.of(0)]);
}

/** What one piece of the stream must turn into. */
type Want =
  | { kind: 'message'; msg: Record<string, unknown> }
  | { kind: 'bad-request'; id: number | null; field: string }
  | { kind: 'drop'; reasons: readonly string[]; field?: string }
  | { kind: 'nothing' };

const shuffle = <T>(rand: Random, xs: T[]): T[] => {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = randInt(rand, 0, i);
    [xs[i], xs[j]] = [xs[j]!, xs[i]!];
  }
  return xs;
};

/** Also use wrong-typed values that cbor-x cannot or should not decode as plain values (see the last suite). */
let hostile = false;
const hostileValue = (rand: Random): C =>
  pick<() => C>(rand, [
    () => raw('f0'), // simple(16)
    () => raw('e0'), // simple(0)
    () => raw('f8 ff'), // simple(255)
    () => raw('f9 3c00'), // 1.0, a float
    () => raw('fb 4059000000000000'), // 100.0, a float
    () => raw('81'.repeat(3500) + '80'), // deep nesting, still under 4096 bytes
  ])();

/** Values that are not an unsigned integer up to 2^32-1. */
const notUint = (rand: Random): C =>
  hostile && rand() < 0.5 ? hostileValue(rand) : pick<() => C>(rand, [
    () => randomWord(rand),
    () => randomBytes(rand, randInt(rand, 0, 5)),
    () => -randInt(rand, 1, 2 ** 31),
    () => 2 ** 32 + randInt(rand, 0, 2 ** 20),
    () => BigInt(2 ** 32) * BigInt(randInt(rand, 1, 2 ** 20)),
    () => randInt(rand, 0, 1000) + 0.5,
    () => raw('f9 7e00'), // NaN
    () => raw('f9 7c00'), // Infinity
    () => rand() < 0.5,
    () => null,
    () => [randInt(rand, 0, 5)],
    () => cmap(['n', 1]),
  ])();
/** Values that are not a text string. */
const notText = (rand: Random): C =>
  hostile && rand() < 0.5 ? hostileValue(rand) : pick<() => C>(rand, [
    () => randInt(rand, 0, 2 ** 32 - 1),
    () => -randInt(rand, 1, 100),
    () => Buffer.from(randomWord(rand)),
    () => rand() < 0.5,
    () => null,
    () => [randomWord(rand)],
    () => cmap(['t', 'x']),
    () => 2.25,
  ])();

/** Extra keys a future version might send: any value, even ones the router could not decode. */
function extras(rand: Random): Array<[string, C]> {
  const out: Array<[string, C]> = [];
  for (let i = randInt(rand, 0, 2); i > 0; i--) {
    out.push([`x-${randomWord(rand)}`, pick<() => C>(rand, [() => randomValue(rand), () => raw('f0'), () => raw('f9 3c00'), () => raw('f8 ff')])()]);
  }
  return out;
}

function messagePiece(rand: Random): { bytes: Buffer; want: Want } {
  const kind = pick(rand, ['req', 'req', 'req', 'hello', 'ping', 'unknown', 'notmap', 'not']);
  const id = randInt(rand, 0, 2 ** 32 - 1);
  const entries: Array<[string, C]> = [];
  let want: Want;
  const corrupt = rand() < 0.5; // half the messages carry one bad field
  switch (kind) {
    case 'req': {
      const op = randomWord(rand, 1, 16);
      const body = rand() < 0.7 ? randomValue(rand) : undefined;
      const ttl = rand() < 0.4 ? randInt(rand, 0, 2 ** 32 - 1) : undefined;
      const field = corrupt ? pick(rand, ['id', 'id-missing', 'op', 'op-missing', ...(ttl === undefined ? [] : ['ttl'])]) : undefined;
      entries.push(['t', 'req']);
      if (field === 'id') entries.push(['id', notUint(rand)]);
      else if (field !== 'id-missing') entries.push(['id', id]);
      if (field === 'op') entries.push(['op', notText(rand)]);
      else if (field !== 'op-missing') entries.push(['op', op]);
      if (body !== undefined) entries.push(['body', body]);
      if (ttl !== undefined) entries.push(['ttl', field === 'ttl' ? notUint(rand) : ttl]);
      if (field === undefined) {
        want = {
          kind: 'message',
          msg: { t: 'req', id, op, ...(body === undefined ? {} : { body: toHex(cbor(body)) }), ...(ttl === undefined ? {} : { ttl }) },
        };
      } else {
        const idValid = field !== 'id' && field !== 'id-missing';
        want = { kind: 'bad-request', id: idValid ? id : null, field: field.replace('-missing', '') };
      }
      break;
    }
    case 'hello': {
      const station = rand() < 0.5 ? randomWord(rand) : undefined;
      const field = corrupt ? pick(rand, ['v', 'v-missing', 'station']) : undefined;
      entries.push(['t', 'hello']);
      if (field === 'v') entries.push(['v', notUint(rand)]);
      else if (field !== 'v-missing') entries.push(['v', 1]);
      if (field === 'station') entries.push(['station', notText(rand)]);
      else if (station !== undefined) entries.push(['station', station]);
      want = field
        ? { kind: 'drop', reasons: ['bad-field'], field: field.replace('-missing', '') }
        : { kind: 'message', msg: { t: 'hello', v: 1, ...(station === undefined ? {} : { station }) } };
      break;
    }
    case 'ping': {
      const n = randInt(rand, 0, 2 ** 32 - 1);
      const field = corrupt ? pick(rand, ['n', 'n-missing']) : undefined;
      entries.push(['t', 'ping']);
      if (field === 'n') entries.push(['n', notUint(rand)]);
      else if (field !== 'n-missing') entries.push(['n', n]);
      want = field ? { kind: 'drop', reasons: ['bad-field'], field: 'n' } : { kind: 'message', msg: { t: 'ping', n } };
      break;
    }
    case 'unknown': {
      entries.push(['t', pick(rand, ['welcome', 'ack', 'res', 'pong', 'ready', `v2-${randomWord(rand)}`])], ['id', id]);
      want = { kind: 'drop', reasons: ['unknown-type'] };
      break;
    }
    case 'notmap': {
      // Plain CBOR that is not a map with text keys.
      const bytes = pick<() => Buffer>(rand, [
        () => cbor([randomValue(rand), randomValue(rand)]),
        () => cbor(randomWord(rand)),
        () => cbor(randInt(rand, 0, 1e6)),
        () => cbor(cmap(['t', 'req'], ['id', id], [randInt(rand, 0, 23), 'op'])),
        () => cbor(null),
      ])();
      return { bytes: frameOf(bytes), want: { kind: 'drop', reasons: ['not-a-message'] } };
    }
    default: {
      // A map whose t is missing or not text.
      entries.push(['id', id], ['op', 'echo']);
      if (rand() < 0.5) entries.push(['t', notText(rand)]);
      want = { kind: 'drop', reasons: ['not-a-message'] };
    }
  }
  const all = shuffle(rand, [...entries, ...extras(rand)]);
  return { bytes: frameOf(cbor(new CMap(all))), want };
}

function junkPiece(rand: Random, maxBody: number): { bytes: Buffer; want: Want } {
  switch (pick(rand, ['garbage', 'badcrc', 'oversized', 'empty', 'truncated'])) {
    case 'garbage':
      return { bytes: Buffer.concat([randomBytes(rand, randInt(rand, 1, 200), 0), Buffer.of(0)]), want: { kind: 'drop', reasons: ['too-long', 'cobs', 'short', 'crc', 'cbor'] } };
    case 'badcrc': {
      const body = cbor(randomValue(rand));
      return { bytes: frameOf(body, crc32(body) ^ (1 << randInt(rand, 0, 31))), want: { kind: 'drop', reasons: ['crc'] } };
    }
    case 'oversized':
      return { bytes: frameOf(cbor(randomBytes(rand, randInt(rand, maxBody, maxBody * 3), 0.1))), want: { kind: 'drop', reasons: ['too-long'] } };
    case 'truncated': {
      const f = frameOf(cbor(randomValue(rand)));
      return { bytes: Buffer.concat([f.subarray(0, randInt(rand, 1, f.length - 2)), Buffer.of(0)]), want: { kind: 'drop', reasons: ['cobs', 'short', 'crc'] } };
    }
    default:
      return { bytes: Buffer.of(0), want: { kind: 'nothing' } };
  }
}

function check(got: StationEvent | undefined, want: Want, where: string): void {
  const seen = JSON.stringify(got, (_k, v) => (v instanceof Uint8Array ? toHex(v) : v));
  switch (want.kind) {
    case 'message': {
      assert.ok(got?.kind === 'message', `want message ${JSON.stringify(want.msg)}, got ${seen} (${where})`);
      if (got?.kind !== 'message') return;
      const m = got.msg as unknown as Record<string, unknown>;
      const norm = { ...m, ...(m.body instanceof Uint8Array ? { body: toHex(m.body) } : {}) };
      assert.equal(norm, want.msg, where);
      return;
    }
    case 'bad-request':
      assert.ok(got?.kind === 'bad-request' && got.id === want.id, `want bad-request id ${want.id}, got ${seen} (${where})`);
      if (got?.kind === 'bad-request') assert.ok(got.why.length > 0, `a reason (${where})`);
      if (want.field && got?.kind === 'bad-request') assert.ok(got.why.includes(`'${want.field}'`), `why names '${want.field}': ${got.why} (${where})`);
      return;
    case 'drop':
      assert.ok(got?.kind === 'drop' && want.reasons.includes(got.reason), `want drop ${want.reasons.join('|')}, got ${seen} (${where})`);
      if (want.field && got?.kind === 'drop') assert.ok(got.why?.includes(`'${want.field}'`), `why names '${want.field}': ${got.why} (${where})`);
      return;
    case 'nothing':
      return;
  }
}

const native = suite('station-codec random: NativeCodec turns every piece into the right event');

for (let seed = 1; seed <= 40; seed++) {
  native(`seed ${seed}`, () => {
    const rand = seededRandom(seed * 7919);
    const maxBody = pick(rand, [512, 1024, 4096]);
    const pieces: Array<{ bytes: Buffer; want: Want }> = [];
    for (let i = 0; i < 80; i++) pieces.push(rand() < 0.75 ? messagePiece(rand) : junkPiece(rand, maxBody));
    // Every piece fits maxBody unless it is meant to be oversized.
    const codec = new NativeCodec(maxBody);
    const frames = (codec as unknown as { frames: { buffer: Buffer; length: number } }).frames;
    const limit = cobsMaxEncodedLength(maxBody + 4);
    const events: StationEvent[] = [];
    for (const chunk of randomChunks(rand, Buffer.concat(pieces.map((p) => p.bytes)))) {
      try {
        events.push(...codec.push(chunk));
      } catch (e) {
        assert.unreachable(`push threw ${String(e)} (seed ${seed})`);
      }
      assert.ok(frames.buffer.length === limit && frames.length <= limit, `memory bounded (seed ${seed})`);
    }
    const wants = pieces.map((p) => p.want).filter((w) => w.kind !== 'nothing');
    assert.is(events.length, wants.length, `one event per piece (seed ${seed})`);
    wants.forEach((w, i) => check(events[i], w, `seed ${seed}, event ${i}`));
  });
}

native.run();

const hostileSuite = suite('station-codec random: fields holding simple values, integral floats or deep nesting');

hostileSuite('seeds 1..10: nothing throws out of push, and every piece still gives its own event', () => {
  hostile = true;
  try {
    for (let seed = 1; seed <= 10; seed++) {
      const rand = seededRandom(seed * 31337);
      const maxBody = 4096;
      const pieces: Array<{ bytes: Buffer; want: Want }> = [];
      for (let i = 0; i < 60; i++) pieces.push(rand() < 0.8 ? messagePiece(rand) : junkPiece(rand, maxBody));
      const codec = new NativeCodec(maxBody);
      const events: StationEvent[] = [];
      for (const chunk of randomChunks(rand, Buffer.concat(pieces.map((p) => p.bytes)))) {
        try {
          events.push(...codec.push(chunk));
        } catch (e) {
          assert.unreachable(`push threw ${String(e)} (seed ${seed})`);
        }
      }
      const wants = pieces.map((p) => p.want).filter((w) => w.kind !== 'nothing');
      assert.is(events.length, wants.length, `one event per piece (seed ${seed})`);
      wants.forEach((w, i) => check(events[i], w, `seed ${seed}, event ${i}`));
    }
  } finally {
    hostile = false;
  }
});

hostileSuite.run();

const ascii = suite('station-codec random: AsciiCodec turns every line into the right event');

function asciiLine(rand: Random): { text: string; want: Want } {
  const id = randInt(rand, 0, 2 ** 32 - 1);
  switch (pick(rand, ['req', 'req', 'ping', 'badpair', 'badid', 'noop', 'long', 'empty', 'unknown'])) {
    case 'req': {
      const op = randomWord(rand, 1, 12);
      const pairs: Array<[string, C, string]> = [];
      const used = new Set<string>();
      for (let k = randInt(rand, 0, 5); k > 0; k--) {
        const key = randomWord(rand, 1, 8);
        if (used.has(key)) continue;
        used.add(key);
        const v = pick<() => [C, string]>(rand, [
          () => {
            const b = randomBytes(rand, randInt(rand, 0, 16), 0.2);
            return [b, '0x' + toHex(b)];
          },
          () => {
            const n = randInt(rand, 0, 2 ** 32 - 1);
            return [n, String(n)];
          },
          () => {
            const w = randomWord(rand, 1, 10);
            return [w, w];
          },
        ])();
        pairs.push([key, v[0], v[1]]);
      }
      const body = toHex(cbor(cmap(...pairs.map(([k, v]): [C, C] => [k, v]))));
      return { text: ['REQ', id, op, ...pairs.map(([k, , w]) => `${k}=${w}`)].join(' '), want: { kind: 'message', msg: { t: 'req', id, op, body } } };
    }
    case 'ping':
      return { text: `PING ${id}`, want: { kind: 'message', msg: { t: 'ping', n: id } } };
    case 'badpair':
      return { text: `REQ ${id} echo ${pick(rand, ['nokey', '=v', 'a=0x1', 'a=0xgg', 'a=1 a=2'])}`, want: { kind: 'bad-request', id, field: '' } };
    case 'badid':
      return { text: `REQ ${pick(rand, ['x', '-1', '4294967296', '1e3', '0x01'])} echo`, want: { kind: 'bad-request', id: null, field: '' } };
    case 'noop':
      return { text: `REQ ${id}`, want: { kind: 'bad-request', id, field: '' } };
    case 'long':
      return { text: `REQ ${id} echo a=${'x'.repeat(randInt(rand, 1030, 5000))}`, want: { kind: 'bad-request', id: null, field: '' } };
    case 'unknown':
      return { text: `${pick(rand, ['WELCOME', 'ACK', 'RES', 'GET'])} ${id}`, want: { kind: 'bad-request', id: null, field: '' } };
    default:
      return { text: pick(rand, ['', '   ', '\t']), want: { kind: 'nothing' } };
  }
}

for (let seed = 1; seed <= 20; seed++) {
  ascii(`seed ${seed}`, () => {
    const rand = seededRandom(seed * 104729);
    const lines: Array<{ text: string; want: Want }> = [];
    for (let i = 0; i < 80; i++) lines.push(asciiLine(rand));
    const stream = Buffer.from(lines.map((l) => l.text + (rand() < 0.5 ? '\r\n' : '\n')).join(''), 'latin1');
    const codec = new AsciiCodec();
    const events: StationEvent[] = [];
    for (const chunk of randomChunks(rand, stream)) {
      try {
        events.push(...codec.push(chunk));
      } catch (e) {
        assert.unreachable(`push threw ${String(e)} (seed ${seed})`);
      }
    }
    const wants = lines.map((l) => l.want).filter((w) => w.kind !== 'nothing');
    assert.is(events.length, wants.length, `one event per non-empty line (seed ${seed})`);
    wants.forEach((w, i) => check(events[i], w, `seed ${seed}, line event ${i}`));
  });
}

ascii.run();
