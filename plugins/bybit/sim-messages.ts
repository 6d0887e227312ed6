// Bybit spot v5 payloads built from the simulated market model, spelled as the exchange spells them (decimal strings
// at the market's tick and lot precision, ms times), and the per-depth book views that orderbook deltas come from.

import type { Market, StepResult } from '../../sim/market.ts';
import type { Side } from '../../sim/order-book.ts';

/** Bybit spot trade ids are long decimal strings (e.g. "2290000000061666327"): above 2^53, exact only as text. */
const TRADE_ID_BASE = 2_290_000_000_000_000_000n;

const qty = (m: Market, q: number): string => q.toFixed(m.qtyDecimals);
const price = (m: Market, p: number): string => m.grid.format(p);

export function tickerMessage(code: string, m: Market, ts: number): string {
  const s = m.stats;
  const last = m.lastTrade.price;
  return JSON.stringify({
    topic: `tickers.${code}`,
    ts,
    type: 'snapshot',
    cs: m.updateId,
    data: {
      symbol: code,
      lastPrice: price(m, last),
      highPrice24h: price(m, s.high),
      lowPrice24h: price(m, s.low),
      prevPrice24h: price(m, s.open),
      volume24h: qty(m, s.volume),
      turnover24h: s.quoteVolume.toFixed(8),
      price24hPcnt: ((last - s.open) / s.open).toFixed(4),
      usdIndexPrice: '',
    },
  });
}

/** One message per step with every trade of the step (Bybit puts up to 1024 in one). */
export function tradeMessage(code: string, m: Market, step: StepResult, ts: number): string | undefined {
  if (step.trades.length === 0) return undefined;
  const data = step.trades.map((t) => ({
    T: t.tms,
    s: code,
    S: t.takerSide === 'buy' ? 'Buy' : 'Sell',
    v: qty(m, t.qty),
    p: price(m, t.price),
    i: String(TRADE_ID_BASE + BigInt(t.id)),
    BT: false,
    RPI: false,
    seq: m.updateId,
  }));
  return JSON.stringify({ topic: `publicTrade.${code}`, ts, type: 'snapshot', data });
}

/** One side's top `depth` levels, best first: prices and their sizes. */
interface Window {
  prices: number[];
  sizes: number[];
}

/** fills `into` (or a new window) with the side's current top `depth` */
function topLevels(m: Market, side: Side, depth: number, into: Window = { prices: [], sizes: [] }): Window {
  const view = m.book.view(side);
  const levels = m.book.levels(side);
  const n = Math.min(depth, view.length);
  const { prices, sizes } = into;
  prices.length = n;
  sizes.length = n;
  for (let i = 0; i < n; i++) {
    prices[i] = view[i]!;
    sizes[i] = levels.get(view[i]!)!;
  }
  return into;
}

/**
 * Changes from `before` to `after` (both best first), best first: new or resized levels with their size, vanished
 * ones with size 0. One merge of the two windows: no maps, no sort.
 */
function changes(m: Market, before: Window, after: Window, side: Side): string {
  const bid = side === 'bid';
  let out = '';
  let i = 0;
  let j = 0;
  const add = (p: number, q: number): void => {
    out += `${out ? ',' : ''}["${price(m, p)}","${q === 0 ? '0' : qty(m, q)}"]`;
  };
  while (i < before.prices.length || j < after.prices.length) {
    const b = i < before.prices.length ? before.prices[i]! : undefined;
    const a = j < after.prices.length ? after.prices[j]! : undefined;
    if (a !== undefined && b === a) {
      if (before.sizes[i] !== after.sizes[j]) add(a, after.sizes[j]!);
      i++;
      j++;
    } else if (a !== undefined && (b === undefined || (bid ? a > b : a < b))) {
      add(a, after.sizes[j]!);
      j++;
    } else {
      add(b!, 0);
      i++;
    }
  }
  return out;
}

/** a side's levels as Bybit writes them: [["price","size"],...] without the brackets */
function levelsJson(m: Market, w: Window): string {
  let out = '';
  for (let i = 0; i < w.prices.length; i++) out += `${i ? ',' : ''}["${price(m, w.prices[i]!)}","${qty(m, w.sizes[i]!)}"]`;
  return out;
}

/**
 * One `orderbook.{depth}.{code}` topic as every subscriber sees it: the last published top-`depth` view and its
 * update id `u`, which grows by one per delta. Levels leaving the window go out as deletions, levels entering it
 * with their size, so a client applying the deltas holds exactly the exchange's top `depth`.
 */
export class BookTopic {
  private bids: Window;
  private asks: Window;
  /** the previous windows' arrays, refilled by the next advance (no allocation per step) */
  private spare = { bids: { prices: [], sizes: [] } as Window, asks: { prices: [], sizes: [] } as Window };
  u: number;
  readonly topic: string;

  constructor(
    readonly code: string,
    readonly depth: number,
    readonly market: Market,
  ) {
    this.u = 1 + (market.updateId % 100_000_000);
    this.bids = topLevels(market, 'bid', depth);
    this.asks = topLevels(market, 'ask', depth);
    this.topic = `orderbook.${depth}.${code}`;
  }

  /** The full current view, as sent right after a subscription (and, for depth 1, instead of every delta). */
  snapshot(ts: number): string {
    const m = this.market;
    return this.message('snapshot', ts, levelsJson(m, this.bids), levelsJson(m, this.asks));
  }

  /**
   * Moves the view to the market's current book. Returns the delta to publish (undefined when the top did not
   * change); `u` advances by one per published change, also when a fault leaves the message out.
   */
  advance(ts: number): string | undefined {
    const m = this.market;
    const bids = topLevels(m, 'bid', this.depth, this.spare.bids);
    const asks = topLevels(m, 'ask', this.depth, this.spare.asks);
    const b = changes(m, this.bids, bids, 'bid');
    const a = changes(m, this.asks, asks, 'ask');
    this.spare = { bids: this.bids, asks: this.asks };
    this.bids = bids;
    this.asks = asks;
    if (b === '' && a === '') return undefined;
    this.u++;
    // Level 1 is snapshot-only on Bybit.
    return this.depth === 1 ? this.snapshot(ts) : this.message('delta', ts, b, a);
  }

  /** the message as JSON.stringify would write it (every string here is digits, letters and dots: nothing to escape) */
  private message(type: 'snapshot' | 'delta', ts: number, b: string, a: string): string {
    const m = this.market;
    return `{"topic":"${this.topic}","ts":${ts},"type":"${type}","data":{"s":"${this.code}","b":[${b}],"a":[${a}],"u":${this.u},"seq":${m.updateId}},"cts":${m.lastTms}}`;
  }
}
