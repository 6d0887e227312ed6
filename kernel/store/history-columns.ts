// The resume history's entry metadata without an object per entry: typed-array columns indexed by arrival number
// (a ring that doubles when full), and each key's entries as a ring of arrival numbers.

/** per entry: chunk 4 + offset 4 + length 4 + arrival 8 + key 4 + alive 1 bytes (ep and sq are read from the record
 * when a resume needs them, rarely: not kept) */
export const COLUMN_BYTES = 25;

export class EntryColumns {
  cap: number;
  chunk: Uint32Array;
  offset: Uint32Array;
  length: Uint32Array;
  at: Float64Array;
  key: Int32Array;
  /** 1 while the entry is in its key's ring (0: dropped by count, or its key dropped) */
  alive: Uint8Array;

  constructor(cap = 1024) {
    this.cap = cap;
    this.chunk = new Uint32Array(cap);
    this.offset = new Uint32Array(cap);
    this.length = new Uint32Array(cap);
    this.at = new Float64Array(cap);
    this.key = new Int32Array(cap);
    this.alive = new Uint8Array(cap);
  }

  /** the slot of arrival number g (g may exceed 2^32: no bit operations) */
  slot(g: number): number {
    return g % this.cap;
  }

  /** doubles the capacity, keeping the entries numbered [from, to) */
  grow(from: number, to: number): void {
    const next = new EntryColumns(this.cap * 2);
    const oc = this.cap;
    const nc = next.cap;
    for (let g = from; g < to; ) {
      const o = g % oc;
      const n = g % nc;
      const len = Math.min(to - g, oc - o, nc - n);
      next.chunk.set(this.chunk.subarray(o, o + len), n);
      next.offset.set(this.offset.subarray(o, o + len), n);
      next.length.set(this.length.subarray(o, o + len), n);
      next.at.set(this.at.subarray(o, o + len), n);
      next.key.set(this.key.subarray(o, o + len), n);
      next.alive.set(this.alive.subarray(o, o + len), n);
      g += len;
    }
    Object.assign(this, next);
  }
}

/** one key's entries, oldest first, as arrival numbers; grows by doubling up to `limit` */
export class KeyRing {
  private gs: Float64Array;
  private head = 0;
  size = 0;

  constructor(
    readonly id: number,
    private readonly limit: number,
  ) {
    this.gs = new Float64Array(Math.min(8, Math.max(1, limit)));
  }

  get full(): boolean {
    return this.size >= this.limit;
  }

  /** the i-th oldest entry's arrival number */
  at(i: number): number {
    return this.gs[(this.head + i) % this.gs.length]!;
  }

  newest(): number | undefined {
    return this.size ? this.at(this.size - 1) : undefined;
  }

  push(g: number): void {
    if (this.size === this.gs.length) {
      const next = new Float64Array(Math.min(this.gs.length * 2, Math.max(this.limit, this.gs.length + 1)));
      for (let i = 0; i < this.size; i++) next[i] = this.at(i);
      this.gs = next;
      this.head = 0;
    }
    this.gs[(this.head + this.size++) % this.gs.length] = g;
  }

  /** removes and returns the oldest arrival number */
  shift(): number {
    const g = this.gs[this.head]!;
    this.head = (this.head + 1) % this.gs.length;
    this.size--;
    return g;
  }
}
