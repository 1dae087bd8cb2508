// What verify reports when a log does not check out: the first problem, with
// the file line and the record's seq, in words a person can act on.

export type AuditProblemKind = 'changed' | 'removed' | 'inserted' | 'reordered' | 'bad-checkpoint' | 'unsigned-tail' | 'malformed';

export interface AuditProblem {
  readonly ok: false;
  /** File line number (from 1) where the problem is. */
  readonly line: number;
  /** The seq of the record concerned: for `removed`, the first missing seq. */
  readonly seq?: number;
  readonly problem: AuditProblemKind;
  readonly message: string;
}

/** "line 7 (seq 6)", or "line 7" when no seq applies. */
export function where(line: number, seq?: number): string {
  return seq === undefined ? `line ${line}` : `line ${line} (seq ${seq})`;
}

/** `seqInMessage` false: the seq is not the one on this line (a removed record), the text names it. */
export function problem(kind: AuditProblemKind, line: number, seq: number | undefined, text: string, seqInMessage = true): AuditProblem {
  return { ok: false, line, ...(seq === undefined ? {} : { seq }), problem: kind, message: `${where(line, seqInMessage ? seq : undefined)}: ${text}` };
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
