// What an op of the reference data server is: a function from a request
// body (raw CBOR) to an answer, with what the audit trail records of it.
import type { ErrorInfo, RawBody } from '../../wire/messages.js';

/** For the audit trail: which card and which key an answer was about. Never key material. */
export interface AuditFacts {
  readonly csn?: Uint8Array;
  readonly keyId?: string;
}

export type OpResult =
  | { readonly ok: true; readonly body: RawBody; readonly audit?: AuditFacts }
  | { readonly ok: false; readonly err: ErrorInfo; readonly audit?: AuditFacts; /** For the server's log only: the station sees `err`. */ readonly detail?: string };

/** Who asked: `station` is `router/line` (2.2 rule 4), for audit. */
export interface OpContext {
  readonly op: string;
  readonly station: string;
}

export type OpHandler = (body: RawBody | undefined, context: OpContext) => OpResult | Promise<OpResult>;
