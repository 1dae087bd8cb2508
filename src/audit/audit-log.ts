// The writer of the data server's audit log (format.ts): one record per
// answered op, chained to the line before it, and a signed checkpoint every
// `checkpointEvery` records, `checkpointMs` after the first record no
// checkpoint covers yet, and on close().
//
// Durability: each line goes out in one write(2) on an O_APPEND descriptor,
// followed (by default) by fsync, so a crash loses at most the line being
// written, and a torn line can only be the last one, which verify reports
// as an incomplete last line. One writer per file: two processes appending to
// one log would interleave two chains.
//
// Failure: once a write fails, the chain's state on disk is unknown, so the
// log refuses every later append (the caller learns it from the exception
// and should stop answering ops it cannot audit).
//
// No key material: an entry has fields for who asked, what, about which card,
// with which key id, and how it ended; append() rejects any other field, so
// a key cannot reach the log even through a cast.
import { systemErrorMeaning } from '../util/system-error.js';
import { createPublicKey, type KeyObject } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readFileSync, writeSync } from 'node:fs';
import { auditKeyId } from './audit-key.js';
import { signedCheckpointLine } from './checkpoint.js';
import { buildRecord, GENESIS, sha256Hex } from './format.js';
import { readAuditTail } from './tail.js';
import { checkAuditTail, verifyAuditLog } from './verify.js';

/** One answered op. There is deliberately no field for a key, a challenge or a cryptogram. */
export interface AuditEntry {
  /** When the answer was sent; now if omitted. */
  readonly time?: Date;
  /** The request's `station`: router-name/line-name. */
  readonly station: string;
  readonly op: string;
  /** The card serial number, if the op had one. */
  readonly csn?: Uint8Array;
  /** The id of the key used (e.g. the issuer key id), never key bytes. */
  readonly keyId?: string;
  /** "ok" or the error code answered. */
  readonly outcome: string;
}

export interface AuditLogOptions {
  /** A checkpoint after this many records not yet covered; 0: never for that reason. Default 100. */
  readonly checkpointEvery?: number;
  /** A checkpoint this long after the first record not yet covered; 0: never for that reason. Default 10 000 ms. */
  readonly checkpointMs?: number;
  /** fsync after every line (default true); false trades power-loss durability for speed (tests, simulations). */
  readonly fsync?: boolean;
}

export class AuditLogError extends Error {
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(`${file}: ${reason}`);
    this.name = 'AuditLogError';
  }
}

const ENTRY_FIELDS = new Set(['time', 'station', 'op', 'csn', 'keyId', 'outcome']);

function nonNegativeInt(value: number | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 0) throw new TypeError(`AuditLog: ${name} must be a whole number of at least 0, got ${value}`);
  return value;
}

/** Runtime checks for callers that bypass the types; messages name fields, never values. */
function checkEntry(entry: AuditEntry): void {
  for (const k of Object.keys(entry)) {
    if (!ENTRY_FIELDS.has(k)) throw new TypeError(`audit entry has an unknown field '${k}': an audit record holds no key material and no free-form data`);
  }
  for (const k of ['station', 'op', 'outcome'] as const) {
    if (typeof entry[k] !== 'string' || entry[k] === '') throw new TypeError(`audit entry field '${k}' must be a non-empty string`);
  }
  if (entry.csn !== undefined && !(entry.csn instanceof Uint8Array)) throw new TypeError("audit entry field 'csn' must be bytes");
  if (entry.keyId !== undefined && typeof entry.keyId !== 'string') throw new TypeError("audit entry field 'keyId' must be a string");
  if (entry.time !== undefined && !(entry.time instanceof Date && !Number.isNaN(entry.time.getTime()))) throw new TypeError("audit entry field 'time' must be a valid Date");
}

interface Position {
  seq: number;
  recordHash: string;
  prevLine: string;
  records: number;
  signedRecords: number;
}

export class AuditLog {
  private fd: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private failure: Error | undefined;

  private constructor(
    readonly file: string,
    fd: number,
    private readonly signingKey: KeyObject,
    /** The id of the signing key, as checkpoints name it. */
    readonly keyId: string,
    private readonly position: Position,
    private readonly every: number,
    private readonly ms: number,
    private readonly sync: boolean,
  ) {
    this.fd = fd;
  }

  /**
   * Opens `file` for appending, creating it if need be. An existing log is
   * continued: its end (from its last checkpoint on) is checked first, with
   * this key's public half, and a log whose end does not check out (an
   * incomplete last line after a crash, a broken chain, another key) is
   * refused rather than continued: keep it as evidence, start a new file.
   */
  static async open(file: string, signingKey: KeyObject, options: AuditLogOptions = {}): Promise<AuditLog> {
    if (signingKey.type !== 'private' || signingKey.asymmetricKeyType !== 'ed25519') throw new TypeError('AuditLog: the signing key must be an Ed25519 private key');
    const every = nonNegativeInt(options.checkpointEvery, 'checkpointEvery', 100);
    const ms = nonNegativeInt(options.checkpointMs, 'checkpointMs', 10_000);
    const publicKey = createPublicKey(signingKey);
    const position: Position = { seq: 0, recordHash: GENESIS, prevLine: GENESIS, records: 0, signedRecords: 0 };
    const tail = await readAuditTail(file);
    if (tail && tail.text !== '') {
      const checked = checkAuditTail(tail.text, tail.fromStart, publicKey);
      if (!checked.ok) {
        // The tail's line numbers are relative; the whole file gives the reader real ones.
        const whole = verifyAuditLog(readFileSync(file, 'utf8'), publicKey);
        const why = whole.ok ? checked.message : whole.message;
        throw new AuditLogError(file, `will not append to this audit log: ${why}. Check it with 'persomux audit verify', keep it, and start a new log file`);
      }
      const s = checked.state;
      Object.assign(position, { seq: s.seq, recordHash: s.recordHash, prevLine: s.prevLine, records: s.records, signedRecords: s.signedRecords });
    }
    const fd = openSync(file, 'a', 0o640);
    const log = new AuditLog(file, fd, signingKey, auditKeyId(publicKey), position, every, ms, options.fsync ?? true);
    // Records a crash left unsigned are covered by the next checkpoint, as soon as the timer allows.
    if (position.records > position.signedRecords) log.schedule();
    return log;
  }

  /** The seq of the last record written (0 for none). */
  get lastSeq(): number {
    return this.position.seq;
  }

  /** Records not yet covered by a checkpoint. */
  get unsignedRecords(): number {
    return this.position.records - this.position.signedRecords;
  }

  /** Appends one record, synchronously; may write a checkpoint after it. Throws AuditLogError once the log cannot write. */
  append(entry: AuditEntry): void {
    this.usable();
    checkEntry(entry);
    const p = this.position;
    const station = entry.station;
    const slash = station.indexOf('/');
    const { line, hash } = buildRecord({
      seq: p.seq + 1,
      time: (entry.time ?? new Date()).toISOString(),
      router: slash < 0 ? station : station.slice(0, slash),
      station,
      op: entry.op,
      csn: entry.csn === undefined ? null : Buffer.from(entry.csn).toString('hex'),
      keyId: entry.keyId ?? null,
      outcome: entry.outcome,
      prev: p.prevLine,
    });
    this.write(line);
    p.seq++;
    p.records++;
    p.recordHash = hash;
    if (this.every > 0 && this.unsignedRecords >= this.every) this.checkpoint();
    else this.schedule();
  }

  /** Writes a signed checkpoint over every record so far; nothing if none is new. */
  checkpoint(): void {
    this.usable();
    this.clearTimer();
    const p = this.position;
    if (p.records === p.signedRecords) return;
    const line = signedCheckpointLine({ checkpoint: p.seq, time: new Date().toISOString(), hash: p.recordHash, count: p.records, keyId: this.keyId }, this.signingKey);
    this.write(line);
    p.signedRecords = p.records;
  }

  /** Writes a final checkpoint and closes the file. Rethrows a failure the checkpoint timer met. */
  close(): void {
    if (this.fd === undefined) return;
    let error = this.failure;
    if (!error) {
      try {
        this.checkpoint();
      } catch (e) {
        error = e as Error;
      }
    }
    this.clearTimer();
    closeSync(this.fd);
    this.fd = undefined;
    if (error) throw error;
  }

  private usable(): void {
    if (this.failure) throw this.failure;
    if (this.fd === undefined) throw new AuditLogError(this.file, 'the audit log is closed');
  }

  private write(line: string): void {
    const fd = this.fd as number;
    const bytes = Buffer.from(`${line}\n`, 'utf8');
    try {
      let done = 0;
      while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done);
      if (this.sync) fsyncSync(fd);
    } catch (e) {
      this.failure = new AuditLogError(this.file, `cannot write the audit log (${systemErrorMeaning(e) ?? 'error'}); it accepts no more records`);
      throw this.failure;
    }
    this.position.prevLine = sha256Hex(line);
  }

  private schedule(): void {
    if (this.ms === 0 || this.timer || this.unsignedRecords === 0) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      try {
        this.checkpoint();
      } catch (e) {
        // Nobody to throw to from a timer: the next append or close() throws it.
        this.failure ??= e as Error;
      }
    }, this.ms);
    // A pending checkpoint must not keep the process alive; close() writes it anyway.
    this.timer.unref();
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
