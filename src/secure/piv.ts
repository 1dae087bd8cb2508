// The Partial IV (PROTOCOL.md 3, RFC 8613 sections 6.1 and 7.2.1): the
// sender's sequence number as a byte string, big-endian with no leading zero
// bytes, and 0 as h'00'. RFC 8613 6.1 gives it at most 5 bytes, so the
// sequence number never goes above 2^40 - 1.

/** The largest sequence number a context may use (RFC 8613 7.2.1). */
export const MAX_PIV = 2 ** 40 - 1;
/** RFC 8613 6.1: the Partial IV is 0 to 5 bytes long (here 1 to 5: it is always sent). */
export const MAX_PIV_BYTES = 5;

/** Shortest big-endian form of `n` (0 -> h'00'). Throws a RangeError outside 0..2^40-1. */
export function encodePiv(n: number): Buffer {
  if (!Number.isSafeInteger(n) || n < 0 || n > MAX_PIV) throw new RangeError(`Partial IV ${n} is not an integer in 0..2^40-1`);
  const bytes: number[] = [];
  let rest = n;
  do {
    bytes.unshift(rest % 256);
    rest = Math.floor(rest / 256);
  } while (rest > 0);
  return Buffer.from(bytes);
}

/**
 * The sequence number in a received Partial IV, or undefined when the bytes
 * are not a Partial IV this protocol sends: empty, longer than 5 bytes, or
 * with a leading zero byte (not the shortest form). Accepting a second
 * spelling of the same number would only let a non-conforming peer through:
 * the AAD covers the bytes, so it could never decrypt anyway.
 */
export function decodePiv(bytes: Uint8Array): number | undefined {
  if (bytes.length === 0 || bytes.length > MAX_PIV_BYTES) return undefined;
  if (bytes.length > 1 && bytes[0] === 0) return undefined;
  let n = 0;
  for (const b of bytes) n = n * 256 + b;
  return n;
}
