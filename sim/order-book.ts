// A two-sided book of price levels keyed by canonical grid prices, with sorted views and diffs between states.

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

export interface BookCopy {
  bids: ReadonlyMap<number, number>;
  asks: ReadonlyMap<number, number>;
}

export class OrderBook {
  readonly bids = new Map<number, number>();
  readonly asks = new Map<number, number>();

  levels(side: Side): Map<number, number> {
    return side === 'bid' ? this.bids : this.asks;
  }

  bestBid(): number {
    let best = -Infinity;
    for (const p of this.bids.keys()) if (p > best) best = p;
    return best;
  }

  bestAsk(): number {
    let best = Infinity;
    for (const p of this.asks.keys()) if (p < best) best = p;
    return best;
  }

  /** best first: bids descending, asks ascending */
  sorted(side: Side, limit = Infinity): Level[] {
    const prices = [...this.levels(side).keys()].sort(side === 'bid' ? (a, b) => b - a : (a, b) => a - b);
    const n = Math.min(prices.length, limit);
    const out: Level[] = [];
    for (let i = 0; i < n; i++) out.push({ price: prices[i]!, qty: this.levels(side).get(prices[i]!)! });
    return out;
  }

  copy(): BookCopy {
    return { bids: new Map(this.bids), asks: new Map(this.asks) };
  }

  /** Levels whose quantity differs from `before`, best first per side. */
  diffSince(before: BookCopy): BookDiff {
    return {
      bids: diffSide(before.bids, this.bids).sort((a, b) => b[0] - a[0]),
      asks: diffSide(before.asks, this.asks).sort((a, b) => a[0] - b[0]),
    };
  }
}

function diffSide(before: ReadonlyMap<number, number>, after: ReadonlyMap<number, number>): LevelChange[] {
  const out: LevelChange[] = [];
  for (const [p, q] of after) if (before.get(p) !== q) out.push([p, q]);
  for (const p of before.keys()) if (!after.has(p)) out.push([p, 0]);
  return out;
}
