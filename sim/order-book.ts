// A two-sided book of price levels keyed by canonical grid prices, kept sorted best first as it changes (no sort per
// read), with the changes since a mark.

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

/** One side: quantities by price, and the prices best first (bids descending, asks ascending). */
class BookSide {
  readonly qty = new Map<number, number>();
  readonly prices: number[] = [];

  constructor(private readonly descending: boolean) {}

  /** where `price` is or would go in `prices` (binary search) */
  private position(price: number): number {
    const a = this.prices;
    let lo = 0;
    let hi = a.length;
    if (this.descending) {
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (a[mid]! > price) lo = mid + 1;
        else hi = mid;
      }
    } else {
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (a[mid]! < price) lo = mid + 1;
        else hi = mid;
      }
    }
    return lo;
  }

  set(price: number, qty: number): void {
    if (!this.qty.has(price)) {
      const i = this.position(price);
      // near the touch the common case: a splice of a hundred numbers is a short memmove
      if (i === this.prices.length) this.prices.push(price);
      else this.prices.splice(i, 0, price);
    }
    this.qty.set(price, qty);
  }

  remove(price: number): void {
    if (!this.qty.delete(price)) return;
    const i = this.position(price);
    if (i === 0) this.prices.shift();
    else if (i === this.prices.length - 1) this.prices.pop();
    else this.prices.splice(i, 1);
  }
}

/**
 * The prices touched since the mark and the quantity each had then (0: absent). A step touches a few dozen at most:
 * a scan of two short arrays beats a Map that is cleared and regrown every step.
 */
class Touched {
  readonly prices: number[] = [];
  readonly qtys: number[] = [];
  n = 0;

  add(price: number, qty: number): void {
    const { prices } = this;
    for (let i = 0; i < this.n; i++) if (prices[i] === price) return;
    prices[this.n] = price;
    this.qtys[this.n++] = qty;
  }
}

export class OrderBook {
  private readonly sides = { bid: new BookSide(true), ask: new BookSide(false) };
  /** quantity each touched price had at the last mark; cheaper than copying the book every step */
  private readonly before = { bid: new Touched(), ask: new Touched() };

  get bids(): ReadonlyMap<number, number> {
    return this.sides.bid.qty;
  }

  get asks(): ReadonlyMap<number, number> {
    return this.sides.ask.qty;
  }

  levels(side: Side): ReadonlyMap<number, number> {
    return this.sides[side].qty;
  }

  set(side: Side, price: number, qty: number): void {
    this.remember(side, price);
    this.sides[side].set(price, qty);
  }

  remove(side: Side, price: number): void {
    this.remember(side, price);
    this.sides[side].remove(price);
  }

  private remember(side: Side, price: number): void {
    this.before[side].add(price, this.sides[side].qty.get(price) ?? 0);
  }

  /** Starts a new change set. */
  mark(): void {
    this.before.bid.n = 0;
    this.before.ask.n = 0;
  }

  /** Levels whose quantity differs from the last mark, best first per side. */
  changes(): BookDiff {
    const side = (s: Side): LevelChange[] => {
      const out: LevelChange[] = [];
      const now = this.sides[s].qty;
      const { prices, qtys, n } = this.before[s];
      for (let i = 0; i < n; i++) {
        const q = now.get(prices[i]!) ?? 0;
        if (q !== qtys[i]) out.push([prices[i]!, q]);
      }
      return out.length < 2 ? out : out.sort(s === 'bid' ? (a, b) => b[0] - a[0] : (a, b) => a[0] - b[0]);
    };
    return { bids: side('bid'), asks: side('ask') };
  }

  bestBid(): number {
    return this.sides.bid.prices[0] ?? -Infinity;
  }

  bestAsk(): number {
    return this.sides.ask.prices[0] ?? Infinity;
  }

  /** prices, best first: the book's own live array, valid until the next change (do not modify it) */
  view(side: Side): readonly number[] {
    return this.sides[side].prices;
  }

  /** prices, best first: a copy, safe to hold while the book changes */
  sortedPrices(side: Side): number[] {
    return this.sides[side].prices.slice();
  }

  /** best first: bids descending, asks ascending */
  sorted(side: Side, limit = Infinity): Level[] {
    const { prices, qty } = this.sides[side];
    const n = Math.min(prices.length, limit);
    const out: Level[] = new Array<Level>(n);
    for (let i = 0; i < n; i++) out[i] = { price: prices[i]!, qty: qty.get(prices[i]!)! };
    return out;
  }
}
