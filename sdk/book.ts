// A full price-level order book for exchanges that send diffs (Binance @depth, Bithumb legacy orderbookdepth, ...).
// Plugins keep one per market, usually through a BookSync (sdk/book-sync.ts), and read the top N levels from it.

import { exactSum } from './decimal-sum.ts';
import type { BookUnit } from './model.ts';

/** One side: prices kept sorted best-first, sizes beside them. */
class BookSide {
  readonly prices: number[] = [];
  readonly sizes: number[] = [];
  /** asks ascend (best = lowest), bids descend (best = highest) */
  constructor(private readonly ascending: boolean) {}

  /** index of `price`, or -(insertion point) - 1 */
  private find(price: number): number {
    const p = this.prices;
    let lo = 0;
    let hi = p.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const v = p[mid]!;
      if (v === price) return mid;
      if (this.ascending ? v < price : v > price) lo = mid + 1;
      else hi = mid - 1;
    }
    return -lo - 1;
  }

  /** set a level's size; size 0 removes the level */
  set(price: number, size: number): void {
    const i = this.find(price);
    if (i >= 0) {
      if (size === 0) {
        this.prices.splice(i, 1);
        this.sizes.splice(i, 1);
      } else this.sizes[i] = size;
    } else if (size !== 0) {
      const at = -i - 1;
      this.prices.splice(at, 0, price);
      this.sizes.splice(at, 0, size);
    }
  }

  clear(): void {
    this.prices.length = 0;
    this.sizes.length = 0;
  }

  /** keeps the best `n` levels */
  truncate(n: number): void {
    if (this.prices.length > n) {
      this.prices.length = n;
      this.sizes.length = n;
    }
  }

  get length(): number {
    return this.prices.length;
  }
}

export class DepthBook {
  readonly asks = new BookSide(true);
  readonly bids = new BookSide(false);

  clear(): void {
    this.asks.clear();
    this.bids.clear();
  }

  /**
   * Keeps the best `n` levels of each side: for exchanges that send no removal for levels falling out of the
   * subscribed depth (Kraken, OKX books5 ...).
   */
  truncate(n: number): void {
    this.asks.truncate(n);
    this.bids.truncate(n);
  }

  setAsk(price: number, size: number): void {
    this.asks.set(price, size);
  }

  setBid(price: number, size: number): void {
    this.bids.set(price, size);
  }

  /** true when the best bid is at or above the best ask: a book in this state must never be published */
  isCrossed(): boolean {
    return this.asks.length > 0 && this.bids.length > 0 && this.bids.prices[0]! >= this.asks.prices[0]!;
  }

  /** the top `depth` levels as SIMPLE units, plus their size sums */
  top(depth: number): { obu: BookUnit[]; tas: number; tbs: number } {
    const obu = this.units(depth);
    return { obu, tas: exactSum(obu, 'as'), tbs: exactSum(obu, 'bs') };
  }

  /** the top `depth` levels as SIMPLE units, best first (what a book record's `obu` holds) */
  units(depth: number): BookUnit[] {
    const n = Math.min(depth, Math.max(this.asks.length, this.bids.length));
    const obu: BookUnit[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const u: BookUnit = {};
      if (i < this.asks.length) {
        u.ap = this.asks.prices[i]!;
        u.as = this.asks.sizes[i]!;
      }
      if (i < this.bids.length) {
        u.bp = this.bids.prices[i]!;
        u.bs = this.bids.sizes[i]!;
      }
      obu[i] = u;
    }
    return obu;
  }
}
