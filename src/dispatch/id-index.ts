// Where each id sits in a line's answer cache: an open-addressing hash table
// (linear probing, deletion by backward shift) over fixed typed arrays. A
// Map that loses one key and gains another for every answer rebuilds its
// table every few hundred answers, and at full load those tables lived long
// enough to be promoted: nearly half of what the router promoted to the old
// generation (README, "The router's cost per request"). This never allocates
// after construction. Pure: plain values.

const EMPTY = -1;

export class IdIndex {
  /** Per bucket: the slot of the id hashed near it, or EMPTY. */
  private readonly buckets: Int32Array;
  private readonly mask: number;
  private readonly bits: number;

  /**
   * `slots`: how many ids it holds at most; `idAt(slot)`: the id a slot holds
   * now (the caller's own storage: the index keeps slots, never ids).
   */
  constructor(
    slots: number,
    private readonly idAt: (slot: number) => number,
  ) {
    // At most half full, so probes stay short.
    this.bits = Math.max(2, Math.ceil(Math.log2(slots * 2)));
    this.buckets = new Int32Array(1 << this.bits).fill(EMPTY);
    this.mask = (1 << this.bits) - 1;
  }

  /** The slot holding `id`; -1 when none does. */
  find(id: number): number {
    for (let b = this.home(id); ; b = (b + 1) & this.mask) {
      const slot = this.buckets[b]!;
      if (slot === EMPTY) return -1;
      if (this.idAt(slot) === id) return slot;
    }
  }

  /** Records that `slot` holds `id` (which no slot holds yet: the caller removes it first). */
  insert(id: number, slot: number): void {
    let b = this.home(id);
    while (this.buckets[b] !== EMPTY) b = (b + 1) & this.mask;
    this.buckets[b] = slot;
  }

  /** Forgets `id`, which the slot still holds while this runs. */
  remove(id: number): void {
    let b = this.home(id);
    for (;;) {
      const slot = this.buckets[b]!;
      if (slot === EMPTY) return;
      if (this.idAt(slot) === id) break;
      b = (b + 1) & this.mask;
    }
    // Backward shift: pull later entries of the probe run into the hole, so no tombstones are left.
    let hole = b;
    for (let next = (hole + 1) & this.mask; ; next = (next + 1) & this.mask) {
      const slot = this.buckets[next]!;
      if (slot === EMPTY) break;
      const home = this.home(this.idAt(slot));
      // The entry at `next` may move to `hole` unless its home lies cyclically in (hole, next].
      const stays = hole <= next ? home > hole && home <= next : home > hole || home <= next;
      if (stays) continue;
      this.buckets[hole] = slot;
      hole = next;
    }
    this.buckets[hole] = EMPTY;
  }

  clear(): void {
    this.buckets.fill(EMPTY);
  }

  private home(id: number): number {
    return Math.imul(id, 0x9e3779b1) >>> (32 - this.bits);
  }
}
