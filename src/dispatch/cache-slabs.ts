// Where a line's answer cache keeps its bytes: copied into slabs of its own,
// never kept as views of what they arrived in. Small buffers are slices of
// Node's shared 8 KB pool (or of a 64 KB read), and a kept slice keeps its
// whole slab alive: the answer caches of 32 lines under full load once held
// 12.6 MB of pool slabs for well under 1 MB of bodies. A copy of its own per
// body costs an allocation and a few hundred bytes of bookkeeping each;
// slabs cost one per 16 KB. A line's entries leave its cache oldest first,
// so its slabs are let go in the order they were filled.
const SLAB_BYTES = 16 * 1024;

export class CacheSlabs {
  /** The slab the last place() wrote into. */
  current = Buffer.allocUnsafeSlow(0);
  private used = 0;

  /** Copies `a` then `b` (either may be absent) into `current`, in memory no other part of the process holds; returns where they start. */
  place(a: Uint8Array | undefined, b: Uint8Array | undefined): number {
    const n = (a?.length ?? 0) + (b?.length ?? 0);
    if (this.used + n > this.current.length) {
      this.current = Buffer.allocUnsafeSlow(Math.max(SLAB_BYTES, n));
      this.used = 0;
    }
    const at = this.used;
    if (a) this.current.set(a, at);
    if (b) this.current.set(b, at + (a?.length ?? 0));
    this.used += n;
    return at;
  }
}
