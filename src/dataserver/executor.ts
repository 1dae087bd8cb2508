// Op execution behind the audit gate: runs a request's op handler, turns
// anything it throws into the one answer the router is owed, counts
// executions by op (the operator's record of work done, logged when the
// server stops), and writes one audit record per answered op. A server that
// can no longer write its audit trail withholds every answer from then on
// (UNAUDITED): it must not hand out keys nobody can account for.
//
//   auditing --append throws--> broken (until restart; onAuditFailed once)
import type { Logger } from '../log/logger.js';
import type { Work } from '../links/accepted-link.js';
import { KeyUnavailableError } from './crypto/key-store.js';
import type { OpHandler, OpResult } from './ops/op.js';

/** One record per answered op: who asked, what, about which card and key, and how it ended. Never key material. */
export interface AuditEntry {
  station: string;
  op: string;
  csn?: Uint8Array;
  keyId?: string;
  outcome: string;
}

export interface AuditSink {
  append(entry: AuditEntry): void;
}

/** The answer of a server that cannot write its audit trail. */
export const UNAUDITED = {
  ok: false,
  err: { code: 'key-unavailable', msg: 'the audit trail cannot be written: nothing is answered that it cannot record' },
} as const satisfies OpResult;

export interface OpExecutorOptions {
  readonly ops: ReadonlyMap<string, OpHandler>;
  /** Where each answered op is recorded; none: nothing is recorded and nothing withheld. */
  readonly audit?: AuditSink;
  readonly log: Logger;
  /** An op answered `key-unavailable`: `why` is for the server's log only. */
  readonly onKeyUnavailable: (why: string) => void;
  /** The audit trail just failed (called once): the owner stops taking work. */
  readonly onAuditFailed: () => void;
}

export class OpExecutor {
  private readonly counts = new Map<string, number>();
  private auditBroken = false;

  constructor(private readonly options: OpExecutorOptions) {}

  /** Requests executed, by op: a retransmission the router answered from its cache never shows here. */
  get executions(): ReadonlyMap<string, number> {
    return this.counts;
  }

  /** False once the audit trail failed: the server must take no more work. */
  get auditing(): boolean {
    return !this.auditBroken;
  }

  opNames(): string[] {
    return [...this.options.ops.keys()];
  }

  async execute(work: Work): Promise<OpResult> {
    const { log } = this.options;
    const handler = this.options.ops.get(work.op);
    log.debug('dataserver.execute', { op: work.op, id: work.id, station: work.station });
    let result: OpResult;
    if (!handler) {
      result = { ok: false, err: { code: 'unknown-op', msg: `op '${work.op}' is not served here` } };
    } else {
      this.counts.set(work.op, (this.counts.get(work.op) ?? 0) + 1);
      try {
        result = await handler(work.body, { op: work.op, station: work.station });
      } catch (e) {
        // An op that fails unexpectedly still answers: the router is owed exactly one res.
        log.error('dataserver.op-failed', { op: work.op, error: e instanceof KeyUnavailableError ? e.message : (e as Error).name });
        result = { ok: false, err: { code: e instanceof KeyUnavailableError ? 'key-unavailable' : 'internal', msg: `op '${work.op}' failed` } };
      }
    }
    if (!result.ok && result.err.code === 'key-unavailable') this.options.onKeyUnavailable(result.detail ?? result.err.msg);
    return this.record(work, result);
  }

  /** The audit gate: the answer goes out only once its record is written. */
  private record(work: Work, result: OpResult): OpResult {
    const { audit } = this.options;
    if (!audit) return result;
    if (this.auditBroken) return UNAUDITED;
    try {
      audit.append({
        station: work.station,
        op: work.op,
        ...(result.audit?.csn ? { csn: result.audit.csn } : {}),
        ...(result.audit?.keyId ? { keyId: result.audit.keyId } : {}),
        outcome: result.ok ? 'ok' : result.err.code,
      });
      return result;
    } catch (e) {
      this.auditBroken = true;
      this.options.log.error('dataserver.audit-failed', { why: (e as Error).message, slots: 0 });
      this.options.onAuditFailed();
      return UNAUDITED;
    }
  }
}
