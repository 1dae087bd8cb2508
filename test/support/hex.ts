// Hex for tests: expected bytes are typed as hex from specs and vectors.

/** Bytes from hex; spaces and newlines are ignored. */
export function hex(s: string): Buffer {
  const clean = s.replace(/\s+/g, '');
  if (!/^([0-9a-fA-F]{2})*$/.test(clean)) throw new Error(`bad hex in test: ${s}`);
  return Buffer.from(clean, 'hex');
}

export function toHex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}
