import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { HELP_TEXT, formatAscii, parseAsciiLine } from '../../src/wire/ascii.js';
import { mapFields } from '../../src/wire/cbor-scan.js';
import type { StationMessage } from '../../src/wire/messages.js';
import type { Problem } from '../../src/wire/parse.js';
import { seededRandom } from '../../src/util/random.js';
import { cbor, cmap, hex, obj, pick, randInt, randomBytes, randomWord, raw, toHex, type C } from './helpers.js';

// ---------------------------------------------------------------------------
const parse = suite('ascii: parseAsciiLine');

function msg(text: string): StationMessage {
  const p = parseAsciiLine(text);
  if (!p || !p.ok || 'reply' in p) {
    assert.unreachable(`${text}: expected a message, got ${JSON.stringify(p)}`);
    throw new Error('unreachable');
  }
  return p.msg;
}
function bad(text: string): Problem & { kind: 'bad-field' } {
  const p = parseAsciiLine(text);
  if (!p || p.ok || p.problem.kind !== 'bad-field') {
    assert.unreachable(`${text}: expected bad-field, got ${JSON.stringify(p)}`);
    throw new Error('unreachable');
  }
  return p.problem;
}
/** The body's pairs as hex slices, via the (separately tested) map scanner. */
function bodyPairs(m: StationMessage): Record<string, string> {
  if (m.t !== 'req' || !m.body) throw new Error('not a req with a body');
  const f = mapFields(m.body);
  if (!f) throw new Error('body is not a map with text keys');
  return Object.fromEntries([...f].map(([k, v]) => [k, toHex(v)]));
}

parse('REQ <id> <op> with 0x-hex, decimal and text values', () => {
  const m = msg('REQ 12 transport-key csn=0x04A1b2 n=42 name=hello max=4294967295 zero=0');
  assert.ok(m.t === 'req' && m.id === 12 && m.op === 'transport-key');
  assert.equal(bodyPairs(m), {
    csn: '4304a1b2', // h'04a1b2'
    n: '182a', // 42
    name: '6568656c6c6f', // "hello"
    max: '1affffffff', // 2^32-1
    zero: '00',
  });
});

parse('a decimal above 2^32-1 is still an unsigned integer in the body, not a float', () => {
  const pairs = bodyPairs(msg('REQ 1 certificate size=4294967296 t=1099511627776'));
  // Major type 0 (first byte 0x00-0x1b); any head size is fine, a float (0xf9-0xfb) is not.
  assert.ok((hex(pairs.size!)[0]! >> 5) === 0, `size=4294967296 encoded as ${pairs.size}`);
  assert.ok((hex(pairs.t!)[0]! >> 5) === 0, `t=1099511627776 encoded as ${pairs.t}`);
  assert.is(hex(pairs.size!).readBigUInt64BE(1), 4294967296n);
});

parse('seeded random REQ lines: every pair lands in the body with the type section 4 gives it', () => {
  const seed = 4711;
  const rand = seededRandom(seed);
  for (let i = 0; i < 300; i++) {
    const id = randInt(rand, 0, 0xffffffff);
    const op = randomWord(rand, 1, 15);
    const expected: Record<string, string> = {};
    const words: string[] = [];
    for (let k = randInt(rand, 0, 8); k > 0; k--) {
      const key = randomWord(rand, 1, 10);
      if (key in expected) continue;
      const kind = randInt(rand, 0, 2);
      let word: string;
      let value: C;
      if (kind === 0) {
        value = randomBytes(rand, randInt(rand, 0, 24), 0.2);
        word = '0x' + toHex(value as Uint8Array);
        if (rand() < 0.5) word = '0x' + word.slice(2).toUpperCase();
      } else if (kind === 1) {
        value = randInt(rand, 0, 0xffffffff);
        word = String(value);
      } else {
        word = randomWord(rand, 1, 12);
        value = word;
      }
      expected[key] = toHex(cbor(value));
      words.push(`${key}=${word}`);
    }
    const sep = () => pick(rand, [' ', '  ', '\t', ' \t ']);
    const line = ['REQ', String(id), op, ...words].join(sep());
    const m = msg(line);
    assert.ok(m.t === 'req' && m.id === id && m.op === op, `seed ${seed} case ${i}: ${line}`);
    assert.equal(bodyPairs(m), expected, `seed ${seed} case ${i}: ${line}`);
  }
});

parse('REQ without pairs has an empty map as body', () => {
  const m = msg('REQ 0 issuer-key');
  assert.ok(m.t === 'req' && m.body);
  if (m.t === 'req') assert.is(toHex(m.body!), 'a0');
});

parse('values: 0x alone is an empty byte string; odd digits are malformed; other words are text', () => {
  assert.equal(bodyPairs(msg('REQ 1 echo a=0x')), { a: '40' });
  assert.equal(bodyPairs(msg('REQ 1 echo a=x0 b=12ab c=-5 d=1.5 e=b=c')), { a: '627830', b: '6431326162', c: '622d35', d: '63312e35', e: '63623d63' });
  assert.is(bad('REQ 1 echo a=0x123').id, 1);
  assert.is(bad('REQ 1 echo a=0xzz').id, 1);
});

parse('blanks: tabs and repeated spaces separate words, surrounding blanks are ignored', () => {
  const m = msg('  REQ\t5   echo \t a=1  ');
  assert.ok(m.t === 'req' && m.id === 5 && m.op === 'echo');
  assert.equal(bodyPairs(m), { a: '01' });
});

parse('the body of one line is not changed by parsing the next', () => {
  const first = msg('REQ 1 echo a=0x0102');
  const firstBody = toHex((first as { body: Uint8Array }).body);
  for (let i = 0; i < 100; i++) msg(`REQ ${i} echo b=0x${'ff'.repeat(i % 20)} c=${i}`);
  assert.is(toHex((first as { body: Uint8Array }).body), firstBody);
});

parse('PING n', () => {
  assert.equal(msg('PING 7'), { t: 'ping', n: 7 });
  assert.equal(msg('PING 4294967295'), { t: 'ping', n: 4294967295 });
});

parse('an empty or blank line yields nothing', () => {
  assert.is(parseAsciiLine(''), undefined);
  assert.is(parseAsciiLine('   \t '), undefined);
});

parse('malformed REQ lines are bad-field with the id when it is known', () => {
  assert.is(bad('REQ 5').id, 5); // no op
  assert.is(bad('REQ 5 echo novalue').id, 5);
  assert.is(bad('REQ 5 echo =x').id, 5);
  assert.is(bad('REQ 5 echo a=1 a=2').id, 5);
  assert.is(bad('REQ 4294967295 echo a=0x1').id, 4294967295);
  assert.is(bad('REQ').id, null);
  assert.is(bad('REQ x echo').id, null);
  assert.is(bad('REQ -1 echo').id, null);
  assert.is(bad('REQ 4294967296 echo').id, null);
  assert.is(bad('REQ 0x10 echo').id, null);
  assert.ok(bad('REQ 5 echo a=1 a=2').why.length > 0);
});

parse('malformed PING lines and unknown commands are bad-field', () => {
  bad('PING x');
  bad('PING 1 2');
  bad('PING 4294967296');
  bad('PING -3');
  assert.is(bad('ACK 1 0').id, null);
  assert.match(bad('launch').why, /unknown command 'launch' \(REQ, PING, HELLO or HELP\)/);
});

parse('section 6 reading 11: PING without a number is answered PONG by the codec', () => {
  assert.equal(parseAsciiLine('PING'), { ok: true, reply: 'PONG\r\n' });
  assert.equal(parseAsciiLine('  ping  '), { ok: true, reply: 'PONG\r\n' });
});

parse('section 6 reading 11: HELLO [name] is hello, the name being the rest of the line', () => {
  assert.equal(msg('HELLO'), { t: 'hello', v: 1 });
  assert.equal(msg('hello enc-3'), { t: 'hello', v: 1, station: 'enc-3' });
  assert.equal(msg('Hello  bench  terminal 2 '), { t: 'hello', v: 1, station: 'bench  terminal 2' });
});

parse('section 6 reading 11: HELP (any case) is answered by lines starting "# "', () => {
  for (const word of ['HELP', 'help', 'Help', 'help me']) assert.equal(parseAsciiLine(word), { ok: true, reply: HELP_TEXT });
  const lines = HELP_TEXT.split('\r\n');
  assert.is(lines.pop(), '');
  assert.ok(lines.length >= 4);
  for (const l of lines) assert.ok(l.startsWith('# ') && /^[\x20-\x7e]*$/.test(l), JSON.stringify(l));
  for (const cmd of ['REQ', 'PING', 'HELLO', 'HELP']) assert.ok(HELP_TEXT.includes(`#   ${cmd}`), cmd);
});

parse('commands are case-insensitive', () => {
  assert.equal(msg('req 3 echo a=b'), msg('REQ 3 echo a=b'));
  assert.equal(msg('Ping 3'), { t: 'ping', n: 3 });
});

parse.run();

// ---------------------------------------------------------------------------
const format = suite('ascii: formatAscii');

format('ACK, PONG', () => {
  assert.is(formatAscii({ t: 'ack', id: 5, q: 2 }), 'ACK 5 2\r\n');
  assert.is(formatAscii({ t: 'ack', id: 4294967295, q: 0 }), 'ACK 4294967295 0\r\n');
  assert.is(formatAscii({ t: 'pong', n: 9 }), 'PONG 9\r\n');
});

format('RES ERR, with - for an unknown id', () => {
  assert.is(formatAscii({ t: 'res', id: 5, ok: false, err: { code: 'timeout', msg: 'ttl ran out' } }), 'RES 5 ERR timeout ttl ran out\r\n');
  assert.is(formatAscii({ t: 'res', id: null, ok: false, err: { code: 'bad-request', msg: 'id is missing' } }), 'RES - ERR bad-request id is missing\r\n');
});

format('RES ERR stays on one line with a one-word code', () => {
  const s = formatAscii({ t: 'res', id: 1, ok: false, err: { code: 'two words', msg: 'line one\r\nline two\nthree' } })!;
  assert.ok(s.endsWith('\r\n'));
  assert.not.ok(/[\r\n]/.test(s.slice(0, -2)), JSON.stringify(s));
  const words = s.slice(0, -2).split(' ');
  assert.equal(words.slice(0, 3), ['RES', '1', 'ERR']);
  assert.not.ok(/\s/.test(words[3]!));
});

format('RES OK with a flat map: key=value pairs (0x-hex bytes, decimal integers, text)', () => {
  const body = cbor(obj({ key: hex('000aff'), n: 7, s: 'abc', max: 4294967295 }));
  assert.is(formatAscii({ t: 'res', id: 5, ok: true, body }), 'RES 5 OK key=0x000aff n=7 s=abc max=4294967295\r\n');
  assert.is(formatAscii({ t: 'res', id: 5, ok: true, body: cbor(obj({})) }), 'RES 5 OK\r\n');
  assert.is(formatAscii({ t: 'res', id: 5, ok: true, body: cbor(obj({ e: new Uint8Array(0) })) }), 'RES 5 OK e=0x\r\n');
});

format('a flat map with integers above 2^32-1 (8-byte heads) still goes as pairs', () => {
  const body = cbor(obj({ big: 4294967296, small: raw('1b 0000000000000005') }));
  assert.is(formatAscii({ t: 'res', id: 5, ok: true, body }), 'RES 5 OK big=4294967296 small=5\r\n');
});

const cborPair = (body: Uint8Array): string => `RES 3 OK cbor=0x${toHex(body)}\r\n`;

format('RES OK with anything else: one cbor=0x<hex> pair of the exact body bytes', () => {
  const others: Array<[string, Buffer]> = [
    ['a text', cbor('hi')],
    ['an array', cbor([1, 2])],
    ['null', hex('f6')],
    ['a nested map', cbor(obj({ a: obj({ b: 1 }) }))],
    ['a nested array', cbor(obj({ a: [1] }))],
    ['integer keys', cbor(cmap([1, 2]))],
    ['a byte-string key', cbor(cmap([hex('61'), 2]))],
    ['a bool', cbor(obj({ a: true }))],
    ['a null value', cbor(obj({ a: null }))],
    ['a negative integer', cbor(obj({ a: -5 }))],
    ['a fractional float', cbor(obj({ a: 1.5 }))],
    ['text with a space', cbor(obj({ a: 'two words' }))],
    ['text that reads back as a number', cbor(obj({ a: '123' }))],
    ['text that reads back as bytes', cbor(obj({ a: '0xab' }))],
    ['empty text', cbor(obj({ a: '' }))],
    ['a key with =', cbor(obj({ 'a=b': 1 }))],
    ['a key with a space', cbor(obj({ 'a b': 1 }))],
    ['an empty key', cbor(obj({ '': 1 }))],
  ];
  for (const [name, body] of others) assert.is(formatAscii({ t: 'res', id: 3, ok: true, body }), cborPair(body), name);
});

format('integral floats are not integers: a float body value goes as cbor=0x', () => {
  for (const f of ['f9 3c00', 'fa 3f800000', 'fb 4059000000000000', 'f9 0000']) {
    const body = cbor(obj({ a: raw(f) }));
    assert.is(formatAscii({ t: 'res', id: 3, ok: true, body }), cborPair(body), f);
  }
});

format('simple values in a body go as cbor=0x, never an exception', () => {
  for (const h of ['a1 61 61 f0', 'f0', '82 e0 f8 ff', 'a1 61 61 f7']) {
    let s: string | undefined;
    try {
      s = formatAscii({ t: 'res', id: 3, ok: true, body: hex(h) });
    } catch (e) {
      assert.unreachable(`${h}: formatAscii threw ${String(e)}`);
    }
    assert.is(s, cborPair(hex(h)), h);
  }
});

format('welcome is WELCOME <router> <line> (section 6 reading 11)', () => {
  assert.is(formatAscii({ t: 'welcome', v: 1, router: 'box-1', line: 'term' }), 'WELCOME box-1 term\r\n');
});

format.run();

// ---------------------------------------------------------------------------
// Round trip: what formatAscii writes, read back by section 4's value rules,
// gives the body's values again (or the exact body bytes via cbor=0x).
const roundTrip = suite('ascii: formatted answers read back as the same body');

type Value = Uint8Array | number | string;
/** Section 4: 0x-hex -> bytes, decimal -> uint, else text. Written here, not taken from the code under test. */
function readValue(word: string): Value {
  if (word.startsWith('0x')) return Buffer.from(word.slice(2), 'hex');
  if (/^[0-9]+$/.test(word)) return Number(word);
  return word;
}

function readRes(line: string): { pairs: Array<[string, Value]> } | { cbor: string } {
  assert.ok(line.endsWith('\r\n'), JSON.stringify(line));
  const words = line.slice(0, -2).split(' ');
  assert.equal(words.slice(0, 3), ['RES', '3', 'OK']);
  const rest = words.slice(3);
  if (rest.length === 1 && rest[0]!.startsWith('cbor=0x')) return { cbor: rest[0]!.slice(7) };
  return {
    pairs: rest.map((p): [string, Value] => {
      const eq = p.indexOf('=');
      assert.ok(eq > 0, p);
      return [p.slice(0, eq), readValue(p.slice(eq + 1))];
    }),
  };
}

const asC = (v: Value): C => v;

roundTrip('seeded random flat bodies', () => {
  const seed = 2024;
  const rand = seededRandom(seed);
  for (let i = 0; i < 400; i++) {
    const o: Record<string, C> = {};
    for (let k = randInt(rand, 0, 6); k > 0; k--) {
      o[randomWord(rand, 1, 10)] = pick<() => C>(rand, [
        () => randomBytes(rand, randInt(rand, 0, 20), 0.2),
        () => randInt(rand, 0, 2 ** 40),
        () => randomWord(rand, 1, 12),
        () => pick(rand, ['two words', '123', '0xab', '', 'tab\there', 'a=b', 'x-y_z', 'Ende.']),
        () => -randInt(rand, 1, 1000),
      ])();
    }
    const body = cbor(obj(o));
    const line = formatAscii({ t: 'res', id: 3, ok: true, body });
    assert.ok(line !== undefined);
    const read = readRes(line!);
    if ('cbor' in read) {
      assert.is(read.cbor, toHex(body), `seed ${seed} case ${i}`);
    } else {
      assert.is(toHex(cbor(obj(Object.fromEntries(read.pairs.map(([k, v]) => [k, asC(v)]))))), toHex(body), `seed ${seed} case ${i}: ${line}`);
    }
  }
});

roundTrip('text that is not ASCII goes as cbor=0x (the line itself stays ASCII) and reads back the same', () => {
  for (const text of ['naïve', '€uro', 'Ωmega', '日本', 'bell\u0007', 'del\u007f']) {
    const body = cbor(obj({ name: text }));
    const line = formatAscii({ t: 'res', id: 3, ok: true, body })!;
    assert.ok(/^[\x20-\x7e]*\r\n$/.test(line), `${JSON.stringify(text)} gives a line that is not printable ASCII: ${JSON.stringify(line)}`);
    const read = readRes(line);
    if ('cbor' in read) assert.is(read.cbor, toHex(body), text);
    else assert.equal(read.pairs, [['name', text]], text);
  }
  const body = cbor(obj({ schlüssel: 1 }));
  const line = formatAscii({ t: 'res', id: 3, ok: true, body })!;
  assert.ok(/^[\x20-\x7e]*\r\n$/.test(line), `a non-ASCII key gives ${JSON.stringify(line)}`);
});

roundTrip.run();
