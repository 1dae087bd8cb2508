// The journal in memory: which fingerprints are live, in which segment file
// each record sits, and which ones came from an earlier run. Pure: time comes
// in as numbers, and it decides nothing about files.
import { fingerprintKey, type JournalFingerprint } from './fingerprint.js';
import type { JournalRecord } from './record.js';

export interface IndexEntry {
  readonly record: JournalRecord;
  segment: number;
  /** Read back at start: a retransmission of it after the restart was already sent once. */
  readonly previousRun: boolean;
}

export class FingerprintIndex {
  /** By fingerprint key (requests) or `hello\0line` (the latest hello of a line). */
  private readonly entries = new Map<string, IndexEntry>();

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
        if (r.kind === 'hello') {
          if (r.seq === helloSeq.get(r.line)) this.entries.set(helloKey(r.line), { record: r, segment, previousRun: true });
        } else if (r.seq > (helloSeq.get(r.fp.line) ?? -1)) {
          this.entries.set(fingerprintKey(r.fp), { record: r, segment, previousRun: true });
        }
      }
    }
  }

  /** PROTOCOL.md 6 reading 12: was this request sent to a server before the restart (and may still be retransmitted)? */
  seenBefore(fp: JournalFingerprint, now: number): boolean {
    const e = this.entries.get(fingerprintKey(fp));
    return e !== undefined && e.previousRun && e.record.keepUntil > now;
  }

  /** A record of this run, written to `segment`. */
  add(record: JournalRecord, segment: number): void {
    const key = record.kind === 'hello' ? helloKey(record.line) : fingerprintKey(record.fp);
    this.entries.set(key, { record, segment, previousRun: false });
  }

  /**
   * `hello` on a line: its requests so far are forgotten. Returns until when
   * the hello record must be kept (as long as the longest of them would have
   * been), or undefined when there was nothing to forget.
   */
  forgetLine(line: string): number | undefined {
    let until: number | undefined;
    for (const [key, e] of this.entries) {
      const r = e.record;
      if ((r.kind === 'request' ? r.fp.line : r.line) !== line) continue;
      until = Math.max(until ?? 0, r.keepUntil);
      this.entries.delete(key);
    }
    return until;
  }

  /** Drops what has run out of its window. */
  expire(now: number): void {
    for (const [key, e] of this.entries) if (e.record.keepUntil <= now) this.entries.delete(key);
  }

  /** Live entries of one segment, in file order (what compaction carries forward). */
  inSegment(segment: number): IndexEntry[] {
    return [...this.entries.values()].filter((e) => e.segment === segment);
  }

  /** Segments that still hold a live record. */
  liveSegments(): Set<number> {
    return new Set([...this.entries.values()].map((e) => e.segment));
  }

  get size(): number {
    return this.entries.size;
  }
}

function helloKey(line: string): string {
  return `hello\u0000${line}`;
}
