// Upbit (and Bithumb v1) ticker, trade and orderbook messages in DEFAULT field names, and their SIMPLE renaming.

import type { Market, Trade } from '../../sim/market.ts';
import { roundTo } from '../../sim/price-grid.ts';
import { compactDate, compactTime, colonTime, dashedDate, utcDayFraction, utcParts } from '../../sim/time-format.ts';
import type { UpbitFormat, UpbitType } from './sim-request.ts';

export type Variant = 'upbit' | 'bithumb';
export type StreamType = 'SNAPSHOT' | 'REALTIME';
type Message = Record<string, unknown>;

const SIMPLE_KEYS: Record<UpbitType, Record<string, string>> = {
  ticker: {
    type: 'ty', code: 'cd', opening_price: 'op', high_price: 'hp', low_price: 'lp', trade_price: 'tp',
    prev_closing_price: 'pcp', change: 'c', change_price: 'cp', signed_change_price: 'scp', change_rate: 'cr',
    signed_change_rate: 'scr', trade_volume: 'tv', acc_trade_volume: 'atv', acc_trade_volume_24h: 'atv24h',
    acc_trade_price: 'atp', acc_trade_price_24h: 'atp24h', trade_date: 'tdt', trade_time: 'ttm', trade_timestamp: 'ttms',
    ask_bid: 'ab', acc_ask_volume: 'aav', acc_bid_volume: 'abv', highest_52_week_price: 'h52wp',
    highest_52_week_date: 'h52wdt', lowest_52_week_price: 'l52wp', lowest_52_week_date: 'l52wdt', market_state: 'ms',
    is_trading_suspended: 'its', delisting_date: 'dd', market_warning: 'mw', timestamp: 'tms', stream_type: 'st',
  },
  trade: {
    type: 'ty', code: 'cd', timestamp: 'tms', trade_date: 'td', trade_time: 'ttm', trade_timestamp: 'ttms',
    trade_price: 'tp', trade_volume: 'tv', ask_bid: 'ab', prev_closing_price: 'pcp', change: 'c', change_price: 'cp',
    sequential_id: 'sid', best_ask_price: 'bap', best_ask_size: 'bas', best_bid_price: 'bbp', best_bid_size: 'bbs',
    stream_type: 'st',
  },
  orderbook: {
    type: 'ty', code: 'cd', timestamp: 'tms', total_ask_size: 'tas', total_bid_size: 'tbs', orderbook_units: 'obu',
    stream_type: 'st', level: 'lv',
  },
};
const SIMPLE_UNIT_KEYS: Record<string, string> = { ask_price: 'ap', bid_price: 'bp', ask_size: 'as', bid_size: 'bs' };

const change = (price: number, prev: number): 'RISE' | 'EVEN' | 'FALL' => (price > prev ? 'RISE' : price < prev ? 'FALL' : 'EVEN');
const r8 = (x: number): number => roundTo(x, 8);
/** ASK: the taker sold into the bid. */
const askBid = (t: Trade): 'ASK' | 'BID' => (t.takerSide === 'sell' ? 'ASK' : 'BID');

export function tickerMessage(code: string, market: Market, nowMs: number, st: StreamType): Message {
  const s = market.stats;
  const t = market.lastTrade;
  const p = utcParts(t.tms);
  const signed = t.price - s.prevClose;
  // "acc_*" fields count from midnight UTC; "_24h" ones are rolling.
  const today = Math.max(0.01, utcDayFraction(nowMs));
  return {
    type: 'ticker',
    code,
    opening_price: s.open,
    high_price: s.high,
    low_price: s.low,
    trade_price: t.price,
    prev_closing_price: s.prevClose,
    change: change(t.price, s.prevClose),
    change_price: Math.abs(r8(signed)),
    signed_change_price: r8(signed),
    change_rate: Math.abs(r8(signed / s.prevClose)),
    signed_change_rate: r8(signed / s.prevClose),
    trade_volume: t.qty,
    acc_trade_volume: r8(s.volume * today),
    acc_trade_volume_24h: r8(s.volume),
    acc_trade_price: r8(s.quoteVolume * today),
    acc_trade_price_24h: r8(s.quoteVolume),
    trade_date: compactDate(p),
    trade_time: compactTime(p),
    trade_timestamp: t.tms,
    ask_bid: askBid(t),
    acc_ask_volume: r8(s.sellVolume * today),
    acc_bid_volume: r8(s.buyVolume * today),
    highest_52_week_price: s.high52w,
    highest_52_week_date: dashedDate(utcParts(nowMs - 90 * 86_400_000)),
    lowest_52_week_price: s.low52w,
    lowest_52_week_date: dashedDate(utcParts(nowMs - 250 * 86_400_000)),
    market_state: 'ACTIVE',
    is_trading_suspended: false,
    delisting_date: null,
    market_warning: 'NONE',
    timestamp: nowMs,
    stream_type: st,
  };
}

export function tradeMessage(code: string, market: Market, t: Trade, nowMs: number, st: StreamType, variant: Variant): Message {
  const p = utcParts(t.tms);
  const bid = market.book.bestBid();
  const ask = market.book.bestAsk();
  // Upbit numbers trades as ms * 1000 + n; the trade's microsecond stamp has that shape and strictly increases.
  const sid = t.tus;
  return {
    type: 'trade',
    code,
    timestamp: Math.max(nowMs, t.tms),
    trade_date: dashedDate(p),
    trade_time: colonTime(p),
    trade_timestamp: t.tms,
    trade_price: t.price,
    trade_volume: t.qty,
    ask_bid: askBid(t),
    prev_closing_price: market.stats.prevClose,
    change: change(t.price, market.stats.prevClose),
    change_price: Math.abs(r8(t.price - market.stats.prevClose)),
    sequential_id: variant === 'bithumb' ? String(sid) : sid,
    best_ask_price: ask,
    best_ask_size: market.book.asks.get(ask)!,
    best_bid_price: bid,
    best_bid_size: market.book.bids.get(bid)!,
    stream_type: st,
  };
}

/** `tus`: the book's time in µs; Upbit prints ms as a number, Bithumb µs as a string. */
export function orderbookMessage(code: string, market: Market, depth: number, tus: number, st: StreamType, variant: Variant): Message {
  const asks = market.book.sorted('ask', depth);
  const bids = market.book.sorted('bid', depth);
  const units = [];
  for (let i = 0; i < Math.max(asks.length, bids.length); i++) {
    units.push({ ask_price: asks[i]?.price ?? 0, bid_price: bids[i]?.price ?? 0, ask_size: asks[i]?.qty ?? 0, bid_size: bids[i]?.qty ?? 0 });
  }
  return {
    type: 'orderbook',
    code,
    timestamp: variant === 'bithumb' ? String(tus) : Math.floor(tus / 1000),
    total_ask_size: r8(asks.reduce((sum, l) => sum + l.qty, 0)),
    total_bid_size: r8(bids.reduce((sum, l) => sum + l.qty, 0)),
    orderbook_units: units,
    stream_type: st,
    level: 0,
  };
}

function toSimple(type: UpbitType, message: Message): Message {
  const keys = SIMPLE_KEYS[type];
  const out: Message = {};
  for (const [k, v] of Object.entries(message)) {
    out[keys[k] ?? k] =
      k === 'orderbook_units'
        ? (v as Message[]).map((u) => Object.fromEntries(Object.entries(u).map(([uk, uv]) => [SIMPLE_UNIT_KEYS[uk] ?? uk, uv])))
        : v;
  }
  return out;
}

/** The frame text for a DEFAULT-named message in the requested format; *_LIST formats wrap it in an array. */
export function encode(type: UpbitType, message: Message, format: UpbitFormat): string {
  const body = format === 'SIMPLE' || format === 'SIMPLE_LIST' ? toSimple(type, message) : message;
  return JSON.stringify(format.endsWith('_LIST') ? [body] : body);
}
