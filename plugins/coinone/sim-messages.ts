// The Coinone simulator's messages: DATA frames for TICKER, TRADE and ORDERBOOK in DEFAULT or SHORT names, and the
// REST market list, all as Coinone writes them (decimals as strings, ms times, ids of ms + 3 digits).

import type { Market, Trade } from '../../sim/market.ts';

export type SimFormat = 'DEFAULT' | 'SHORT';
type Message = Record<string, unknown>;

/** levels per side in an ORDERBOOK message (the REST book's largest documented size is 16; we send 15) */
export const BOOK_LEVELS = 15;

const SHORT: Record<string, string> = {
  response_type: 'r', channel: 'c', data: 'd', quote_currency: 'qc', target_currency: 'tc', timestamp: 't', id: 'i',
  asks: 'a', bids: 'b', price: 'p', qty: 'q', is_seller_maker: 'sm', quote_volume: 'qv', target_volume: 'tv', high: 'hi',
  low: 'lo', first: 'fi', last: 'la', volume_power: 'vp', ask_best_price: 'abp', ask_best_qty: 'abq',
  bid_best_price: 'bbp', bid_best_qty: 'bbq', yesterday_high: 'yhi', yesterday_low: 'ylo', yesterday_first: 'yfi',
  yesterday_last: 'yla', yesterday_quote_volume: 'yqv', yesterday_target_volume: 'ytv',
};

function rename(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(rename);
  if (typeof v !== 'object' || v === null) return v;
  const out: Message = {};
  for (const [k, x] of Object.entries(v)) out[SHORT[k] ?? k] = rename(x);
  return out;
}

export function encode(channel: string, data: Message, format: SimFormat): string {
  const msg = { response_type: 'DATA', channel, data };
  return JSON.stringify(format === 'SHORT' ? rename(msg) : msg);
}

/** a decimal as Coinone writes it: plain digits, no exponent, no trailing zeros */
export function dec(x: number, decimals = 8): string {
  const s = x.toFixed(decimals);
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
}

const topic = (market: Market) => ({ quote_currency: market.quote, target_currency: market.base });

export function tickerData(market: Market, nowMs: number, id: string): Message {
  const s = market.stats;
  const bid = market.book.bestBid();
  const ask = market.book.bestAsk();
  const power = s.sellVolume > 0 ? Math.min(500, (100 * s.buyVolume) / s.sellVolume) : 100;
  return {
    ...topic(market),
    timestamp: nowMs,
    quote_volume: dec(s.quoteVolume, 4),
    target_volume: dec(s.volume),
    high: dec(s.high),
    low: dec(s.low),
    first: dec(s.open),
    last: dec(market.lastTrade.price),
    volume_power: dec(power, 2),
    ask_best_price: Number.isFinite(ask) ? dec(ask) : null,
    ask_best_qty: Number.isFinite(ask) ? dec(market.book.asks.get(ask) ?? 0) : '0',
    bid_best_price: Number.isFinite(bid) ? dec(bid) : null,
    bid_best_qty: Number.isFinite(bid) ? dec(market.book.bids.get(bid) ?? 0) : '0',
    id,
    yesterday_high: dec(market.grid.floor(s.prevClose * 1.018)),
    yesterday_low: dec(market.grid.floor(s.prevClose * 0.979)),
    yesterday_first: dec(market.grid.floor(s.prevClose * 0.996)),
    yesterday_last: dec(s.prevClose),
    yesterday_quote_volume: dec(s.quoteVolume * 1.07, 4),
    yesterday_target_volume: dec(s.volume * 1.07),
  };
}

export function tradeData(market: Market, t: Trade): Message {
  return {
    ...topic(market),
    // ms + a 3-digit counter, like Coinone's: the trade's µs time is exactly that and strictly increases
    id: String(t.tus),
    timestamp: t.tms,
    price: dec(t.price),
    qty: dec(t.qty),
    // the taker bought → the seller was the maker
    is_seller_maker: t.takerSide === 'buy',
  };
}

/** the whole top of the book; asks highest first, bids highest first, as in Coinone's documented example */
export function orderbookData(market: Market, tms: number, id: string): Message {
  const asks = market.book.sorted('ask', BOOK_LEVELS).reverse();
  const bids = market.book.sorted('bid', BOOK_LEVELS);
  const level = (l: { price: number; qty: number }) => ({ price: dec(l.price), qty: dec(l.qty) });
  return { ...topic(market), timestamp: tms, id, asks: asks.map(level), bids: bids.map(level) };
}

export interface ListedMarket {
  base: string;
  quote: string;
}

/** GET /public/v2/markets/KRW */
export function marketListBody(listed: readonly ListedMarket[], quote: string, nowMs: number): string {
  const markets = listed
    .filter((m) => m.quote === quote)
    .map((m) => ({
      quote_currency: m.quote,
      target_currency: m.base,
      price_unit: '1',
      qty_unit: '0.0001',
      max_order_amount: '1000000000',
      max_price: '1000000000000',
      max_qty: '1000000000',
      min_order_amount: '5000',
      min_price: '1',
      min_qty: '0.0001',
      order_book_units: ['0.0', '1.0', '10.0', '100.0'],
      maintenance_status: 0,
      trade_status: 1,
      order_types: ['limit', 'market', 'stop_limit'],
    }));
  return JSON.stringify({ result: 'success', error_code: '0', server_time: nowMs, markets });
}
