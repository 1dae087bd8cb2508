// Shared by the audit tests: a temp dir, a key pair, a log of 50 records
// written through AuditLog, and an outside auditor's view of the format
// (written from the header of src/audit/format.ts, not from its code), which
// is also how the tests forge lines.
import { createHash, generateKeyPairSync, verify, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditLog, type AuditLogOptions } from '../../src/audit/audit-log.js';

export const dir = mkdtempSync(join(tmpdir(), 'persomux-audit-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
let n = 0;
export const fresh = (name = 'audit.jsonl'): string => join(dir, `${++n}-${name}`);

export const KEYS = generateKeyPairSync('ed25519');
export const OTHER_KEYS = generateKeyPairSync('ed25519');

export const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/** The lines of a log, without the final empty piece. */
export function linesOf(text: string): string[] {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

export const joinLines = (lines: readonly string[]): string => lines.map((l) => `${l}\n`).join('');

/** Index (from 0) of the record with this seq. */
export function indexOfSeq(lines: readonly string[], seq: number): number {
  const i = lines.findIndex((l) => l.startsWith(`{"seq":${seq},`));
  if (i < 0) throw new Error(`no record seq ${seq}`);
  return i;
}

export const isCheckpoint = (line: string): boolean => line.startsWith('{"checkpoint":');

/** The auditor's record hash: SHA-256 of the line with its last member, ,"hash":"...", removed. */
export function auditorRecordHash(line: string): string {
  return sha256(line.replace(/,"hash":"[0-9a-f]{64}"\}$/, '}'));
}

/** The auditor's checkpoint check: Ed25519 over the context and the line without ,"sig":"...". */
export function auditorCheckpointValid(line: string, publicKey: KeyObject): boolean {
  const m = /,"sig":"([^"]*)"\}$/.exec(line);
  if (!m) return false;
  const signed = `persomux-audit/1 checkpoint\n${line.slice(0, m.index)}}`;
  return verify(null, Buffer.from(signed, 'utf8'), publicKey, Buffer.from(m[1] as string, 'base64'));
}

/** A record line as a forger who knows the format (but not the key) makes one, hash recomputed. */
export function forgeRecord(fields: { seq: number; prev: string; station?: string; op?: string; csn?: string | null; outcome?: string; time?: string }): string {
  const station = fields.station ?? 'r1/line-1';
  const body = JSON.stringify({
    seq: fields.seq,
    time: fields.time ?? '2025-01-01T00:30:00.000Z',
    router: station.split('/')[0],
    station,
    op: fields.op ?? 'transport-key',
    csn: fields.csn === undefined ? '04a1b2c3d4' : fields.csn,
    keyId: null,
    outcome: fields.outcome ?? 'ok',
    prev: fields.prev,
  });
  return `${body.slice(0, -1)},"hash":"${sha256(body)}"}`;
}

/** Re-hashes a record line after an edit, as a forger would. */
export function rehash(line: string): string {
  const body = line.replace(/,"hash":"[0-9a-f]{64}"\}$/, '}');
  return `${body.slice(0, -1)},"hash":"${sha256(body)}"}`;
}

/** Sets `prev` of a record line and re-hashes it. */
export function relink(line: string, prev: string): string {
  return rehash(line.replace(/"prev":"[0-9a-f]{64}"/, `"prev":"${prev}"`));
}

const OPS = ['transport-key', 'session-keys', 'certificate', 'issuer-key', 'echo'] as const;

/** The entry for record `seq` of the test logs: varied ops, stations, csns and outcomes. */
export function entry(seq: number) {
  const op = OPS[seq % OPS.length] as string;
  const hasCsn = op !== 'issuer-key' && op !== 'echo';
  return {
    time: new Date(Date.UTC(2025, 0, 1, 0, 0, seq)),
    station: `r${1 + (seq % 2)}/line-${seq % 4}`,
    op,
    ...(hasCsn ? { csn: Buffer.from([4, seq, 0xb2, 0xc3]) } : {}),
    ...(op === 'certificate' ? { keyId: '9f86d081884c7d65' } : {}),
    outcome: seq % 7 === 0 ? 'key-unavailable' : 'ok',
  };
}

/** Writes records `from`..`to` through an AuditLog and closes it (a final checkpoint) unless `close` is false. */
export async function writeLog(file: string, to: number, options: AuditLogOptions & { from?: number; close?: boolean } = {}): Promise<AuditLog> {
  const log = await AuditLog.open(file, KEYS.privateKey, { checkpointEvery: 8, checkpointMs: 0, fsync: false, ...options });
  for (let seq = options.from ?? 1; seq <= to; seq++) log.append(entry(seq));
  if (options.close ?? true) log.close();
  return log;
}

/** The 50-record log the tamper tests copy: checkpoints after 8, 16, ..., 48 and the closing one after 50. */
export const BASE = fresh('base.jsonl');
await writeLog(BASE, 50);
export const BASE_TEXT = readFileSync(BASE, 'utf8');

/** Writes an edited copy of the base log (an edit of its lines, or the whole new text); returns its path and text. */
export function tamperedCopy(edit: ((lines: string[]) => string[] | string) | string): { file: string; text: string } {
  const out = typeof edit === 'string' ? edit : edit(linesOf(BASE_TEXT));
  const text = typeof out === 'string' ? out : joinLines(out);
  const file = fresh('copy.jsonl');
  writeFileSync(file, text);
  return { file, text };
}

/** Runs `body` with process.stdout/stderr captured. */
export async function captured(body: () => Promise<number>): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  let stdout = '';
  let stderr = '';
  process.stdout.write = ((chunk: string | Uint8Array) => ((stdout += chunk.toString()), true)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => ((stderr += chunk.toString()), true)) as typeof process.stderr.write;
  try {
    const code = await body();
    return { code, stdout, stderr };
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
}
