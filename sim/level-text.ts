// Book levels' text as a simulator writes it, cached per price while the size stays the same: a checksum or a
// window over the top levels re-reads mostly unchanged levels every step, and formatting numbers is the cost.

import type { Market } from './market.ts';

/** One market's level texts (one format): `text(price, qty)` formats only when that price's size changed. */
export class LevelTexts {
  private readonly cache = new Map<number, { qty: number; text: string }>();

  constructor(
    private readonly format: (price: number, qty: number) => string,
    /** prices kept before the cache starts over (a book holds about a hundred per side) */
    private readonly max = 1024,
  ) {}

  text(price: number, qty: number): string {
    const hit = this.cache.get(price);
    if (hit !== undefined && hit.qty === qty) return hit.text;
    const text = this.format(price, qty);
    if (hit !== undefined) {
      hit.qty = qty;
      hit.text = text;
    } else {
      if (this.cache.size >= this.max) this.cache.clear();
      this.cache.set(price, { qty, text });
    }
    return text;
  }
}

/** A per-market value made on first use and dropped with the market. */
export function perMarket<T>(make: (market: Market) => T): (market: Market) => T {
  const values = new WeakMap<Market, T>();
  return (market) => {
    let v = values.get(market);
    if (v === undefined) values.set(market, (v = make(market)));
    return v;
  };
}
