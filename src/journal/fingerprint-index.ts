// The journal in memory: which fingerprints are live, in which segment file
// each record sits, and which ones came from an earlier run. Pure: time comes
// in as numbers, and it decides nothing about files. Kept per line, so that a
// station sending `hello` over and over costs only its own line's entries.
import { fingerprintKey, type JournalFingerprint } from '../dispatch/journal-fingerprint.js';
import type { JournalRecord } from './record.js';

export interface IndexEntry {
  readonly record: JournalRecord;
  segment: number;
  /** Read back at start: a retransmission of it after the restart was already sent once. */
  readonly previousRun: boolean;
}

export class FingerprintIndex {
  /** Per line: its requests by fingerprint key. */
  private readonly requests = new Map<string, Map<string, IndexEntry>>();
  /** Per line: its latest hello, kept as long as the requests it cancelled would have been. */
  private readonly hellos = new Map<string, IndexEntry>();

  /**
   * The records of an earlier run, from every segment. A hello cancels the
   * requests of its line with a lower seq, wherever they sit; expired records
   * are left out.
   */
  replay(segments: readonly { segment: number; records: readonly JournalRecord[] }[], now: number): void {
    const helloSeq = new Map<string, number>();
    for (const { records } of segments) {
      for (const r of records) if (r.kind === 'hello') helloSeq.set(r.line, Math.max(helloSeq.get(r.line) ?? -1, r.seq));
    }
    for (const { segment, records } of segments) {
      for (const r of records) {
        if (r.keepUntil <= now) continue;
        const entry = { record: r, segment, previousRun: true };
        if (r.kind === 'hello') {
          if (r.seq === helloSeq.get(r.line)) this.hellos.set(r.line, entry);
        } else if (r.seq > (helloSeq.get(r.fp.line) ?? -1)) {
          this.lineMap(r.fp.line).set(fingerprintKey(r.fp), entry);
        }
      }
    }
  }

  /** PROTOCOL.md 6 reading 12: was this request sent to a server before the restart (and may still be retransmitted)? */
  seenBefore(fp: JournalFingerprint, now: number): boolean {
    const e = this.requests.get(fp.line)?.get(fingerprintKey(fp));
    return e !== undefined && e.previousRun && e.record.keepUntil > now;
  }

  /** A record of this run, written to `segment`. */
  add(record: JournalRecord, segment: number): void {
    const entry = { record, segment, previousRun: false };
    if (record.kind === 'hello') this.hellos.set(record.line, entry);
    else this.lineMap(record.fp.line).set(fingerprintKey(record.fp), entry);
  }

  /**
   * `hello` on a line: its requests so far are forgotten. Returns until when
   * the hello record must be kept (as long as the longest of them would have
   * been), or undefined when there was nothing to forget.
   */
  forgetLine(line: string): number | undefined {
    const requests = this.requests.get(line);
    // Nothing since the last hello: no new record (a hello flood costs no disk).
    if (!requests) return undefined;
    this.requests.delete(line);
    let until = this.hellos.get(line)?.record.keepUntil ?? 0;
    for (const e of requests.values()) until = Math.max(until, e.record.keepUntil);
    this.hellos.delete(line); // the new hello replaces it
    return until;
  }

  /** Drops what has run out of its window. */
  expire(now: number): void {
    for (const [line, map] of this.requests) {
      for (const [key, e] of map) if (e.record.keepUntil <= now) map.delete(key);
      if (map.size === 0) this.requests.delete(line);
    }
    for (const [line, e] of this.hellos) if (e.record.keepUntil <= now) this.hellos.delete(line);
  }

  /** Live entries of one segment (what compaction carries forward). */
  inSegment(segment: number): IndexEntry[] {
    return [...this.all()].filter((e) => e.segment === segment);
  }

  /** Segments that still hold a live record. */
  liveSegments(): Set<number> {
    return new Set([...this.all()].map((e) => e.segment));
  }

  get size(): number {
    let n = this.hellos.size;
    for (const map of this.requests.values()) n += map.size;
    return n;
  }

  private *all(): Iterable<IndexEntry> {
    for (const map of this.requests.values()) yield* map.values();
    yield* this.hellos.values();
  }

  private lineMap(line: string): Map<string, IndexEntry> {
    let map = this.requests.get(line);
    if (!map) {
      map = new Map();
      this.requests.set(line, map);
    }
    return map;
  }
}
