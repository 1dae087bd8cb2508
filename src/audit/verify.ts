// Checking an audit log (format.ts) with the server's public key: the chain,
// every checkpoint's signature and place, and what no signature covers yet.
import type { KeyObject } from 'node:crypto';
import { auditKeyId } from './audit-key.js';
import { genesisState, type ChainState } from './chain-state.js';
import { checkLines } from './chain.js';
import { LogView } from './log-view.js';
import { plural, problem, type AuditProblem } from './problem.js';

export type { AuditProblem, AuditProblemKind } from './problem.js';

export interface AuditLogIntact {
  readonly ok: true;
  readonly records: number;
  readonly checkpoints: number;
  /**
   * Records after the last checkpoint: the chain holds, but no signature
   * covers them, so they could have been cut off or rewritten without trace.
   * 0 for a log that was closed cleanly.
   */
  readonly unsignedTail: number;
}

export type AuditVerifyResult = AuditLogIntact | AuditProblem;

export interface VerifyOptions {
  /** Treat records after the last checkpoint as a problem ('unsigned-tail') rather than a warning. */
  readonly requireSigned?: boolean;
}

/** Checks a whole log; reports the first problem, by file line and seq. */
export function verifyAuditLog(text: string, publicKey: KeyObject, options: VerifyOptions = {}): AuditVerifyResult {
  const view = new LogView(text);
  const state = genesisState();
  const found = checkLines(view, publicKey, auditKeyId(publicKey), state);
  if (found) return found;
  const unsignedTail = state.records - state.signedRecords;
  if (options.requireSigned && unsignedTail > 0) {
    const first = state.firstUnsignedIndex;
    return problem(
      'unsigned-tail',
      view.lineNo(first),
      view.record(first)?.seq,
      `${plural(unsignedTail, 'record')} from here to the end ${unsignedTail === 1 ? 'is' : 'are'} not covered by a checkpoint: the chain holds, but ${unsignedTail === 1 ? 'it' : 'they'} could have been cut off or rewritten without trace (a log closed cleanly ends with a checkpoint)`,
    );
  }
  return { ok: true, records: state.records, checkpoints: state.checkpoints, unsignedTail };
}

/**
 * Checks the end of a log, from its last checkpoint (`fromStart` false: the
 * text starts with that checkpoint's line) or from the start, and returns
 * where the chain stands, for a writer to continue it. Line numbers in a
 * problem are relative to the text; verify the whole file to report one.
 */
export function checkAuditTail(text: string, fromStart: boolean, publicKey: KeyObject): { ok: true; state: ChainState } | AuditProblem {
  const view = new LogView(text);
  const state = genesisState();
  if (!fromStart) {
    // Start as if the records the checkpoint signs had just been read; its signature is checked as its line is.
    const first = view.parsed(0);
    const c = first.kind === 'checkpoint' ? first.checkpoint : undefined;
    if (!c) return problem('malformed', 1, undefined, 'the tail does not start with a checkpoint');
    Object.assign(state, { seq: c.checkpoint, recordHash: c.hash, records: c.count, signedRecords: c.count, lastKind: 'record' });
  }
  const found = checkLines(view, publicKey, auditKeyId(publicKey), state);
  return found ?? { ok: true, state };
}
