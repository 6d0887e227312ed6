// One market's book as Kraken's `book` channel describes it: price levels best first, each with the literal text of
// its price and quantity (the checksum is computed over those), cut to the subscribed depth after every message.
// (sdk/book.ts's DepthBook keeps numbers only; this keeps the texts beside them.)

import type { BookUnit } from '../../sdk/index.ts';
import { bookChecksum } from './checksum.ts';
import type { TextLevel } from './checksum.ts';

export interface Level extends TextLevel {
  price: number;
  qty: number;
}

class Side {
  readonly levels: Level[] = [];
  constructor(private readonly ascending: boolean) {}

  /** index of `price`, or -(insertion point) - 1 */
  private find(price: number): number {
    const l = this.levels;
    let lo = 0;
    let hi = l.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const v = l[mid]!.price;
      if (v === price) return mid;
      if (this.ascending ? v < price : v > price) lo = mid + 1;
      else hi = mid - 1;
    }
    return -lo - 1;
  }

  /** a quantity of 0 removes the level */
  apply(level: Level): void {
    const i = this.find(level.price);
    if (i >= 0) {
      if (level.qty === 0) this.levels.splice(i, 1);
      else this.levels[i] = level;
    } else if (level.qty !== 0) this.levels.splice(-i - 1, 0, level);
  }

  truncate(depth: number): void {
    if (this.levels.length > depth) this.levels.length = depth;
  }
}

export class LevelBook {
  private asks = new Side(true);
  private bids = new Side(false);

  constructor(
    /** the depth subscribed: Kraken sends no removal for levels pushed beyond it */
    private readonly depth: number,
  ) {}

  clear(): void {
    this.asks = new Side(true);
    this.bids = new Side(false);
  }

  apply(asks: readonly Level[], bids: readonly Level[]): void {
    for (const l of asks) this.asks.apply(l);
    for (const l of bids) this.bids.apply(l);
    this.asks.truncate(this.depth);
    this.bids.truncate(this.depth);
  }

  checksum(): number {
    return bookChecksum(this.asks.levels, this.bids.levels);
  }

  isCrossed(): boolean {
    const a = this.asks.levels[0];
    const b = this.bids.levels[0];
    return a !== undefined && b !== undefined && b.price >= a.price;
  }

  /** the best `n` levels as SIMPLE units; a side that has run out leaves its keys out */
  top(n: number): BookUnit[] {
    const asks = this.asks.levels;
    const bids = this.bids.levels;
    const count = Math.min(n, Math.max(asks.length, bids.length));
    const obu: BookUnit[] = [];
    for (let i = 0; i < count; i++) {
      const u: BookUnit = {};
      const a = asks[i];
      const b = bids[i];
      if (a) {
        u.ap = a.price;
        u.as = a.qty;
      }
      if (b) {
        u.bp = b.price;
        u.bs = b.qty;
      }
      obu.push(u);
    }
    return obu;
  }
}
