// docs/protocol.md, the reference people build stations and servers from:
// every test vector in it is read out of the markdown and recomputed with the
// project's code (test/docs/doc-vectors.ts), so an edited example fails here.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { computeVector, KINDS, readVectors, same, type Vector } from './doc-vectors.js';

const DOC = 'docs/protocol.md';
const text = readFileSync(DOC, 'utf8');

/** The mismatches of one vector: outputs that differ, are missing, or are not the code's. */
async function mismatches(v: Vector): Promise<string[]> {
  const computed = await computeVector(v);
  const inputs = KINDS[v.kind]!.inputs;
  const out: string[] = [];
  for (const [name, value] of Object.entries(computed)) {
    const written = v.fields.get(name);
    if (written === undefined) out.push(`${DOC} line ${v.line}: vector ${v.kind} lacks '${name}' (the code gives ${value})`);
    else if (!same(written, value)) out.push(`${DOC} line ${v.line}: vector ${v.kind} '${name}' is ${written}, the code gives ${value}`);
  }
  for (const name of v.fields.keys()) {
    if (!inputs.includes(name) && !(name in computed)) out.push(`${DOC} line ${v.line}: vector ${v.kind} has '${name}', which the code does not give`);
  }
  return out;
}

test('every vector of docs/protocol.md is what the code computes', async () => {
  const vectors = readVectors(text);
  const problems = (await Promise.all(vectors.map(mismatches))).flat();
  assert.equal(problems, []);
});

test('the document has vectors of every kind: frames, COBS, sealed, ASCII both ways, terminal typing, each op', () => {
  const kinds = new Set(readVectors(text).map((v) => v.kind));
  assert.equal([...kinds].sort(), Object.keys(KINDS).sort());
  assert.ok(readVectors(text).length >= 25);
});

test('an edited example fails: one changed digit, one changed word, one dropped field', async () => {
  const [frame] = readVectors(text).filter((v) => v.kind === 'frame');
  const wire = frame!.fields.get('wire')!;
  const flipped = new Map(frame!.fields).set('wire', wire.slice(0, 4) + (wire[4] === '0' ? '1' : '0') + wire.slice(5));
  assert.ok((await mismatches({ ...frame!, fields: flipped })).some((m) => m.includes("'wire'")));
  const [out] = readVectors(text).filter((v) => v.kind === 'ascii-out');
  assert.ok((await mismatches({ ...out!, fields: new Map(out!.fields).set('line', 'ACK 7 1') })).length === 1);
  const dropped = new Map(frame!.fields);
  dropped.delete('crc32');
  assert.ok((await mismatches({ ...frame!, fields: dropped })).some((m) => m.includes("lacks 'crc32'")));
});

test('the settled readings of version 1 are all there (section 6 of the team page, readings 1-12)', () => {
  for (let n = 1; n <= 12; n++) assert.ok(new RegExp(`\\(reading ${n}\\)|reading ${n}\\b`).test(text), `reading ${n} is not cited`);
});

test.run();
