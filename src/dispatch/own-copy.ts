// Bytes a line keeps for minutes (its answer cache: PROTOCOL.md 2.1 rule 2),
// copied into an allocation of their own. Small buffers are slices of Node's
// shared 8 KB pool, and a kept slice keeps its whole slab alive: the answer
// caches of 32 lines under full load held 12.6 MB of slabs for well under
// 1 MB of fingerprints and bodies (README, "The router's cost per request").
export function ownCopy<T extends Uint8Array>(bytes: T): Buffer {
  const copy = Buffer.allocUnsafeSlow(bytes.length);
  copy.set(bytes);
  return copy;
}
