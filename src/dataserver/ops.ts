// The ops the reference data server serves (PROTOCOL.md 5). Only `echo` for
// now; the cryptographic ops come with the key stores.
import type { ErrorInfo, RawBody } from '../wire/messages.js';
import { NULL_BODY } from '../wire/messages.js';

export type OpResult = { readonly ok: true; readonly body: RawBody } | { readonly ok: false; readonly err: ErrorInfo };
/** Who asked: `station` is `router/line` (2.2 rule 4), for audit. */
export interface OpContext {
  readonly op: string;
  readonly station: string;
}
export type OpHandler = (body: RawBody | undefined, context: OpContext) => OpResult;

export const REFERENCE_OPS: ReadonlyMap<string, OpHandler> = new Map([
  // The body comes back as the same bytes it arrived as.
  ['echo', (body) => ({ ok: true, body: body ?? NULL_BODY })],
]);
