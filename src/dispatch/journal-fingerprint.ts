// What the request journal (src/journal/) keeps of a station request (PROTOCOL.md 6, reading 12):
// its line, its id, its op and a hash of its body. Never the body, never an
// answer (answers carry keys and never reach the router's disk).
import { createHash } from 'node:crypto';

/** Bytes of SHA-256 kept: 128 bits tell bodies of one line, id and op apart. */
export const BODY_HASH_BYTES = 16;

export interface JournalFingerprint {
  readonly line: string;
  readonly id: number;
  readonly op: string;
  readonly bodyHash: Buffer;
}

/**
 * The fingerprint of a request as the station sent it. `body` is the raw CBOR
 * of the body; a request without one is not the same as one with an empty
 * body (as in dispatch/request.ts).
 */
export function journalFingerprint(line: string, id: number, op: string, body: Uint8Array | undefined): JournalFingerprint {
  const h = createHash('sha256');
  h.update(body === undefined ? Buffer.of(0) : Buffer.of(1));
  if (body !== undefined) h.update(body);
  return { line, id, op, bodyHash: h.digest().subarray(0, BODY_HASH_BYTES) };
}

/** One string per fingerprint, for maps. NUL cannot occur in a line name or an id. */
export function fingerprintKey(fp: JournalFingerprint): string {
  return `${fp.line}\u0000${fp.id}\u0000${fp.bodyHash.toString('hex')}\u0000${fp.op}`;
}
