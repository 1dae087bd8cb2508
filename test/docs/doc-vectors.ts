// The test vectors of docs/protocol.md, recomputed from the code. A vector is
// a fenced block whose info string is `vector KIND`, holding `name: value`
// lines; the inputs of each kind are read, the outputs computed and compared.
// Run as a script with `--fill FILE` it writes the computed outputs into the
// document (for its author); the test only compares.
import { createPublicKey } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import { formatAscii, parseAsciiLine } from '../../src/wire/ascii.js';
import { decodeCbor, encodeCbor } from '../../src/wire/cbor.js';
import { cobsEncode } from '../../src/wire/cobs.js';
import { encodeFrame } from '../../src/wire/frame.js';
import { LineEditor } from '../../src/wire/line-editor.js';
import type { RouterToStation } from '../../src/wire/messages.js';
import { workedExample } from '../../src/secure/worked-example.js';
import { cardStaticKeys, sessionKeys, transportKey } from '../../src/dataserver/crypto/derivations.js';
import { certificateMessage, issuerKeyId } from '../../src/dataserver/crypto/certificate.js';

export interface Vector {
  readonly kind: string;
  readonly fields: Map<string, string>;
  /** 1-based line of the block's opening fence, for messages. */
  readonly line: number;
}

const FENCE = /^```vector ([a-z0-9-]+)\s*$/;

export function readVectors(markdown: string): Vector[] {
  const lines = markdown.split('\n');
  const vectors: Vector[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = FENCE.exec(lines[i]!);
    if (!m) continue;
    const fields = new Map<string, string>();
    const start = i;
    for (i++; i < lines.length && lines[i] !== '```'; i++) {
      const f = /^([A-Za-z0-9-]+): ?(.*)$/.exec(lines[i]!);
      if (!f) throw new Error(`docs line ${i + 1}: not 'name: value' inside a vector block`);
      fields.set(f[1]!, f[2]!);
    }
    vectors.push({ kind: m[1]!, fields, line: start + 1 });
  }
  return vectors;
}

// --- CBOR diagnostic notation (RFC 8949 section 8), the subset the document uses.
export function parseDiag(text: string): unknown {
  let i = 0;
  const ws = (): void => {
    while (/\s/.test(text[i] ?? '')) i++;
  };
  const value = (): unknown => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const o: Record<string, unknown> = {};
      ws();
      if (text[i] === '}') return i++, o;
      for (;;) {
        const k = value();
        if (typeof k !== 'string') throw new Error(`diag: map key at ${i} is not text`);
        ws();
        if (text[i++] !== ':') throw new Error(`diag: ':' expected at ${i - 1} in ${text}`);
        o[k] = value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === '}') return i++, o;
        else throw new Error(`diag: ',' or '}' expected at ${i} in ${text}`);
      }
    }
    if (c === '[') {
      i++;
      const a: unknown[] = [];
      ws();
      if (text[i] === ']') return i++, a;
      for (;;) {
        a.push(value());
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === ']') return i++, a;
        else throw new Error(`diag: ',' or ']' expected at ${i} in ${text}`);
      }
    }
    if (c === '"') {
      const end = text.indexOf('"', i + 1);
      const s = text.slice(i + 1, end);
      i = end + 1;
      return s;
    }
    if (text.startsWith("h'", i)) {
      const end = text.indexOf("'", i + 2);
      const hex = text.slice(i + 2, end).replace(/\s/g, '');
      i = end + 1;
      return Buffer.from(hex, 'hex');
    }
    for (const [word, v] of [['true', true], ['false', false], ['null', null]] as const) {
      if (text.startsWith(word, i)) return (i += word.length), v;
    }
    const n = /^\d+/.exec(text.slice(i));
    if (n) return (i += n[0].length), Number(n[0]);
    throw new Error(`diag: unexpected '${c ?? 'end'}' at ${i} in ${text}`);
  };
  const v = value();
  ws();
  if (i !== text.length) throw new Error(`diag: trailing text at ${i} in ${text}`);
  return v;
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const bytes = (s: string): Buffer => Buffer.from(s.replace(/\s/g, ''), 'hex');

/** Typed keys as the document writes them: <CR>, <LF>, <DEL>, <BS>, <^U>, <ESC>. */
const KEYS: Record<string, string> = { '<CR>': '\r', '<LF>': '\n', '<DEL>': '\x7f', '<BS>': '\b', '<^U>': '\x15', '<ESC>': '\x1b' };
const typedBytes = (s: string): Buffer => Buffer.from(s.replace(/<CR>|<LF>|<DEL>|<BS>|<\^U>|<ESC>/g, (k) => KEYS[k]!), 'latin1');
const showKeys = (b: Buffer): string => b.toString('latin1').replace(/\r/g, '<CR>').replace(/\n/g, '<LF>').replace(/\x08/g, '<BS>');

type Compute = (input: (name: string) => string) => Promise<Record<string, string>> | Record<string, string>;

/** Per kind: the inputs it reads, and what it computes. Hex outputs compare without spaces. */
export const KINDS: Record<string, { readonly inputs: readonly string[]; readonly compute: Compute }> = {
  frame: {
    inputs: ['diag'],
    compute: (get) => {
      const body = encodeCbor(parseDiag(get('diag')));
      const crc = Buffer.alloc(4);
      crc.writeUInt32BE(crc32(body));
      return { body: hex(body), crc32: hex(crc), wire: hex(encodeFrame(body)) };
    },
  },
  cobs: { inputs: ['input'], compute: (get) => ({ encoded: hex(cobsEncode(bytes(get('input')))) }) },
  'ascii-in': {
    inputs: ['line'],
    compute: (get): Record<string, string> => {
      const p = parseAsciiLine(get('line'));
      if (!p) return { diag: '(nothing)' };
      if ('reply' in p) return { reply: p.reply.replace(/\r\n$/, '') };
      if (!p.ok) return { answer: formatAscii({ t: 'res', id: p.problem.kind === 'bad-field' ? p.problem.id : null, ok: false, err: { code: 'bad-request', msg: p.problem.kind === 'bad-field' ? p.problem.why : '' } }).trimEnd() };
      const m = p.msg as Record<string, unknown>;
      return { diag: diag(m.body instanceof Uint8Array ? { ...m, body: decodeCbor(m.body) } : m) };
    },
  },
  'ascii-out': {
    inputs: ['diag'],
    compute: (get) => {
      const m = parseDiag(get('diag')) as Record<string, unknown>;
      const msg = (m.body === undefined ? m : { ...m, body: encodeCbor(m.body) }) as unknown as RouterToStation;
      return { line: formatAscii(msg).replace(/\r\n$/, '') };
    },
  },
  terminal: {
    inputs: ['typed'],
    compute: (get) => {
      const events = new LineEditor().push(typedBytes(get('typed')));
      const lines = events.flatMap((e) => (e.kind === 'line' ? [e.text] : []));
      const echo = Buffer.concat(events.flatMap((e) => (e.kind === 'echo' ? [e.bytes] : [])));
      return { line: lines.join(' | '), echo: showKeys(echo) };
    },
  },
  sealed: { inputs: [], compute: (): Record<string, string> => ({ ...workedExample() }) },
  'transport-key': {
    inputs: ['transportMasterKey', 'csn'],
    compute: async (get) => ({ key: hex(await transportKey(bytes(get('transportMasterKey')), bytes(get('csn')))) }),
  },
  'session-keys': {
    inputs: ['masterEnc', 'masterMac', 'csn', 'hostChallenge', 'cardChallenge'],
    compute: async (get) => {
      const { kEnc, kMac } = await cardStaticKeys(bytes(get('masterEnc')), bytes(get('masterMac')), bytes(get('csn')));
      const s = sessionKeys(kEnc, kMac, bytes(get('hostChallenge')), bytes(get('cardChallenge')));
      return { kEnc: hex(kEnc), kMac: hex(kMac), sEnc: hex(s.sEnc), sMac: hex(s.sMac), sRmac: hex(s.sRmac), cardCryptogram: hex(s.cardCryptogram), hostCryptogram: hex(s.hostCryptogram) };
    },
  },
  certificate: {
    inputs: ['csn', 'path', 'size', 'acl'],
    compute: (get) => ({ message: hex(certificateMessage(bytes(get('csn')), get('path'), BigInt(get('size')), bytes(get('acl')))) }),
  },
  'key-id': {
    inputs: ['spki'],
    compute: (get) => {
      const spki = bytes(get('spki'));
      createPublicKey({ key: spki, format: 'der', type: 'spki' }); // a real key, not any bytes
      return { keyId: issuerKeyId(spki) };
    },
  },
};

/** CBOR diagnostic notation of a decoded value, as the document writes it. */
export function diag(v: unknown): string {
  if (v instanceof Uint8Array) return `h'${hex(v)}'`;
  if (Array.isArray(v)) return `[${v.map(diag).join(', ')}]`;
  if (v instanceof Map) return `{${[...v].map(([k, x]) => `${diag(k)}: ${diag(x)}`).join(', ')}}`;
  if (typeof v === 'object' && v !== null) return `{${Object.entries(v).map(([k, x]) => `"${k}": ${diag(x)}`).join(', ')}}`;
  if (typeof v === 'string') return `"${v}"`;
  return String(v);
}

/** Whether two field values agree: hex ignoring spaces and case where both are hex, else exactly. */
export function same(expected: string, got: string): boolean {
  const isHex = (s: string): boolean => /^[0-9a-fA-F\s]+$/.test(s) && /[0-9a-fA-F]/.test(s);
  if (isHex(expected) && isHex(got)) return expected.replace(/\s/g, '').toLowerCase() === got.replace(/\s/g, '').toLowerCase();
  return expected === got;
}

export async function computeVector(v: Vector): Promise<Record<string, string>> {
  const kind = KINDS[v.kind];
  if (!kind) throw new Error(`docs line ${v.line}: unknown vector kind '${v.kind}'`);
  const get = (name: string): string => {
    const value = v.fields.get(name);
    if (value === undefined) throw new Error(`docs line ${v.line}: vector ${v.kind} needs '${name}'`);
    return value;
  };
  return kind.compute(get);
}

// The author's tool: fills every vector's outputs from the code.
if (process.argv[2] === '--fill') {
  const file = process.argv[3]!;
  const lines = readFileSync(file, 'utf8').split('\n');
  const vectors = readVectors(lines.join('\n'));
  for (const v of [...vectors].reverse()) {
    const out = await computeVector(v);
    const inputs = KINDS[v.kind]!.inputs;
    const body = [...inputs.map((n) => `${n}: ${v.fields.get(n)}`), ...Object.entries(out).map(([k, x]) => `${k}: ${x}`)];
    let end = v.line;
    while (lines[end] !== '```') end++;
    lines.splice(v.line, end - v.line, ...body);
  }
  writeFileSync(file, lines.join('\n'));
}
