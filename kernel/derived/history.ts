// History of derived records for /api/history and /api/stats: one premium sample per key per sample interval
// (the first record of each), and the closed candles. Kept in memory (here) or in Redis (history-redis.ts).

import type { CandleRecord, DerivedRecord, PremiumRecord } from './types.ts';

export interface HistoryQuery {
  /** derived stream keys to read, merged oldest first */
  keys: string[];
  from: number;
  to: number;
  /** the newest `limit` records within [from, to] */
  limit: number;
}

export interface HistoryBackend {
  addPremium(key: string, r: PremiumRecord): void;
  addCandle(key: string, r: CandleRecord): void;
  query(q: HistoryQuery): Promise<DerivedRecord[]>;
  health(): Record<string, unknown>;
  close(): Promise<void>;
}

export interface Retention {
  premiumMs: number;
  candles: number;
}

/** Merges per-key lists (each oldest first) and keeps the newest `limit`, oldest first. */
export function mergeNewest(lists: DerivedRecord[][], limit: number): DerivedRecord[] {
  const all = lists.length === 1 ? lists[0]! : lists.flat().sort((a, b) => a.tms - b.tms);
  return all.length > limit ? all.slice(all.length - limit) : all;
}

/** index of the first element with tms ≥ t in a list sorted by tms */
function lowerBound(list: { tms: number }[], t: number, from = 0): number {
  let lo = from;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid]!.tms < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** per key, records oldest first; old ones dropped from the front (in chunks, so trimming stays cheap) */
class Series {
  records: DerivedRecord[] = [];
  head = 0;

  push(r: DerivedRecord): void {
    const last = this.records[this.records.length - 1];
    if (last && r.tms < last.tms) return; // out of order (a new leader's first records): skip
    if (last && r.tms === last.tms && r.ty === 'candle') this.records[this.records.length - 1] = r;
    else this.records.push(r);
  }

  dropBefore(t: number): void {
    this.head = lowerBound(this.records, t, this.head);
    this.compact();
  }

  keepLast(n: number): void {
    this.head = Math.max(this.head, this.records.length - n);
    this.compact();
  }

  private compact(): void {
    if (this.head > 1024 && this.head * 2 > this.records.length) {
      this.records = this.records.slice(this.head);
      this.head = 0;
    }
  }

  range(from: number, to: number): DerivedRecord[] {
    const a = Math.max(this.head, lowerBound(this.records, from, this.head));
    const b = lowerBound(this.records, to + 1, a);
    return this.records.slice(a, b);
  }

  get size(): number {
    return this.records.length - this.head;
  }
}

export class MemoryHistory implements HistoryBackend {
  private readonly series = new Map<string, Series>();

  constructor(
    private readonly retention: Retention,
    private readonly now: () => number = Date.now,
  ) {}

  private of(key: string): Series {
    let s = this.series.get(key);
    if (!s) this.series.set(key, (s = new Series()));
    return s;
  }

  addPremium(key: string, r: PremiumRecord): void {
    const s = this.of(key);
    s.push(r);
    s.dropBefore(this.now() - this.retention.premiumMs);
  }

  addCandle(key: string, r: CandleRecord): void {
    const s = this.of(key);
    s.push(r);
    s.keepLast(this.retention.candles);
  }

  async query(q: HistoryQuery): Promise<DerivedRecord[]> {
    const lists = q.keys.map((k) => this.series.get(k)?.range(q.from, q.to) ?? []);
    return mergeNewest(lists, q.limit);
  }

  health(): Record<string, unknown> {
    let records = 0;
    for (const s of this.series.values()) records += s.size;
    return { store: 'memory', healthy: true, keys: this.series.size, records };
  }

  async close(): Promise<void> {}
}
