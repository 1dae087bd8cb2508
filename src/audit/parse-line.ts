// Reads one line of an audit log (format.ts) on its own, without the chain:
// what kind it is, whether a record's hash matches its bytes, and whether the
// line is in canonical form. The order of the checks decides the names a
// reader sees: an edit that leaves the hash stale is "changed", not
// "malformed", because the hash is checked before the members' types.
import { checkpointUnsigned, recordBody, sha256Hex, withSignature, type AuditCheckpoint, type AuditRecord } from './format.js';

export type ParsedLine =
  | { readonly kind: 'malformed'; readonly why: string }
  /** A record whose `hash` does not match its bytes; `seq` as written, if it is a number. */
  | { readonly kind: 'stale-hash'; readonly seq: number | undefined }
  /** A record whose hash matches but that breaks the format (`why`): only a writer bug or a forger makes one. */
  | { readonly kind: 'bad-record'; readonly seq: number | undefined; readonly why: string }
  | { readonly kind: 'record'; readonly record: AuditRecord }
  /** A checkpoint; `signed` is what the signature covers (without the context prefix). */
  | { readonly kind: 'checkpoint'; readonly signed: string; readonly sig: Buffer; readonly keyIdAsWritten: string | undefined; readonly checkpoint: AuditCheckpoint | undefined; readonly why?: string };

const HASH_MEMBER = /,"hash":"([0-9a-f]{64})"\}$/;
const SIG_MEMBER = /,"sig":"([A-Za-z0-9+/]{86}==)"\}$/;
const HEX64 = /^[0-9a-f]{64}$/;
const HEX = /^(?:[0-9a-f]{2})+$/;
// Exactly what Date.toISOString() writes for years 0000-9999.
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

type Obj = Record<string, unknown>;

function isTime(v: unknown): v is string {
  return typeof v === 'string' && ISO_TIME.test(v) && !Number.isNaN(Date.parse(v));
}

function isSeq(v: unknown, min: number): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= min;
}

function recordProblem(o: Obj): string | undefined {
  if (!isSeq(o.seq, 1)) return "'seq' must be a whole number from 1";
  if (!isTime(o.time)) return "'time' must be an ISO-8601 UTC time as Date.toISOString() writes it";
  for (const k of ['router', 'station', 'op', 'outcome'] as const) if (typeof o[k] !== 'string' || o[k] === '') return `'${k}' must be a non-empty string`;
  if (o.csn !== null && !(typeof o.csn === 'string' && HEX.test(o.csn))) return "'csn' must be lowercase hex or null";
  if (o.keyId !== null && typeof o.keyId !== 'string') return "'keyId' must be a string or null";
  if (typeof o.prev !== 'string' || !HEX64.test(o.prev)) return "'prev' must be 64 lowercase hex digits";
  const station = o.station as string;
  const slash = station.indexOf('/');
  if (o.router !== (slash < 0 ? station : station.slice(0, slash))) return "'router' must be the part of 'station' before its first '/'";
  return undefined;
}

function checkpointProblem(o: Obj): string | undefined {
  if (!isSeq(o.checkpoint, 0)) return "'checkpoint' must be a whole number";
  if (!isTime(o.time)) return "'time' must be an ISO-8601 UTC time as Date.toISOString() writes it";
  if (typeof o.hash !== 'string' || !HEX64.test(o.hash)) return "'hash' must be 64 lowercase hex digits";
  if (!isSeq(o.count, 0)) return "'count' must be a whole number";
  if (typeof o.keyId !== 'string') return "'keyId' must be a string";
  return undefined;
}

function parseRecord(line: string, o: Obj): ParsedLine {
  const seq = isSeq(o.seq, 1) ? o.seq : undefined;
  const m = HASH_MEMBER.exec(line);
  if (!m) return { kind: 'malformed', why: `record${seq === undefined ? '' : ` seq ${seq}`} does not end with a "hash" member of 64 lowercase hex digits` };
  const body = `${line.slice(0, m.index)}}`;
  if (sha256Hex(body) !== m[1]) return { kind: 'stale-hash', seq };
  const why = recordProblem(o);
  if (why) return { kind: 'bad-record', seq, why };
  const record = o as unknown as AuditRecord;
  // Extra members, another order, whitespace or other escapes: not what a writer makes.
  if (recordBody(record) !== body || record.hash !== m[1]) return { kind: 'bad-record', seq, why: 'the line is not in canonical form (members, their order, or spacing)' };
  return { kind: 'record', record };
}

function parseCheckpoint(line: string, o: Obj): ParsedLine {
  const m = SIG_MEMBER.exec(line);
  if (!m) return { kind: 'malformed', why: 'checkpoint does not end with a "sig" member holding a base64 Ed25519 signature' };
  const signed = `${line.slice(0, m.index)}}`;
  const sig = Buffer.from(m[1] as string, 'base64');
  const keyIdAsWritten = typeof o.keyId === 'string' ? o.keyId : undefined;
  const why = checkpointProblem(o);
  if (why) return { kind: 'checkpoint', signed, sig, keyIdAsWritten, checkpoint: undefined, why };
  const checkpoint = o as unknown as AuditCheckpoint;
  if (withSignature(checkpointUnsigned(checkpoint), checkpoint.sig) !== line) {
    return { kind: 'checkpoint', signed, sig, keyIdAsWritten, checkpoint: undefined, why: 'the line is not in canonical form (members, their order, or spacing)' };
  }
  return { kind: 'checkpoint', signed, sig, keyIdAsWritten, checkpoint };
}

export function parseLine(line: string): ParsedLine {
  if (line === '') return { kind: 'malformed', why: 'the line is empty' };
  if (line.endsWith('\r')) return { kind: 'malformed', why: 'the line ends with a carriage return (was the file converted to CRLF line ends?)' };
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { kind: 'malformed', why: 'the line is not valid JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { kind: 'malformed', why: 'the line is not a JSON object' };
  const o = value as Obj;
  if ('seq' in o) return parseRecord(line, o);
  if ('checkpoint' in o) return parseCheckpoint(line, o);
  return { kind: 'malformed', why: "the line is neither a record (no 'seq') nor a checkpoint (no 'checkpoint')" };
}
