// The ops the reference data server serves (PROTOCOL.md 5). Only `echo` for
// now; the cryptographic ops come with the key stores.
import type { ErrorInfo, RawBody } from '../wire/messages.js';
import { NULL_BODY } from '../wire/messages.js';

export type OpResult = { readonly ok: true; readonly body: RawBody } | { readonly ok: false; readonly err: ErrorInfo };
export type OpHandler = (body: RawBody | undefined) => OpResult;

export const REFERENCE_OPS: ReadonlyMap<string, OpHandler> = new Map([
  // The body comes back as the same bytes it arrived as.
  ['echo', (body) => ({ ok: true, body: body ?? NULL_BODY })],
]);
