// A two-sided book of price levels keyed by canonical grid prices, with sorted views and the changes since a mark.

export type Side = 'bid' | 'ask';

export interface Level {
  price: number;
  qty: number;
}

/** One level change: the new quantity at `price`, 0 when the level is gone. */
export type LevelChange = [price: number, qty: number];

export interface BookDiff {
  bids: LevelChange[];
  asks: LevelChange[];
}

export class OrderBook {
  private readonly sides = { bid: new Map<number, number>(), ask: new Map<number, number>() };
  /** quantity each touched price had at the last mark (0: absent); cheaper than copying the book every step */
  private readonly before = { bid: new Map<number, number>(), ask: new Map<number, number>() };

  get bids(): ReadonlyMap<number, number> {
    return this.sides.bid;
  }

  get asks(): ReadonlyMap<number, number> {
    return this.sides.ask;
  }

  levels(side: Side): ReadonlyMap<number, number> {
    return this.sides[side];
  }

  set(side: Side, price: number, qty: number): void {
    this.remember(side, price);
    this.sides[side].set(price, qty);
  }

  remove(side: Side, price: number): void {
    this.remember(side, price);
    this.sides[side].delete(price);
  }

  private remember(side: Side, price: number): void {
    const before = this.before[side];
    if (!before.has(price)) before.set(price, this.sides[side].get(price) ?? 0);
  }

  /** Starts a new change set. */
  mark(): void {
    this.before.bid.clear();
    this.before.ask.clear();
  }

  /** Levels whose quantity differs from the last mark, best first per side. */
  changes(): BookDiff {
    const side = (s: Side): LevelChange[] => {
      const out: LevelChange[] = [];
      for (const [p, q] of this.before[s]) {
        const now = this.sides[s].get(p) ?? 0;
        if (now !== q) out.push([p, now]);
      }
      return out.sort(s === 'bid' ? (a, b) => b[0] - a[0] : (a, b) => a[0] - b[0]);
    };
    return { bids: side('bid'), asks: side('ask') };
  }

  bestBid(): number {
    let best = -Infinity;
    for (const p of this.sides.bid.keys()) if (p > best) best = p;
    return best;
  }

  bestAsk(): number {
    let best = Infinity;
    for (const p of this.sides.ask.keys()) if (p < best) best = p;
    return best;
  }

  /** prices, best first (a typed-array sort: no comparator calls) */
  sortedPrices(side: Side): number[] {
    const levels = this.sides[side];
    const asc = new Float64Array(levels.size);
    let n = 0;
    for (const p of levels.keys()) asc[n++] = p;
    asc.sort();
    const out = new Array<number>(asc.length);
    for (let i = 0; i < asc.length; i++) out[i] = side === 'bid' ? asc[asc.length - 1 - i]! : asc[i]!;
    return out;
  }

  /** best first: bids descending, asks ascending */
  sorted(side: Side, limit = Infinity): Level[] {
    const prices = this.sortedPrices(side);
    const n = Math.min(prices.length, limit);
    const out: Level[] = [];
    for (let i = 0; i < n; i++) out.push({ price: prices[i]!, qty: this.sides[side].get(prices[i]!)! });
    return out;
  }
}
