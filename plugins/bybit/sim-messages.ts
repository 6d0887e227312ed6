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

type Levels = Map<number, number>;

/** The top `depth` levels of one side, best first. */
function topLevels(m: Market, side: Side, depth: number): Levels {
  return new Map(m.book.sorted(side, depth).map((l) => [l.price, l.qty] as const));
}

/** Changes from `before` to `after`: new or resized levels with their size, vanished ones with size 0. */
function changes(m: Market, before: Levels, after: Levels, side: Side): [string, string][] {
  const out: [number, number][] = [];
  for (const [p, q] of after) if (before.get(p) !== q) out.push([p, q]);
  for (const p of before.keys()) if (!after.has(p)) out.push([p, 0]);
  out.sort(side === 'bid' ? (a, b) => b[0] - a[0] : (a, b) => a[0] - b[0]);
  return out.map(([p, q]) => [price(m, p), q === 0 ? '0' : qty(m, q)]);
}

/**
 * One `orderbook.{depth}.{code}` topic as every subscriber sees it: the last published top-`depth` view and its
 * update id `u`, which grows by one per delta. Levels leaving the window go out as deletions, levels entering it
 * with their size, so a client applying the deltas holds exactly the exchange's top `depth`.
 */
export class BookTopic {
  private bids: Levels = new Map();
  private asks: Levels = new Map();
  u: number;

  constructor(
    readonly code: string,
    readonly depth: number,
    readonly market: Market,
  ) {
    this.u = 1 + (market.updateId % 100_000_000);
    this.bids = topLevels(market, 'bid', depth);
    this.asks = topLevels(market, 'ask', depth);
  }

  get topic(): string {
    return `orderbook.${this.depth}.${this.code}`;
  }

  /** The full current view, as sent right after a subscription (and, for depth 1, instead of every delta). */
  snapshot(ts: number): string {
    const m = this.market;
    const side = (levels: Levels): [string, string][] => [...levels].map(([p, q]) => [price(m, p), qty(m, q)]);
    return this.message('snapshot', ts, side(this.bids), side(this.asks));
  }

  /**
   * Moves the view to the market's current book. Returns the delta to publish (undefined when the top did not
   * change); `u` advances by one per published change, also when a fault leaves the message out.
   */
  advance(ts: number): string | undefined {
    const m = this.market;
    const bids = topLevels(m, 'bid', this.depth);
    const asks = topLevels(m, 'ask', this.depth);
    const b = changes(m, this.bids, bids, 'bid');
    const a = changes(m, this.asks, asks, 'ask');
    this.bids = bids;
    this.asks = asks;
    if (b.length === 0 && a.length === 0) return undefined;
    this.u++;
    // Level 1 is snapshot-only on Bybit.
    return this.depth === 1 ? this.snapshot(ts) : this.message('delta', ts, b, a);
  }

  private message(type: 'snapshot' | 'delta', ts: number, b: [string, string][], a: [string, string][]): string {
    return JSON.stringify({ topic: this.topic, ts, type, data: { s: this.code, b, a, u: this.u, seq: this.market.updateId }, cts: this.market.lastTms });
  }
}
