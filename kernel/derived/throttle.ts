// At most one record per key per minIntervalMs: the first change goes out at once, later ones wait for the tick.

export class Throttle<K> {
  private readonly last = new Map<K, number>();
  private readonly pending = new Set<K>();

  constructor(private readonly minMs: number) {}

  /** true when `key` may emit now (and is marked as having emitted); otherwise it is kept pending */
  request(key: K, now: number): boolean {
    const at = this.last.get(key);
    if (at === undefined || now - at >= this.minMs) {
      this.last.set(key, now);
      this.pending.delete(key);
      return true;
    }
    this.pending.add(key);
    return false;
  }

  /** marks an emission made regardless of the throttle (a closing candle) */
  emitted(key: K, now: number): void {
    this.last.set(key, now);
    this.pending.delete(key);
  }

  /** pending keys whose interval has passed; they are marked as emitted */
  due(now: number): K[] {
    const out: K[] = [];
    for (const key of this.pending) {
      if (now - (this.last.get(key) ?? 0) >= this.minMs) out.push(key);
    }
    for (const key of out) this.emitted(key, now);
    return out;
  }

  isPending(key: K): boolean {
    return this.pending.has(key);
  }
}
