// The ASCII line protocol, PROTOCOL.md section 4: for stations and terminals
// that cannot do CBOR. It maps onto the same messages as the native protocol.
import { encodeCbor } from './cbor.js';
import { MAJOR_BYTES, MAJOR_TEXT, MAJOR_UINT, mapFields, readHead } from './cbor-scan.js';
import type { RouterToStation, StationMessage } from './messages.js';
import type { Parsed } from './parse.js';
import { UINT32_MAX } from './fields.js';

export { ASCII_MAX_LINE } from './line-editor.js';

/** A line the router answers by itself, from the line's codec: `HELP`, and `PING` without a number (section 6 reading 11). */
export interface AsciiReply {
  readonly ok: true;
  readonly reply: string;
}

/**
 * Lines starting `# ` are for people; a station program ignores them (section 6 reading 11).
 * Each ends CR LF like every line the router writes.
 */
export const HELP_TEXT = [
  '# persomux ASCII line. Commands (any case), one per line, Enter ends it:',
  '#   REQ <id> <op> [<key>=<value> ...]  a request: ACK <id> <q>, then RES <id> OK [<key>=<value> ...] or RES <id> ERR <code> <text>',
  '#   PING [<n>]                         PONG [<n>]',
  '#   HELLO [<name>]                     forget this line\'s request ids: WELCOME <router> <line>',
  '#   HELP                               this text',
  '# <value>: 0x<hex> is bytes, a decimal number an unsigned integer, anything else text without spaces.',
  '# Backspace erases a character, Ctrl-U the line.',
]
  .map((l) => `${l}\r\n`)
  .join('');

const DECIMAL = /^[0-9]+$/;
const HEX = /^0x([0-9a-fA-F]{2})*$/;
const KEY = /^[^\s=]+$/;

function parseUint(word: string | undefined, what: string): number {
  if (word === undefined || !DECIMAL.test(word) || Number(word) > UINT32_MAX) {
    throw new AsciiError(`${what} must be a decimal unsigned integer up to ${UINT32_MAX}`);
  }
  return Number(word);
}

class AsciiError extends Error {}

/** `<value>`: 0x-hex is a byte string, decimal an unsigned integer, anything else text. */
function parseValue(key: string, word: string): Uint8Array | number | bigint | string {
  if (word.startsWith('0x')) {
    if (!HEX.test(word)) throw new AsciiError(`value of '${key}' starts with 0x but is not an even number of hex digits`);
    return Buffer.from(word.slice(2), 'hex');
  }
  if (DECIMAL.test(word)) {
    const n = BigInt(word);
    if (n > UINT64_MAX) throw new AsciiError(`value of '${key}' is larger than an unsigned 64-bit integer`);
    // Past 32 bits a JS number would be written as a float; a bigint stays an integer.
    return n > BigInt(UINT32_MAX) ? n : Number(n);
  }
  return word;
}

const UINT64_MAX = 2n ** 64n - 1n;

/** Parses one line (commands are case-insensitive); an empty line yields undefined (nothing to answer). */
export function parseAsciiLine(text: string): Parsed<StationMessage> | AsciiReply | undefined {
  const words = text.trim().split(/[ \t]+/);
  const verb = words[0]!;
  if (verb === '') return undefined;
  const idWord = words[1];
  const knownId = idWord !== undefined && DECIMAL.test(idWord) && Number(idWord) <= UINT32_MAX ? Number(idWord) : null;
  try {
    switch (verb.toUpperCase()) {
      case 'REQ': {
        const id = parseUint(idWord, 'id');
        const op = words[2];
        if (op === undefined) throw new AsciiError('op is missing');
        const body = new Map<string, unknown>();
        for (const [i, pair] of words.slice(3).entries()) {
          const eq = pair.indexOf('=');
          const key = eq > 0 ? pair.slice(0, eq) : '';
          // The pair is named by position, never quoted: a value may be key material.
          if (!KEY.test(key)) throw new AsciiError(`pair ${i + 1} after the op is not <key>=<value>`);
          if (body.has(key)) throw new AsciiError(`key '${key}' given twice`);
          body.set(key, parseValue(key, pair.slice(eq + 1)));
        }
        return { ok: true, msg: { t: 'req', id, op, body: encodeCbor(Object.fromEntries(body)) } };
      }
      case 'PING':
        if (idWord === undefined) return { ok: true, reply: 'PONG\r\n' };
        if (words.length > 2) throw new AsciiError('PING takes at most one number');
        return { ok: true, msg: { t: 'ping', n: parseUint(idWord, 'n') } };
      case 'HELLO': {
        // The name is the rest of the line, as typed (the line editor let no control byte through).
        const station = text.trim().slice(verb.length).trim();
        return { ok: true, msg: station === '' ? { t: 'hello', v: 1 } : { t: 'hello', v: 1, station } };
      }
      case 'HELP':
        return { ok: true, reply: HELP_TEXT };
      default:
        return { ok: false, problem: { kind: 'bad-field', t: verb, id: null, why: `unknown command '${printable(verb.slice(0, 20))}' (REQ, PING, HELLO or HELP)` } };
    }
  } catch (e) {
    if (!(e instanceof AsciiError)) throw e;
    return { ok: false, problem: { kind: 'bad-field', t: verb, id: knownId, why: e.message } };
  }
}

/** Formats a message for an ASCII line, CR LF included. */
export function formatAscii(msg: RouterToStation): string {
  switch (msg.t) {
    case 'ack':
      return `ACK ${msg.id} ${msg.q}\r\n`;
    case 'pong':
      return `PONG ${msg.n}\r\n`;
    case 'res': {
      const id = msg.id ?? '-';
      if (!msg.ok) return `RES ${id} ERR ${oneWord(msg.err.code)} ${oneLine(msg.err.msg)}\r\n`;
      const pairs = flatPairs(msg.body);
      return `RES ${id} OK${pairs.map((p) => ' ' + p).join('')}\r\n`;
    }
    case 'welcome':
      return `WELCOME ${oneWord(msg.router)} ${oneWord(msg.line)}\r\n`;
  }
}

/** Printable ASCII only: a server's text must not end the line early or drive the terminal. */
const printable = (s: string): string => s.replace(/[^\x20-\x7e]/g, '?');
const oneWord = (s: string): string => printable(s).replace(/ +/g, '_') || '-';
const oneLine = (s: string): string => printable(s);

/**
 * The body as `key=value` pairs when it is a flat map of byte strings,
 * unsigned integers and texts that read back the same (section 4); otherwise
 * one `cbor=0x..` pair. Judged on the raw CBOR, so a float never poses as an
 * integer and nothing in the body can make this throw.
 */
function flatPairs(body: Uint8Array): string[] {
  const fallback = [`cbor=0x${Buffer.from(body).toString('hex')}`];
  try {
    const fields = mapFields(body);
    if (!fields) return fallback;
    const pairs: string[] = [];
    for (const [key, raw] of fields) {
      const word = KEY.test(key) && PRINTABLE.test(key) ? asciiWord(raw) : undefined;
      if (word === undefined) return fallback;
      pairs.push(`${key}=${word}`);
    }
    // mapFields keeps one value per key: a map with repeated keys is not flat.
    return pairs.length === mapLength(body) ? pairs : fallback;
  } catch {
    return fallback;
  }
}

const PRINTABLE = /^[\x21-\x7e]+$/;

function mapLength(body: Uint8Array): number {
  return readHead(body, 0).argument;
}

function asciiWord(raw: Uint8Array): string | undefined {
  const head = readHead(raw, 0);
  switch (head.major) {
    case MAJOR_UINT: {
      // Heads of 8 bytes may exceed 2^53: read the digits exactly.
      let n = 0n;
      for (let i = 1; i < head.next; i++) n = n * 256n + BigInt(raw[i]!);
      return head.next === 1 ? String(head.argument) : n.toString();
    }
    case MAJOR_BYTES:
      return `0x${Buffer.from(raw.subarray(head.next)).toString('hex')}`;
    case MAJOR_TEXT: {
      const text = Buffer.from(raw.subarray(head.next)).toString('utf8');
      // Text that would read back as a number or bytes, or is not plain printable ASCII, cannot be a word.
      if (!PRINTABLE.test(text) || DECIMAL.test(text) || text.startsWith('0x')) return undefined;
      return text;
    }
    default:
      return undefined;
  }
}
