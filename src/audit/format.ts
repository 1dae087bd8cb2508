// The audit log format, version 1 ("persomux-audit/1"): what AuditLog writes
// and verifyAuditLog checks, written down for an auditor who wants to check a
// log with tools of their own.
//
// FILE. UTF-8 text, one JSON object per line (JSON Lines), every line ended by
// one "\n" (no "\r", no blank lines), so `less` shows it as it is. A line is a
// record or a checkpoint. Every line is in canonical form: exactly the members
// below, in that order, no whitespace, integers in decimal, strings escaped as
// ECMAScript's JSON.stringify escapes them (only `"`, `\` and the control
// characters below U+0020, as \" \\ \b \f \n \r \t or \u00xx, and lone
// surrogates as \udxxx; everything else literal). A line in another form is
// malformed even if it is valid JSON.
//
// RECORD: one per op the data server answered.
//   {"seq":17,"time":"2025-01-31T12:00:00.000Z","router":"r1","station":"r1/line-2",
//    "op":"certificate","csn":"04a1b2c3","keyId":"9f86d081884c7d65","outcome":"ok",
//    "prev":"<64 hex>","hash":"<64 hex>"}
//   seq      1 for the first record of the file, then one more per record
//            (checkpoints take no seq), so a missing seq is a missing record.
//   time     when the answer was sent: Date.toISOString(), UTC, milliseconds.
//   router   the part of `station` before its first "/" (all of it if none).
//   station  the request's `station` (PROTOCOL.md 2.2 rule 4): router/line.
//   op       the op as asked (also one the server does not serve).
//   csn      the card serial number, lowercase hex; null for ops without one.
//   keyId    the id of the key the op used (an id, never key bytes), or null.
//   outcome  "ok", or the error code of the answer (PROTOCOL.md 5).
//   prev     SHA-256 of the exact bytes of the previous line (record or
//            checkpoint) without its "\n", lowercase hex; 64 zeros on line 1.
//            This links every line to all lines before it.
//   hash     SHA-256 of this line with its last member (,"hash":"...")
//            removed, which is the canonical form of the other members.
//            It tells an edited record from a broken link: an edit that does
//            not recompute it is named "changed" on the very line.
//
// CHECKPOINT: after every N records, T seconds after the first record no
// checkpoint covers yet (N and T configurable, either can be off), and when
// the log is closed cleanly; never two for the same records.
//   {"checkpoint":20,"time":"...","hash":"<hash of record 20>","count":20,
//    "keyId":"<16 hex>","sig":"<base64>"}
//   checkpoint  the seq of the record just before it.
//   hash        that record's `hash`; through `prev` it covers every line before.
//   count       records in the file up to here (equal to `checkpoint`, as seq
//               starts at 1: a second, independent statement of the length).
//   keyId       first 8 bytes of SHA-256 over the signing key's DER
//               SubjectPublicKeyInfo, hex (as the issuer key's id is made).
//   sig         Ed25519 (RFC 8032, pure) over the UTF-8 bytes of
//               "persomux-audit/1 checkpoint\n" followed by this line with its
//               last member (,"sig":"...") removed; base64 with padding. The
//               prefix keeps this signature from meaning anything elsewhere.
//   The record after a checkpoint has the checkpoint line's SHA-256 as `prev`,
//   so a removed checkpoint breaks the chain too.
//
// BY HAND (line 5 and 6 of LOG):
//   sed -n 5p LOG | tr -d '\n' | sha256sum                     = line 6's prev
//   sed -n 5p LOG | sed 's/,"hash":"[0-9a-f]*"}$/}/' | tr -d '\n' | sha256sum
//                                                              = line 5's hash
//   a checkpoint's sig, with the message and signature split out of the line:
//   openssl pkeyutl -verify -pubin -inkey audit.pub -rawin -in MSG -sigfile SIG
//
// WHAT IT SHOWS, AND WHAT IT CANNOT. Changing, deleting, inserting or moving a
// line before the last checkpoint is detected: by the line's hash, by the next
// line's prev, by the seq sequence, or (if the whole chain after it is
// rebuilt) by the next checkpoint, which only the server's private key can
// sign again. Records after the last checkpoint are covered by no signature:
// they could be cut off, or rewritten, without trace, so verify reports them
// (a cleanly closed log has none). Deleting the whole file, or everything from
// some checkpoint on, is not detectable from the file itself: ship checkpoints
// or copies elsewhere if that matters.
//
// NO KEY MATERIAL: no member is meant for key bytes (keyId is a key's id, op
// and station are names), and the writer takes no other field
// (AuditLog.append rejects unknown ones).
import { createHash } from 'node:crypto';

export const FORMAT = 'persomux-audit/1';
/** The `prev` of line 1. */
export const GENESIS = '0'.repeat(64);
/** Prefixed to a checkpoint before signing (domain separation). */
export const CHECKPOINT_CONTEXT = `${FORMAT} checkpoint\n`;

export interface AuditRecord {
  readonly seq: number;
  readonly time: string;
  readonly router: string;
  readonly station: string;
  readonly op: string;
  readonly csn: string | null;
  readonly keyId: string | null;
  readonly outcome: string;
  readonly prev: string;
  readonly hash: string;
}

export interface AuditCheckpoint {
  readonly checkpoint: number;
  readonly time: string;
  readonly hash: string;
  readonly count: number;
  readonly keyId: string;
  readonly sig: string;
}

export const RECORD_KEYS = ['seq', 'time', 'router', 'station', 'op', 'csn', 'keyId', 'outcome', 'prev', 'hash'] as const;
export const CHECKPOINT_KEYS = ['checkpoint', 'time', 'hash', 'count', 'keyId', 'sig'] as const;

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** The canonical serialization of a record without its hash: what the hash is taken over. */
export function recordBody(r: Omit<AuditRecord, 'hash'>): string {
  // Built member by member, so the order is the format's, whatever the caller's object.
  return JSON.stringify({ seq: r.seq, time: r.time, router: r.router, station: r.station, op: r.op, csn: r.csn, keyId: r.keyId, outcome: r.outcome, prev: r.prev });
}

/** The canonical line of a record (its members in format order, then its hash), and that hash. */
export function buildRecord(r: Omit<AuditRecord, 'hash'>): { line: string; hash: string } {
  const body = recordBody(r);
  const hash = sha256Hex(body);
  return { line: `${body.slice(0, -1)},"hash":"${hash}"}`, hash };
}

/** A checkpoint line without its `sig` member: what is signed (after the context). */
export function checkpointUnsigned(c: Omit<AuditCheckpoint, 'sig'>): string {
  return JSON.stringify({ checkpoint: c.checkpoint, time: c.time, hash: c.hash, count: c.count, keyId: c.keyId });
}

export function withSignature(unsigned: string, sigBase64: string): string {
  return `${unsigned.slice(0, -1)},"sig":"${sigBase64}"}`;
}
