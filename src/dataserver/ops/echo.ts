// `echo` (PROTOCOL.md 5): the body comes back as the same bytes it arrived as.
import { NULL_BODY } from '../../wire/messages.js';
import type { OpHandler } from './op.js';

export const echo: OpHandler = (body) => ({ ok: true, body: body ?? NULL_BODY });

/** The ops every reference data server serves, key store or not. */
export const REFERENCE_OPS: ReadonlyMap<string, OpHandler> = new Map([['echo', echo]]);
