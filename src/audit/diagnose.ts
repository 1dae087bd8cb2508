// Naming a break in the chain. The straight pass (chain.ts) knows only that
// line i, a record or checkpoint that is fine on its own, does not follow the
// lines accepted before it. Which edit made that is read from the lines
// around it, in this order (the first rule that fits wins):
//
//   copy       line i is byte for byte an earlier line           -> inserted
//   reordered  i chains to a LATER line, or skips a seq that
//              comes later                                      -> reordered
//   skipped    i chains to an earlier line that is not the one
//              before it: the lines between are extra           -> inserted (the first extra line)
//   resumed    a later line chains to the last accepted line:
//              line i (and any up to it) is extra               -> inserted
//   seq gap    i's seq is past the next one                      -> removed (the first missing seq)
//   seq repeat i's seq is one the log already has                -> inserted
//   otherwise  seq is right, prev is not: a hash was recomputed  -> changed
//
// An editor that leaves a record's hash stale never gets here: chain.ts names
// that record "changed" on its own line. Only a forger who recomputes hashes
// produces a clean line in the wrong place, and then the rules above guess
// the most likely edit; the words say so where two edits look the same.
import type { ChainState } from './chain-state.js';
import { GENESIS, type AuditCheckpoint, type AuditRecord } from './format.js';
import type { LogView } from './log-view.js';
import { problem, type AuditProblem } from './problem.js';

function findEarlier(before: number, test: (j: number) => boolean): number {
  for (let j = before - 1; j >= 0; j--) if (test(j)) return j;
  return -1;
}

function findLater(after: number, view: LogView, test: (j: number) => boolean): number {
  for (let j = after + 1; j < view.length; j++) if (test(j)) return j;
  return -1;
}

function extra(view: LogView, first: number, last: number): string {
  return first === last ? `line ${view.lineNo(first)} is` : `lines ${view.lineNo(first)} to ${view.lineNo(last)} are`;
}

/** Line i holds a well-formed record that does not follow the accepted lines. */
export function diagnoseRecord(view: LogView, i: number, r: AuditRecord, state: ChainState): AuditProblem {
  const ln = view.lineNo(i);
  const expected = state.seq + 1;

  const copy = findEarlier(i, (j) => view.line(j) === view.line(i));
  if (copy >= 0) return problem('inserted', ln, r.seq, `record was inserted: it is a copy of line ${view.lineNo(copy)}`);

  const successorOf = findLater(i, view, (j) => view.hash(j) === r.prev);
  if (successorOf >= 0) {
    const s = view.record(successorOf);
    const which = s ? `line ${view.lineNo(successorOf)} (seq ${s.seq})` : `line ${view.lineNo(successorOf)}`;
    return problem('reordered', ln, r.seq, `records are out of order: this record belongs after ${which}, which comes later`);
  }
  if (r.seq > expected) {
    const missing = findLater(i, view, (j) => view.record(j)?.seq === expected);
    if (missing >= 0) return problem('reordered', ln, r.seq, `records are out of order: seq ${r.seq} comes before seq ${expected} (line ${view.lineNo(missing)})`);
  }

  // Line 1 of a whole log "chains to" the start: a record with prev GENESIS further down skips everything before it.
  const fromStart = view.firstLineNo === 1 && r.prev === GENESIS && i > 0;
  const skippedFrom = fromStart ? -1 : findEarlier(i - 1, (j) => view.hash(j) === r.prev);
  if (fromStart || skippedFrom >= 0) {
    const first = skippedFrom + 1;
    const what = view.record(first) ? 'record' : 'line';
    const to = skippedFrom < 0 ? 'the start of the log' : `line ${view.lineNo(skippedFrom)}`;
    return problem('inserted', view.lineNo(first), view.record(first)?.seq, `${what} was inserted: line ${ln} (seq ${r.seq}) chains to ${to}, so ${extra(view, first, i - 1)} not part of the chain`);
  }

  const resumes = findLater(i, view, (j) => {
    const rj = view.record(j);
    if (rj) return rj.prev === state.prevLine;
    const pj = view.parsed(j);
    const c = pj.kind === 'checkpoint' ? pj.checkpoint : undefined;
    return state.lastKind === 'record' && c !== undefined && c.checkpoint === state.seq && c.hash === state.recordHash;
  });
  if (resumes >= 0) {
    const from = i === 0 ? 'the start of the log' : `line ${view.lineNo(i - 1)}`;
    return problem('inserted', ln, r.seq, `record was inserted: the chain goes on from ${from} at line ${view.lineNo(resumes)}, so ${extra(view, i, resumes - 1)} not part of it`);
  }

  if (r.seq > expected) {
    const gap = r.seq - expected === 1 ? `record seq ${expected} was removed` : `records seq ${expected} to ${r.seq - 1} were removed`;
    return problem('removed', ln, expected, `${gap}: missing before this line, which holds seq ${r.seq} and chains to a line that is not in the log`, false);
  }

  if (r.seq < expected) {
    const same = findEarlier(i, (j) => view.record(j)?.seq === r.seq);
    const at = same >= 0 ? ` at line ${view.lineNo(same)}` : '';
    return problem('inserted', ln, r.seq, `record was inserted: the log already has seq ${r.seq}${at}, and seq ${expected} was due here`);
  }

  // The seq is the right one and only the link is wrong.
  if (state.lastKind === 'start') return problem('changed', ln, r.seq, "record was changed: its 'prev' should be 64 zeros on the first line, and its hash was recomputed to match");
  if (state.lastKind === 'checkpoint') return problem('changed', ln, r.seq, "record was changed: it does not chain to the signed checkpoint before it, so its 'prev' was edited and its hash recomputed");
  return problem(
    'changed',
    view.lineNo(i - 1),
    state.seq,
    `record was changed and its hash recomputed (or a checkpoint line after it was removed): the next record, line ${ln} (seq ${r.seq}), does not chain to it`,
  );
}

/** Line i holds a correctly signed checkpoint that does not fit the accepted lines. */
export function diagnoseCheckpoint(view: LogView, i: number, c: AuditCheckpoint, state: ChainState): AuditProblem {
  const ln = view.lineNo(i);

  const copy = findEarlier(i, (j) => view.line(j) === view.line(i));
  if (copy >= 0) return problem('inserted', ln, undefined, `checkpoint was inserted: it is a copy of line ${view.lineNo(copy)}`);

  if (c.checkpoint === state.seq) {
    // The right place, a different history: the records it signed were rewritten and relinked.
    if (state.records === state.signedRecords) return problem('bad-checkpoint', ln, undefined, `checkpoint for seq ${c.checkpoint} signs a record hash the log does not hold for that seq`);
    const first = state.lastCheckpointIndex + 1;
    const range = state.signedRecords + 1 === state.seq ? `record seq ${state.seq} (line ${view.lineNo(i - 1)})` : `records seq ${state.signedRecords + 1} to ${state.seq} (lines ${view.lineNo(first)} to ${view.lineNo(i - 1)})`;
    return problem('changed', ln, undefined, `records were changed and the chain rebuilt: this checkpoint for seq ${c.checkpoint} is correctly signed, but ${range} no longer match it; at least one was changed, removed or inserted after signing`);
  }

  if (c.checkpoint > state.seq) {
    const expected = state.seq + 1;
    const later = findLater(i, view, (j) => view.record(j)?.seq === expected);
    if (later >= 0) return problem('reordered', ln, undefined, `lines are out of order: this checkpoint for seq ${c.checkpoint} comes before record seq ${expected} (line ${view.lineNo(later)})`);
    const gap = c.checkpoint === expected ? `record seq ${expected} was removed` : `records seq ${expected} to ${c.checkpoint} were removed`;
    return problem('removed', ln, expected, `${gap}: missing before this checkpoint, which signs seq ${c.checkpoint}`, false);
  }

  // Behind: it signs a record further up, so the lines after that record are extra.
  const signedAt = findEarlier(i, (j) => {
    const rj = view.record(j);
    return rj !== undefined && rj.seq === c.checkpoint && rj.hash === c.hash;
  });
  if (signedAt >= 0 && signedAt + 1 < i) {
    const first = signedAt + 1;
    const what = view.record(first) ? 'record' : 'line';
    return problem('inserted', view.lineNo(first), view.record(first)?.seq, `${what} was inserted: the checkpoint at line ${ln} signs seq ${c.checkpoint} at line ${view.lineNo(signedAt)}, so ${extra(view, first, i - 1)} not part of the chain`);
  }
  return problem('reordered', ln, undefined, `lines are out of order: this checkpoint for seq ${c.checkpoint} comes after seq ${state.seq}`);
}
