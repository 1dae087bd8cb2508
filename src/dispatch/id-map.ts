// A map from request id (uint32) to a value, for the tables that gain and
// lose a key with every request: a line's requests in flight, and the open
// requests the statistics and the status model follow. A Map there rebuilds
// its table every few requests (deleted entries fill it up), each table
// outlived V8's young generation because the Map holding it is old, and
// those tables were most of what the router promoted to the old generation
// under full load (README, "The router's cost per request"). This one grows
// to the most ids it ever held at once and allocates nothing per set or
// delete (`values()` returns a copy, for the rare paths): slots in
// fixed arrays, an id index over them (id-index.ts), and a list through the
// slots that keeps insertion order, as a Map's iteration does. Pure.
import { IdIndex } from './id-index.js';

const NONE = -1;
const FIRST_CAPACITY = 4;

export class IdMap<V> {
  private ids: Float64Array;
  private values_: (V | undefined)[];
  /** Insertion order: the slot after and before each used slot, NONE at the ends. */
  private after: Int32Array;
  private before: Int32Array;
  /** Unused slots, as a stack. */
  private free: Int32Array;
  private freeCount: number;
  private index: IdIndex;
  private first = NONE;
  private last = NONE;
  private count = 0;

  constructor(capacity = FIRST_CAPACITY) {
    this.ids = new Float64Array(0);
    this.values_ = [];
    this.after = new Int32Array(0);
    this.before = new Int32Array(0);
    this.free = new Int32Array(0);
    this.freeCount = 0;
    this.index = this.grow(Math.max(1, capacity));
  }

  get size(): number {
    return this.count;
  }

  get(id: number): V | undefined {
    const slot = this.index.find(id);
    return slot < 0 ? undefined : this.values_[slot];
  }

  has(id: number): boolean {
    return this.index.find(id) >= 0;
  }

  /** Sets the value under `id`; a new id goes last in the order, a known one keeps its place (as Map.set). */
  set(id: number, value: V): this {
    const known = this.index.find(id);
    if (known >= 0) {
      this.values_[known] = value;
      return this;
    }
    if (this.freeCount === 0) this.index = this.grow(this.ids.length * 2);
    const slot = this.free[--this.freeCount]!;
    this.ids[slot] = id;
    this.values_[slot] = value;
    this.after[slot] = NONE;
    this.before[slot] = this.last;
    if (this.last === NONE) this.first = slot;
    else this.after[this.last] = slot;
    this.last = slot;
    this.index.insert(id, slot);
    this.count++;
    return this;
  }

  delete(id: number): boolean {
    const slot = this.index.find(id);
    if (slot < 0) return false;
    this.remove(id, slot);
    return true;
  }

  /** Removes `id` and returns its value (undefined when absent): get and delete in one lookup. */
  take(id: number): V | undefined {
    const slot = this.index.find(id);
    if (slot < 0) return undefined;
    const value = this.values_[slot];
    this.remove(id, slot);
    return value;
  }

  clear(): void {
    while (this.first !== NONE) this.remove(this.ids[this.first]!, this.first);
  }

  /** The values in insertion order (a copy: the map may change while the caller goes through them). */
  values(): V[] {
    const out: V[] = [];
    for (let slot = this.first; slot !== NONE; slot = this.after[slot]!) out.push(this.values_[slot]!);
    return out;
  }

  /** How many ids it can hold before it grows again: the most it has held, rounded up to a power of two. */
  get capacity(): number {
    return this.ids.length;
  }

  private remove(id: number, slot: number): void {
    this.index.remove(id);
    const a = this.after[slot]!;
    const b = this.before[slot]!;
    if (b === NONE) this.first = a;
    else this.after[b] = a;
    if (a === NONE) this.last = b;
    else this.before[a] = b;
    this.ids[slot] = NONE;
    this.values_[slot] = undefined;
    this.free[this.freeCount++] = slot;
    this.count--;
  }

  /** Moves everything into arrays of `capacity` slots; returns the new index (slots keep their numbers). */
  private grow(capacity: number): IdIndex {
    const old = this.ids.length;
    const ids = new Float64Array(capacity).fill(NONE);
    ids.set(this.ids);
    const after = new Int32Array(capacity);
    after.set(this.after);
    const before = new Int32Array(capacity);
    before.set(this.before);
    const free = new Int32Array(capacity);
    free.set(this.free.subarray(0, this.freeCount));
    // New slots are taken lowest first.
    for (let slot = capacity - 1; slot >= old; slot--) free[this.freeCount++] = slot;
    this.ids = ids;
    this.after = after;
    this.before = before;
    this.free = free;
    this.values_.length = capacity;
    const index = new IdIndex(capacity, (slot) => this.ids[slot]!);
    for (let slot = this.first; slot !== NONE; slot = this.after[slot]!) index.insert(this.ids[slot]!, slot);
    return index;
  }
}
