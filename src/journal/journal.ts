// The router's crash-safe journal (PROTOCOL.md 6, reading 12; issue 11 item
// 3): for each non-retry request, its fingerprint is on disk before the
// request goes to a server, so that after a restart a retransmission of it is
// answered `server-lost` instead of running twice. Pure parts: fingerprint.ts,
// record.ts, fingerprint-index.ts, window.ts; files: segments.ts and
// group-commit.ts. This file composes them.
//
// Bounded: a fingerprint lives ttl + 5 minutes (window.ts). Segments rotate
// every minute (or at 4 MiB); a segment with nothing live is deleted, and one
// kept alive only by a few long-ttl records is compacted (they are copied to
// the current segment, then it is deleted). Time is the wall clock (it must
// hold across restarts); a clock set back keeps records longer, never shorter
// than their window unless it jumps forward.
import type { Logger } from '../log/logger.js';
import type { JournalFingerprint } from '../dispatch/journal-fingerprint.js';
import { FingerprintIndex, type IndexEntry } from './fingerprint-index.js';
import { GroupCommit, type SegmentTarget } from './group-commit.js';
import { decodeSegment, encodeRecord, type JournalRecord } from './record.js';
import { createSegment, listSegments, readSegment, removeSegment } from './segments.js';
import { ANSWER_WINDOW_MS, keepUntil } from './window.js';

export interface JournalOptions {
  /** The journal's folder, e.g. `<stateDir>/journal` (made, mode 0700, if missing). */
  readonly dir: string;
  /** Wall-clock ms (default Date.now). */
  readonly now?: () => number;
  readonly log?: Logger;
  readonly rotateEveryMs?: number;
  readonly maxSegmentBytes?: number;
  /** A sealed segment older than this that still holds live records is compacted. */
  readonly compactAfterMs?: number;
  /** How often maintain() runs by itself; false: only when called (tests). */
  readonly maintainEveryMs?: number | false;
}

/** What was read back at start. */
export interface Recovered {
  readonly segments: number;
  readonly records: number;
  /** Fingerprints still inside their window: their retransmissions get `server-lost`. */
  readonly live: number;
  /** Bytes after the last whole record of a segment (a torn write), ignored. */
  readonly ignoredBytes: number;
}

export class Journal {
  /** Sealed segments (not written to any more) and when they were opened, or this run's start for older ones. */
  private readonly sealed = new Map<number, number>();
  private activeSince: number;
  private seq: number;
  private readonly lastHello = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private maintaining: Promise<void> | undefined;
  private readonly writer: GroupCommit;
  /** Writes that failed (the disk); each failed caller got a JournalWriteError too. */
  failures = 0;

  private constructor(
    private readonly options: JournalOptions,
    private readonly now: () => number,
    private readonly index: FingerprintIndex,
    first: SegmentTarget,
    seq: number,
    readonly recovered: Recovered,
  ) {
    this.seq = seq;
    this.activeSince = now();
    this.writer = new GroupCommit(first, (current, mustRotate) => this.beforeBatch(current, mustRotate));
  }

  static async open(options: JournalOptions): Promise<Journal> {
    const now = options.now ?? Date.now;
    const numbers = await listSegments(options.dir);
    const segments: { segment: number; records: JournalRecord[] }[] = [];
    let ignoredBytes = 0;
    let maxSeq = -1;
    for (const n of numbers) {
      const decoded = decodeSegment(await readSegment(options.dir, n));
      if (decoded.ignoredBytes > 0) options.log?.warn('journal.torn', { segment: n, ignoredBytes: decoded.ignoredBytes, kept: decoded.records.length });
      ignoredBytes += decoded.ignoredBytes;
      for (const r of decoded.records) maxSeq = Math.max(maxSeq, r.seq);
      segments.push({ segment: n, records: decoded.records });
    }
    const index = new FingerprintIndex();
    index.replay(segments, now());
    const first = await createSegment(options.dir, (numbers[numbers.length - 1] ?? 0) + 1);
    const recovered: Recovered = { segments: numbers.length, records: segments.reduce((k, s) => k + s.records.length, 0), live: index.size, ignoredBytes };
    const journal = new Journal(options, now, index, first, maxSeq + 1, recovered);
    for (const n of numbers) journal.sealed.set(n, now());
    options.log?.info('journal.open', { dir: options.dir, ...journal.recovered });
    await journal.maintain();
    if (options.maintainEveryMs !== false) {
      journal.timer = setInterval(() => void journal.maintain(), options.maintainEveryMs ?? 10_000);
      journal.timer.unref();
    }
    return journal;
  }

  /** Was this request sent to a server by an earlier run, within its window? Then it must not run again. */
  seenBefore(fp: JournalFingerprint): boolean {
    return this.index.seenBefore(fp, this.now());
  }

  /**
   * The router's one call per non-retry request: 'seen-before' (answer it
   * `server-lost`), or a promise that resolves once its fingerprint is durable
   * (send it to a server only then) and rejects with JournalWriteError.
   */
  admit(fp: JournalFingerprint, ttlMs: number): 'seen-before' | Promise<void> {
    return this.seenBefore(fp) ? 'seen-before' : this.record(fp, ttlMs);
  }

  /** Writes the fingerprint; resolves once it is durable. */
  async record(fp: JournalFingerprint, ttlMs: number): Promise<void> {
    const record: JournalRecord = { kind: 'request', seq: this.seq++, keepUntil: keepUntil(this.now(), ttlMs), fp };
    const segment = await this.write(record);
    // A hello that came while it was being written has already forgotten it.
    if (record.seq > (this.lastHello.get(fp.line) ?? -1)) this.index.add(record, segment);
  }

  /** `hello` on a line (2.1 rule 2): its ids are forgotten, across restarts too. Never rejects; nothing waits for it. */
  async forgetLine(line: string): Promise<void> {
    const seq = this.seq++;
    this.lastHello.set(line, seq);
    const until = this.index.forgetLine(line);
    if (until === undefined) return;
    const record: JournalRecord = { kind: 'hello', seq, keepUntil: until, line };
    try {
      this.index.add(record, await this.write(record));
    } catch {
      // Counted in `failures`. Not having it only makes a later request look seen before: the safe side.
    }
  }

  /** Expires, deletes and compacts segments; runs by itself every `maintainEveryMs`. */
  maintain(): Promise<void> {
    this.maintaining ??= this.maintainOnce().finally(() => (this.maintaining = undefined));
    return this.maintaining;
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.maintaining;
    await this.writer.close();
  }

  get stats(): { commits: number; records: number; bytes: number; live: number; segments: number; failures: number } {
    return { ...this.writer.stats, live: this.index.size, segments: this.sealed.size + 1, failures: this.failures };
  }

  private async write(record: JournalRecord): Promise<number> {
    try {
      return await this.writer.append(encodeRecord(record));
    } catch (e) {
      this.failures++;
      this.options.log?.error('journal.write-failed', { error: (e as Error).message });
      throw e;
    }
  }

  private async beforeBatch(current: SegmentTarget, mustRotate: boolean): Promise<SegmentTarget> {
    const now = this.now();
    const due = now - this.activeSince >= (this.options.rotateEveryMs ?? 60_000) || current.bytes >= (this.options.maxSegmentBytes ?? 4 * 1024 * 1024);
    if (!mustRotate && !due) return current;
    const next = await createSegment(this.options.dir, current.number + 1);
    this.sealed.set(current.number, this.activeSince);
    this.activeSince = now;
    return next;
  }

  private async maintainOnce(): Promise<void> {
    const now = this.now();
    this.index.expire(now);
    const live = this.index.liveSegments();
    const compactAfter = this.options.compactAfterMs ?? ANSWER_WINDOW_MS + 2 * (this.options.rotateEveryMs ?? 60_000);
    for (const [n, since] of [...this.sealed].sort((a, b) => a[0] - b[0])) {
      try {
        if (live.has(n)) {
          if (now - since < compactAfter) continue;
          await this.carryForward(this.index.inSegment(n));
        }
        await removeSegment(this.options.dir, n);
        this.sealed.delete(n);
      } catch (e) {
        this.options.log?.warn('journal.maintain-failed', { segment: n, error: (e as Error).message });
        return;
      }
    }
  }

  /** Copies live records into the current segment; the old one can then go. */
  private async carryForward(entries: IndexEntry[]): Promise<void> {
    const where = await Promise.all(entries.map((e) => this.writer.append(encodeRecord(e.record))));
    entries.forEach((e, i) => (e.segment = where[i]!));
  }
}
