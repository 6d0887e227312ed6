// Bithumb legacy `transaction` and `ticker` contents → trade and ticker drafts (the order book is legacy-book.ts).

import { badFrame, clip, isObject, oneOf, optNonNegative, optNum, optPercentToFraction, positive } from '../../sdk/index.ts';
import type { Draft, Json, SymbolTable } from '../../sdk/index.ts';
import { contDtmMs, dateTimeMs } from './legacy-values.ts';

type TickerDraft = Extract<Draft, { ty: 'ticker' }>;
type TradeDraft = Extract<Draft, { ty: 'trade' }>;

/** ticker fields that are passed through when present and are never negative: record key, legacy key */
const OPTIONAL = [['op', 'openPrice'], ['hp', 'highPrice'], ['lp', 'lowPrice'], ['pcp', 'prevClosePrice']] as const;

/** `buySellGb`: "1" a sell fill, "2" a buy fill */
const FILLS = ['1', '2'] as const;

/** the configured market a legacy `symbol` names, as [mc, cd]; anything else is BAD_FRAME */
export function legacyMarket(markets: SymbolTable, symbol: unknown, what: string): [string, string] {
  const cd = typeof symbol === 'string' ? markets.symbol(symbol) : undefined;
  if (cd === undefined) throw badFrame(`${what}: symbol ${clip(symbol)} was not subscribed`);
  return [symbol as string, cd];
}

/**
 * One `transaction` list item. `buySellGb` "1" is a sell fill (매도체결: the taker sold, ASK), "2" a buy fill
 * (BID). Legacy sends no trade id, so `sid` is absent (SPEC §3: never invented).
 */
export function legacyTrade(ex: string, markets: SymbolTable, item: unknown): TradeDraft {
  if (!isObject(item)) throw badFrame(`${ex} transaction: item is ${clip(item)}`);
  const [mc, cd] = legacyMarket(markets, item.symbol, `${ex} transaction`);
  const what = `${ex} transaction ${mc}`;
  const gb = oneOf(item, 'buySellGb', FILLS, what);
  return {
    ty: 'trade',
    ex,
    cd,
    mc,
    tp: positive(item, 'contPrice', what),
    tv: positive(item, 'contQty', what),
    ab: gb === '1' ? 'ASK' : 'BID',
    tms: contDtmMs(item.contDtm, `${what} contDtm`),
  };
}

/**
 * A `ticker` content, or undefined for a tick type other than 24H (only 24H is subscribed; another would
 * describe a different window under the same stream key). `chgAmt`/`chgRate` are Bithumb's change against
 * the window's open; `chgRate` is a percentage and becomes a fraction.
 */
export function legacyTicker(ex: string, markets: SymbolTable, c: Json): TickerDraft | undefined {
  const [mc, cd] = legacyMarket(markets, c.symbol, `${ex} ticker`);
  const what = `${ex} ticker ${mc}`;
  if (typeof c.tickType !== 'string') throw badFrame(`${what}: tickType is ${clip(c.tickType)}`);
  if (c.tickType !== '24H') return undefined;
  const d: TickerDraft = {
    ty: 'ticker',
    ex,
    cd,
    mc,
    tp: positive(c, 'closePrice', what),
    tms: dateTimeMs(c.date, c.time, what),
  };
  for (const [k, key] of OPTIONAL) {
    const v = optNonNegative(c, key, what);
    if (v !== undefined) d[k] = v;
  }
  const scp = optNum(c, 'chgAmt', what);
  if (scp !== undefined) d.scp = scp;
  const scr = optPercentToFraction(c, 'chgRate', what);
  if (scr !== undefined) d.scr = scr;
  const atv24h = optNonNegative(c, 'volume', what);
  if (atv24h !== undefined) d.atv24h = atv24h;
  const atp24h = optNonNegative(c, 'value', what);
  if (atp24h !== undefined) d.atp24h = atp24h;
  return d;
}
