// Bithumb legacy (pubwss) payloads: transaction, ticker and orderbookdepth contents, every value a string.

import type { Market, StepResult, Trade } from '../../sim/market.ts';
import type { LevelChange } from '../../sim/order-book.ts';
import { compactDate, compactTime, kstMicros, kstParts } from '../../sim/time-format.ts';

export const TICK_TYPES: readonly string[] = ['30M', '1H', '12H', '24H', 'MID'];

/** Share of the 24 h figures each tick type reports; MID counts from midnight Korea time. */
function windowShare(tickType: string, nowMs: number): number {
  if (tickType === '30M') return 1 / 48;
  if (tickType === '1H') return 1 / 24;
  if (tickType === '12H') return 0.5;
  if (tickType === 'MID') return Math.max(0.01, ((nowMs + 9 * 3_600_000) % 86_400_000) / 86_400_000);
  return 1;
}

const trim = (text: string): string => (text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text);
const volume = (x: number): string => x.toFixed(8);

export interface TransactionItem {
  symbol: string;
  buySellGb: '1' | '2';
  contPrice: string;
  contQty: string;
  contAmt: string;
  contDtm: string;
  updn: 'up' | 'dn';
}

/** `prevPrice`: the price of the trade before `t`, for the up/down arrow. */
export function transactionItem(symbol: string, market: Market, t: Trade, prevPrice: number): TransactionItem {
  return {
    symbol,
    // "1" is a sell (the taker sold, 매도체결), "2" a buy.
    buySellGb: t.takerSide === 'sell' ? '1' : '2',
    contPrice: market.grid.format(t.price),
    contQty: t.qty.toFixed(market.qtyDecimals),
    contAmt: trim((t.price * t.qty).toFixed(4)),
    contDtm: kstMicros(t.tus),
    updn: t.price >= prevPrice ? 'up' : 'dn',
  };
}

export function tickerContent(symbol: string, market: Market, tickType: string, nowMs: number): Record<string, string> {
  const s = market.stats;
  const share = windowShare(tickType, nowMs);
  const close = market.lastTrade.price;
  const p = kstParts(market.lastTrade.tms);
  return {
    symbol,
    tickType,
    date: compactDate(p),
    time: compactTime(p),
    openPrice: market.grid.format(s.open),
    closePrice: market.grid.format(close),
    lowPrice: market.grid.format(s.low),
    highPrice: market.grid.format(s.high),
    value: (s.quoteVolume * share).toFixed(4),
    volume: volume(s.volume * share),
    sellVolume: volume(s.sellVolume * share),
    buyVolume: volume(s.buyVolume * share),
    prevClosePrice: market.grid.format(s.prevClose),
    // In percent, unlike Upbit's fraction.
    chgRate: (((close - s.open) / s.open) * 100).toFixed(2),
    chgAmt: trim((close - s.open).toFixed(4)),
    volumePower: ((s.buyVolume / s.sellVolume) * 100).toFixed(2),
  };
}

/** Bithumb reports how many orders rest at a level; the model has no orders, so a stable stand-in from the size. */
function orderCount(qty: number, market: Market): string {
  return qty === 0 ? '0' : String(1 + (Math.round(qty * 10 ** market.qtyDecimals) % 9));
}

export interface DepthItem {
  symbol: string;
  orderType: 'ask' | 'bid';
  price: string;
  quantity: string;
  total: string;
}

export function depthItems(symbol: string, market: Market, step: StepResult): DepthItem[] {
  const item = (orderType: 'ask' | 'bid', [price, qty]: LevelChange): DepthItem => ({
    symbol,
    orderType,
    price: market.grid.format(price),
    quantity: qty === 0 ? '0' : qty.toFixed(market.qtyDecimals),
    total: orderCount(qty, market),
  });
  return [...step.asks.map((c) => item('ask', c)), ...step.bids.map((c) => item('bid', c))];
}

/** REST /public/orderbook levels */
export function restLevels(market: Market, side: 'bid' | 'ask', count: number): { quantity: string; price: string }[] {
  return market.book.sorted(side, count).map((l) => ({ quantity: l.qty.toFixed(market.qtyDecimals), price: market.grid.format(l.price) }));
}
