// An audit log's text as numbered lines, each parsed and hashed on first use:
// the straight pass reads each line once, and only the diagnosis of a break
// looks back or ahead, so a long intact log costs one parse and one hash per line.
import { sha256Hex, type AuditRecord } from './format.js';
import { parseLine, type ParsedLine } from './parse-line.js';

export class LogView {
  readonly lines: readonly string[];
  /** The text does not end with "\n": its last line was cut off. */
  readonly truncated: boolean;
  private readonly parsedCache = new Map<number, ParsedLine>();
  private readonly hashCache = new Map<number, string>();

  /** `firstLineNo` is the file line number of the text's first line. */
  constructor(
    text: string,
    readonly firstLineNo = 1,
  ) {
    const lines = text.split('\n');
    // "a\nb\n" splits to ['a', 'b', '']: the empty last piece is no line.
    this.truncated = lines[lines.length - 1] !== '';
    if (!this.truncated) lines.pop();
    this.lines = lines;
  }

  get length(): number {
    return this.lines.length;
  }

  lineNo(i: number): number {
    return this.firstLineNo + i;
  }

  line(i: number): string {
    return this.lines[i] ?? '';
  }

  parsed(i: number): ParsedLine {
    let p = this.parsedCache.get(i);
    if (!p) {
      p = parseLine(this.line(i));
      this.parsedCache.set(i, p);
    }
    return p;
  }

  /** SHA-256 of the line's bytes: what the next line's `prev` must be. */
  hash(i: number): string {
    let h = this.hashCache.get(i);
    if (!h) {
      h = sha256Hex(this.line(i));
      this.hashCache.set(i, h);
    }
    return h;
  }

  /** The record on line i, if it is a well-formed one. */
  record(i: number): AuditRecord | undefined {
    const p = this.parsed(i);
    return p.kind === 'record' ? p.record : undefined;
  }

  /** Forget line i's parse once it has been checked: a long log need not stay parsed in memory. */
  release(i: number): void {
    this.parsedCache.delete(i);
    this.hashCache.delete(i);
  }
}
