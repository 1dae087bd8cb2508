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
  private slab = Buffer.allocUnsafeSlow(0);
  private used = 0;

  /** One view holding `a` then `b` (either may be absent), in memory no other part of the process holds. */
  copy(a: Uint8Array | undefined, b: Uint8Array | undefined): Buffer {
    const n = (a?.length ?? 0) + (b?.length ?? 0);
    if (this.used + n > this.slab.length) {
      this.slab = Buffer.allocUnsafeSlow(Math.max(SLAB_BYTES, n));
      this.used = 0;
    }
    const view = this.slab.subarray(this.used, this.used + n);
    if (a) view.set(a, 0);
    if (b) view.set(b, a?.length ?? 0);
    this.used += n;
    return view;
  }
}
