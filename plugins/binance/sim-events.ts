// Binance payloads, built from the market model exactly as the exchange spells them (decimal strings, 8 places).

import type { Market, StepResult } from '../../sim/market.ts';
import type { LevelChange } from '../../sim/order-book.ts';
import type { StreamRef } from './sim-streams.ts';

const DAY_MS = 86_400_000;

const f8 = (x: number): string => x.toFixed(8);
const pairs = (levels: LevelChange[]): [string, string][] => levels.map(([p, q]) => [f8(p), f8(q)]);

export function tradeEvents(symbol: string, step: StepResult, eventMs: number): string[] {
  return step.trades.map((t) =>
    JSON.stringify({
      e: 'trade',
      E: eventMs,
      s: symbol,
      t: t.id,
      p: f8(t.price),
      q: f8(t.qty),
      T: t.tms,
      // m: the buyer was the maker, so the taker sold.
      m: t.takerSide === 'sell',
      M: true,
    }),
  );
}

/** One aggregate per trade: the model never fills two makers at one price in one step. */
export function aggTradeEvents(symbol: string, step: StepResult, eventMs: number): string[] {
  return step.trades.map((t) =>
    JSON.stringify({ e: 'aggTrade', E: eventMs, s: symbol, a: t.id - 1_000_000_000, p: f8(t.price), q: f8(t.qty), f: t.id, l: t.id, T: t.tms, m: t.takerSide === 'sell', M: true }),
  );
}

export function depthUpdate(symbol: string, diff: Pick<StepResult, 'firstUpdateId' | 'lastUpdateId' | 'bids' | 'asks'>, eventMs: number): string {
  return JSON.stringify({ e: 'depthUpdate', E: eventMs, s: symbol, U: diff.firstUpdateId, u: diff.lastUpdateId, b: pairs(diff.bids), a: pairs(diff.asks) });
}

export function depthSnapshot(market: Market, limit: number): { lastUpdateId: number; bids: [string, string][]; asks: [string, string][] } {
  const side = (s: 'bid' | 'ask'): [string, string][] => market.book.sorted(s, limit).map((l) => [f8(l.price), f8(l.qty)]);
  return { lastUpdateId: market.updateId, bids: side('bid'), asks: side('ask') };
}

export function bookTicker(symbol: string, market: Market): string {
  const bid = market.book.bestBid();
  const ask = market.book.bestAsk();
  return JSON.stringify({ u: market.updateId, s: symbol, b: f8(bid), B: f8(market.book.bids.get(bid)!), a: f8(ask), A: f8(market.book.asks.get(ask)!) });
}

export function ticker(symbol: string, market: Market, eventMs: number): string {
  const s = market.stats;
  const last = market.lastTrade;
  const bid = market.book.bestBid();
  const ask = market.book.bestAsk();
  const change = last.price - s.open;
  return JSON.stringify({
    e: '24hrTicker',
    E: eventMs,
    s: symbol,
    p: f8(change),
    P: ((change / s.open) * 100).toFixed(3),
    w: f8(s.quoteVolume / s.volume),
    x: f8(s.prevClose),
    c: f8(last.price),
    Q: f8(last.qty),
    b: f8(bid),
    B: f8(market.book.bids.get(bid)!),
    a: f8(ask),
    A: f8(market.book.asks.get(ask)!),
    o: f8(s.open),
    h: f8(s.high),
    l: f8(s.low),
    v: f8(s.volume),
    q: f8(s.quoteVolume),
    O: eventMs - DAY_MS,
    C: eventMs,
    F: s.firstTradeId,
    L: last.id,
    n: last.id - s.firstTradeId + 1,
  });
}

export function miniTicker(symbol: string, market: Market, eventMs: number): string {
  const s = market.stats;
  return JSON.stringify({ e: '24hrMiniTicker', E: eventMs, s: symbol, c: f8(market.lastTrade.price), o: f8(s.open), h: f8(s.high), l: f8(s.low), v: f8(s.volume), q: f8(s.quoteVolume) });
}

/** Partial book streams carry no event type or time, only the book. */
export function partialDepth(ref: StreamRef, market: Market): string {
  return JSON.stringify(depthSnapshot(market, ref.levels));
}
