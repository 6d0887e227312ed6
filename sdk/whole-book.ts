// Whole-book messages (each message carries the full top of the book, no diffs): the sides sorted, a crossed book
// refused, the levels paired into book units; and the per-market guard that drops a book older than the last one.

import { badFrame } from './errors.ts';
import type { BookUnit } from './model.ts';

/** one price level: [price, size] */
export type WholeBookLevel = [price: number, size: number];

/**
 * Sorts asks up and bids down (in place), throws BAD_FRAME when the best ask is at or below the best bid, and pairs
 * the sides level by level into book units (a side that runs out leaves its fields off).
 */
export function wholeBookUnits(asks: WholeBookLevel[], bids: WholeBookLevel[], what: string): BookUnit[] {
  asks.sort((a, b) => a[0] - b[0]);
  bids.sort((a, b) => b[0] - a[0]);
  if (asks.length > 0 && bids.length > 0 && asks[0]![0] <= bids[0]![0]) {
    throw badFrame(`${what}: crossed (ask ${asks[0]![0]} <= bid ${bids[0]![0]})`);
  }
  const obu: BookUnit[] = [];
  for (let i = 0; i < Math.max(asks.length, bids.length); i++) {
    const u: BookUnit = {};
    const a = asks[i];
    const b = bids[i];
    if (a) (u.ap = a[0]), (u.as = a[1]);
    if (b) (u.bp = b[0]), (u.bs = b[1]);
    obu.push(u);
  }
  return obu;
}

/**
 * The last stamp (book id or time) seen per market. Every message is a whole book, so one that is not `fresh` than
 * the last is out of date (not a gap) and is dropped: `accept` records a fresh stamp and says whether to publish.
 */
export class LatestPerMarket<T> {
  private readonly last = new Map<string, T>();
  /** `fresh(stamp, last)`: whether a book with `stamp` may follow one with `last` */
  constructor(private readonly fresh: (stamp: T, last: T) => boolean) {}

  accept(market: string, stamp: T): boolean {
    const last = this.last.get(market);
    if (last !== undefined && !this.fresh(stamp, last)) return false;
    this.last.set(market, stamp);
    return true;
  }
}
