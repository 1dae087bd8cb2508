// Reads an op's request body (PROTOCOL.md 5) field by field; a missing or
// ill-typed field is answered `bad-request` naming the field.
import { Fields, FieldError } from '../../wire/fields.js';
import type { RawBody } from '../../wire/messages.js';
import type { OpResult } from './op.js';

export class BadRequest extends Error {}

export function bodyFields(body: RawBody | undefined): Fields {
  if (body === undefined) throw new BadRequest('the body is missing (a map is expected)');
  let fields: Fields | null;
  try {
    fields = Fields.of(body);
  } catch {
    fields = null;
  }
  if (!fields) throw new BadRequest('the body must be a map with text keys');
  return fields;
}

/** Runs an op body; a BadRequest or FieldError becomes `bad-request` with its reason. */
export async function guarded(run: () => Promise<OpResult>): Promise<OpResult> {
  try {
    return await run();
  } catch (e) {
    if (e instanceof BadRequest || e instanceof FieldError) return { ok: false, err: { code: 'bad-request', msg: e.message } };
    throw e;
  }
}
