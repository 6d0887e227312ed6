// At most one record per key per minIntervalMs: the first change goes out at once, later ones wait for the tick.
// It knows (a lower bound of) when its first pending key is due, so the stage ticks only when something waits.

export class Throttle<K> {
  private readonly last = new Map<K, number>();
  private readonly pending = new Set<K>();
  /** no pending key is due before this (a lower bound: keys emitted since may have made it early) */
  private earliest = Infinity;

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
    if (at + this.minMs < this.earliest) this.earliest = at + this.minMs;
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
    let earliest = Infinity;
    for (const key of this.pending) {
      const at = (this.last.get(key) ?? 0) + this.minMs;
      if (now >= at) out.push(key);
      else if (at < earliest) earliest = at;
    }
    for (const key of out) this.emitted(key, now);
    this.earliest = earliest;
    return out;
  }

  /** when the first pending key may be due (never later than it is); undefined when none is pending */
  nextDue(): number | undefined {
    if (!this.pending.size) return undefined;
    return this.earliest;
  }

  isPending(key: K): boolean {
    return this.pending.has(key);
  }
}
