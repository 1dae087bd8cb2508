// How big a station's request becomes on a server link, counted rather than
// encoded on the hot path: a request that fits its line but not the server
// links is refused at once (bad-request), never sent to fail there.
import type { RawBody } from '../wire/messages.js';

/**
 * Bytes of the `req` a server would get (sealing aside): map head,
 * `t: "req"`, `id` and `ttl` at their widest (5 bytes each), `op`, `body` as
 * sent, `station`.
 */
export function forwardedSize(op: string, body: RawBody | undefined, station: string): number {
  const fixed = 1 + (2 + 4) + (3 + 5) + (4 + 5) + 3 + 8;
  return fixed + cborTextSize(op) + cborTextSize(station) + (body === undefined ? 0 : 5 + body.length);
}

/** Encoded size of a CBOR text string: head (1, 2, 3 or 5 bytes) + UTF-8 bytes. */
function cborTextSize(text: string): number {
  const n = Buffer.byteLength(text, 'utf8');
  return n + (n < 24 ? 1 : n < 256 ? 2 : n < 65536 ? 3 : 5);
}
