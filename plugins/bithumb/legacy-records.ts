// Bithumb legacy `transaction` and `ticker` contents → trade and ticker drafts (the order book is legacy-book.ts).

import { badFrame } from '../../sdk/errors.ts';
import type { Draft } from '../../sdk/model.ts';
import { clip, isObject } from '../upbit/read.ts';
import type { Json } from '../upbit/read.ts';
import { contDtmMs, dateTimeMs, optDecimal, percentToFraction, positive } from './legacy-values.ts';

type TickerDraft = Extract<Draft, { ty: 'ticker' }>;
type TradeDraft = Extract<Draft, { ty: 'trade' }>;

/** the configured market a legacy `symbol` names, as [mc, cd]; anything else is BAD_FRAME */
export function legacyMarket(markets: ReadonlyMap<string, string>, symbol: unknown, what: string): [string, string] {
  const cd = typeof symbol === 'string' ? markets.get(symbol) : undefined;
  if (cd === undefined) throw badFrame(`${what}: symbol ${clip(symbol)} was not subscribed`);
  return [symbol as string, cd];
}

/**
 * One `transaction` list item. `buySellGb` "1" is a sell fill (매도체결: the taker sold, ASK), "2" a buy fill
 * (BID). Legacy sends no trade id, so `sid` is absent (SPEC §3: never invented).
 */
export function legacyTrade(ex: string, markets: ReadonlyMap<string, string>, item: unknown): TradeDraft {
  if (!isObject(item)) throw badFrame(`${ex} transaction: item is ${clip(item)}`);
  const [mc, cd] = legacyMarket(markets, item.symbol, `${ex} transaction`);
  const what = `${ex} transaction ${mc}`;
  const gb = item.buySellGb;
  if (gb !== '1' && gb !== '2') throw badFrame(`${what}: buySellGb is ${clip(gb)}`);
  return {
    ty: 'trade',
    ex,
    cd,
    mc,
    tp: positive(item.contPrice, `${what} contPrice`),
    tv: positive(item.contQty, `${what} contQty`),
    ab: gb === '1' ? 'ASK' : 'BID',
    tms: contDtmMs(item.contDtm, `${what} contDtm`),
  };
}

/**
 * A `ticker` content, or undefined for a tick type other than 24H (only 24H is subscribed; another would
 * describe a different window under the same stream key). `chgAmt`/`chgRate` are Bithumb's change against
 * the window's open; `chgRate` is a percentage and becomes a fraction.
 */
export function legacyTicker(ex: string, markets: ReadonlyMap<string, string>, c: Json): TickerDraft | undefined {
  const [mc, cd] = legacyMarket(markets, c.symbol, `${ex} ticker`);
  const what = `${ex} ticker ${mc}`;
  if (typeof c.tickType !== 'string') throw badFrame(`${what}: tickType is ${clip(c.tickType)}`);
  if (c.tickType !== '24H') return undefined;
  const d: TickerDraft = {
    ty: 'ticker',
    ex,
    cd,
    mc,
    tp: positive(c.closePrice, `${what} closePrice`),
    tms: dateTimeMs(c.date, c.time, what),
  };
  const put = (k: 'op' | 'hp' | 'lp' | 'pcp' | 'scp' | 'atv24h' | 'atp24h', v: number | undefined) => {
    if (v !== undefined) d[k] = v;
  };
  put('op', optDecimal(c.openPrice, `${what} openPrice`));
  put('hp', optDecimal(c.highPrice, `${what} highPrice`));
  put('lp', optDecimal(c.lowPrice, `${what} lowPrice`));
  put('pcp', optDecimal(c.prevClosePrice, `${what} prevClosePrice`));
  put('scp', optDecimal(c.chgAmt, `${what} chgAmt`, true));
  if (c.chgRate !== undefined && c.chgRate !== null) d.scr = percentToFraction(c.chgRate, `${what} chgRate`);
  put('atv24h', optDecimal(c.volume, `${what} volume`));
  put('atp24h', optDecimal(c.value, `${what} value`));
  return d;
}
