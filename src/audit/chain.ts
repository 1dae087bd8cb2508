// The straight pass over an audit log: each line is checked on its own
// (parse-line.ts), then against the lines accepted before it; the first line
// that does not fit ends the pass with a problem (diagnose.ts names it).
import type { KeyObject } from 'node:crypto';
import type { ChainState } from './chain-state.js';
import { checkpointSignatureValid } from './checkpoint.js';
import { diagnoseCheckpoint, diagnoseRecord } from './diagnose.js';
import type { LogView } from './log-view.js';
import { problem, type AuditProblem } from './problem.js';

/** Checks every line of `view` from `state` on, updating `state`; returns the first problem. */
export function checkLines(view: LogView, publicKey: KeyObject, keyId: string, state: ChainState): AuditProblem | undefined {
  for (let i = 0; i < view.length; i++) {
    const ln = view.lineNo(i);
    if (view.truncated && i === view.length - 1) {
      return problem('malformed', ln, undefined, 'the last line is incomplete: the log ends in the middle of a line (a crash while it was written, or the file was cut short); every line before it checks out');
    }
    const p = view.parsed(i);
    switch (p.kind) {
      case 'malformed':
        return problem('malformed', ln, undefined, `not an audit log line: ${p.why}`);
      case 'stale-hash': {
        const due = p.seq === undefined || p.seq === state.seq + 1 ? '' : ` (seq ${state.seq + 1} was due here)`;
        return problem('changed', ln, p.seq, `record was changed: its hash does not match its content${due}`);
      }
      case 'bad-record':
        return problem('malformed', ln, p.seq, `record is malformed: ${p.why}`);
      case 'record': {
        const r = p.record;
        if (r.seq !== state.seq + 1 || r.prev !== state.prevLine) return diagnoseRecord(view, i, r, state);
        state.seq = r.seq;
        state.recordHash = r.hash;
        state.prevLine = view.hash(i);
        state.records++;
        state.lastKind = 'record';
        if (state.firstUnsignedIndex < 0) state.firstUnsignedIndex = i;
        break;
      }
      case 'checkpoint': {
        if (!checkpointSignatureValid(p.signed, p.sig, publicKey)) {
          const named = p.keyIdAsWritten;
          const why =
            named !== undefined && named !== keyId
              ? `it names key ${named}, the public key given is ${keyId} (the wrong public key, or the checkpoint was changed)`
              : 'the checkpoint was changed or forged';
          return problem('bad-checkpoint', ln, undefined, `checkpoint signature does not verify: ${why}`);
        }
        const c = p.checkpoint;
        if (!c) return problem('malformed', ln, undefined, `checkpoint is malformed (though correctly signed): ${p.why ?? 'unknown'}`);
        if (c.keyId !== keyId) return problem('bad-checkpoint', ln, undefined, `checkpoint is signed by the key given (${keyId}) but names key ${c.keyId}`);
        const repeat = state.lastKind === 'checkpoint' && view.line(i) === view.line(state.lastCheckpointIndex);
        if (c.checkpoint !== state.seq || c.hash !== state.recordHash || repeat) return diagnoseCheckpoint(view, i, c, state);
        if (c.count !== state.records) return problem('bad-checkpoint', ln, undefined, `checkpoint for seq ${c.checkpoint} counts ${c.count} records, the log has ${state.records} up to here`);
        state.prevLine = view.hash(i);
        state.checkpoints++;
        state.signedRecords = state.records;
        state.lastKind = 'checkpoint';
        state.lastCheckpointIndex = i;
        state.firstUnsignedIndex = -1;
        break;
      }
    }
    // Earlier lines are parsed again only if a later break needs them.
    view.release(i);
  }
  return undefined;
}
