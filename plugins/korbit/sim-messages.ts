// The Korbit simulator's messages: ticker, trade and whole-book orderbook frames and the REST pair list, as Korbit
// writes them (decimal strings, ms times, lower-case `btc_krw` symbols, integer trade ids).

import type { Market, Trade } from '../../sim/market.ts';

/** levels per side of every book frame ("up to 30 prices are available for each side") */
export const BOOK_LEVELS = 30;

/** a decimal as Korbit writes it: plain digits, no exponent, no trailing zeros */
export function dec(x: number, decimals = 8): string {
  const s = x.toFixed(decimals);
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
}

export const code = (m: { base: string; quote: string }): string => `${m.base.toLowerCase()}_${m.quote.toLowerCase()}`;

/** the envelope every data message has; `snapshot: true` only on the answer to a subscribe */
function envelope(type: string, market: Market, nowMs: number, snapshot: boolean, data: unknown): string {
  return JSON.stringify({ symbol: code(market), timestamp: nowMs, type, ...(snapshot ? { snapshot: true } : {}), data });
}

export function tickerFrame(market: Market, nowMs: number, snapshot: boolean): string {
  const s = market.stats;
  const last = market.lastTrade.price;
  const change = last - s.prevClose;
  const bid = market.book.bestBid();
  const ask = market.book.bestAsk();
  return envelope('ticker', market, nowMs, snapshot, {
    open: dec(s.open),
    high: dec(Math.max(s.high, last)),
    low: dec(Math.min(s.low, last)),
    close: dec(last),
    prevClose: dec(s.prevClose),
    priceChange: dec(change),
    priceChangePercent: dec((100 * change) / s.prevClose, 2),
    volume: dec(s.volume),
    quoteVolume: dec(s.quoteVolume, 5),
    ...(Number.isFinite(ask) ? { bestAskPrice: dec(ask) } : {}),
    ...(Number.isFinite(bid) ? { bestBidPrice: dec(bid) } : {}),
    lastTradedAt: market.lastTrade.tms,
  });
}

export function tradeFrame(market: Market, trades: readonly Trade[], nowMs: number, snapshot: boolean): string {
  return envelope(
    'trade',
    market,
    nowMs,
    snapshot,
    trades.map((t) => ({ timestamp: t.tms, price: dec(t.price), qty: dec(t.qty), isBuyerTaker: t.takerSide === 'buy', tradeId: t.id })),
  );
}

/** the whole top 30; asks ascending and bids descending, both best first. A stopped market's book is empty. */
export function orderbookFrame(market: Market, nowMs: number, bookTms: number, snapshot: boolean, empty = false): string {
  const level = (l: { price: number; qty: number }) => ({ price: dec(l.price), qty: dec(l.qty) });
  const asks = empty ? [] : market.book.sorted('ask', BOOK_LEVELS).map(level);
  const bids = empty ? [] : market.book.sorted('bid', BOOK_LEVELS).map(level);
  return envelope('orderbook', market, nowMs, snapshot, { timestamp: bookTms, asks, bids });
}

export interface Pair {
  base: string;
  quote: string;
  status: 'launched' | 'stopped';
}

/** GET /v2/currencyPairs */
export function pairListBody(pairs: readonly Pair[]): string {
  return JSON.stringify({
    success: true,
    data: pairs.map((p) => ({
      symbol: code(p),
      status: p.status,
      baseCurrency: p.base.toLowerCase(),
      quoteCurrency: p.quote.toLowerCase(),
      minOrderValue: '5000',
      maxOrderValue: '1000000000',
    })),
  });
}
