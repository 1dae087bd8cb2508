// Where a line's answer cache keeps its bytes: copied into slabs of its own,
// never kept as views of what they arrived in. Small buffers are slices of
// Node's shared 8 KB pool (or of a 64 KB read), and a kept slice keeps its
// whole slab alive: the answer caches of 32 lines under full load once held
// 12.6 MB of pool slabs for well under 1 MB of bodies.
//
// A slab is used again once no entry is in it, not let go: an entry
// outlives V8's young generation, so a slab let go is old garbage that waits
// for a full collection, and under full load 32 lines filled ~120 slabs a
// second (2 MB/s), which the process's resident memory kept (README, "The
// router's cost per request"). A line keeps as many slabs as its 256
// entries' bytes ever filled at once, plus one, for the line's life: a few
// for bodies of a few hundred bytes. Entries larger than a slab get one of
// their own, which is let go.
const SLAB_BYTES = 16 * 1024;

export class CacheSlabs {
  private readonly slabs: Buffer[] = [];
  /** Entries in each slab; a slab with none, other than the one being filled, is in `spare`. */
  private readonly entries: number[] = [];
  private readonly spare: number[] = [];
  /** Slabs in `spare` (a stack whose array never shrinks: pop() would have V8 shrink and regrow it). */
  private spares = 0;
  /** Slots whose oversized slab was let go, to be used again by number. */
  private readonly vacant: number[] = [];
  private current = -1;
  private used = 0;

  /** How many slabs exist, in use or spare: a figure for tests and the bench. */
  get count(): number {
    return this.slabs.length - this.vacant.length;
  }

  /** Copies `a` then `b` (either may be absent) into a slab no other part of the process holds; returns where they start in `lastSlab`. */
  place(a: Uint8Array | undefined, b: Uint8Array | undefined): number {
    const n = (a?.length ?? 0) + (b?.length ?? 0);
    if (this.current < 0 || this.used + n > this.slabs[this.current]!.length) this.startSlab(n);
    const slab = this.slabs[this.current]!;
    const at = this.used;
    if (a) slab.set(a, at);
    if (b) slab.set(b, at + (a?.length ?? 0));
    this.used += n;
    this.entries[this.current]!++;
    return at;
  }

  /** The slab the last place() wrote into. */
  get lastSlab(): number {
    return this.current;
  }

  bytes(slab: number): Buffer {
    return this.slabs[slab]!;
  }

  /** One entry in `slab` is gone; the slab is used again when it has none left. */
  release(slab: number): void {
    if (--this.entries[slab]! === 0 && slab !== this.current) this.letGo(slab);
  }

  private startSlab(n: number): void {
    const previous = this.current;
    this.current = n <= SLAB_BYTES && this.spares > 0 ? this.spare[--this.spares]! : this.newSlab(n);
    this.used = 0;
    if (previous >= 0 && this.entries[previous] === 0) this.letGo(previous);
  }

  private newSlab(n: number): number {
    const slab = Buffer.allocUnsafeSlow(Math.max(SLAB_BYTES, n));
    const i = this.vacant.length > 0 ? this.vacant.pop()! : this.slabs.length;
    this.slabs[i] = slab;
    this.entries[i] = 0;
    return i;
  }

  /** A slab of the usual size is kept for later; a larger one (request and answer over SLAB_BYTES) is let go. */
  private letGo(slab: number): void {
    if (this.slabs[slab]!.length === SLAB_BYTES) {
      this.spare[this.spares++] = slab;
    } else {
      this.slabs[slab] = EMPTY;
      this.vacant.push(slab);
    }
  }
}

const EMPTY = Buffer.alloc(0);
