// Maps one Kraken v2 connection's frames (ticker, trade, book; acknowledgements, pongs, heartbeats, status,
// instruments) to SIMPLE record drafts.

import { badFrame, GatewayError } from '../../sdk/index.ts';
import type { Draft, Mapper, Output, PluginConfig, TickerRecord } from '../../sdk/index.ts';
import { BookKeeper } from './book-keeper.ts';
import type { Precision } from './book-keeper.ts';
import { parseRaw } from './raw-json.ts';
import type { RawValue } from './raw-json.ts';
import {
  decimal,
  exactId,
  integer,
  isObj,
  list,
  optionalDecimal,
  percentFraction,
  positive,
  rfc3339Ms,
  text,
} from './values.ts';
import type { Obj } from './values.ts';
import { bookDepth } from './wire.ts';

const EX = 'kraken';
type TickerDraft = Omit<TickerRecord, 'rtms' | 'ep' | 'sq' | 'st'>;
const IGNORED_CHANNELS = new Set(['heartbeat', 'status']);

export class KrakenMapper implements Mapper {
  private readonly symbols: Set<string>;
  private readonly precisions = new Map<string, Precision>();
  readonly books: BookKeeper;

  constructor(config: PluginConfig, symbols: readonly string[]) {
    this.symbols = new Set(symbols);
    this.books = new BookKeeper(EX, bookDepth(config.depth), config.depth, (s) => this.precisions.get(s));
  }

  onMessage(frame: string, rtms: number, out: Output): void {
    const msg = parseRaw(frame);
    if (!isObj(msg)) throw badFrame('expected a JSON object');
    if (typeof msg.method === 'string') return this.onMethod(msg);
    const channel = typeof msg.channel === 'string' ? msg.channel : undefined;
    if (channel === undefined) throw badFrame('expected "method" or "channel"');
    if (IGNORED_CHANNELS.has(channel)) return;
    if (channel === 'instrument') return this.onInstruments(msg);
    const type = text(msg, 'type', channel);
    if (type !== 'snapshot' && type !== 'update') throw badFrame(`${channel}: unknown type "${type.slice(0, 20)}"`);
    const data = list(msg, 'data', channel);
    if (channel === 'ticker') this.each(data, 'ticker', (d, cd) => out.emit(ticker(d, cd, rtms)));
    else if (channel === 'trade') this.each(data, 'trade', (d, cd) => out.emit(trade(d, cd)));
    else if (channel === 'book') this.each(data, 'book', (d, cd) => this.book(d, cd, type === 'snapshot', rtms, out));
    else throw badFrame(`unknown channel "${channel.slice(0, 40)}"`);
  }

  /** Answers to our requests: acknowledgements and pongs are silent; a refusal is the exchange's error. */
  private onMethod(msg: Obj): void {
    if (msg.success === false) {
      const error = typeof msg.error === 'string' ? msg.error.slice(0, 200) : 'no reason given';
      const symbol = typeof msg.symbol === 'string' ? ` ${msg.symbol.slice(0, 40)}` : '';
      throw new GatewayError('EXCHANGE_ERROR', `Kraken ${String(msg.method).slice(0, 20)}${symbol}: ${error}`);
    }
  }

  /** `instrument` snapshot/update: the pairs' decimals, which the checksum's number formatting follows */
  private onInstruments(msg: Obj): void {
    const data = msg.data;
    if (!isObj(data)) throw badFrame('instrument.data: expected an object');
    const pairs = data.pairs === undefined ? [] : list(data, 'pairs', 'instrument.data');
    for (const p of pairs) {
      if (!isObj(p)) throw badFrame('instrument pair: expected an object');
      const symbol = text(p, 'symbol', 'instrument pair');
      if (!this.symbols.has(symbol)) continue;
      this.precisions.set(symbol, { price: integer(p, 'price_precision', symbol), qty: integer(p, 'qty_precision', symbol) });
    }
  }

  private each(data: RawValue[], what: string, fn: (d: Obj, cd: string) => void): void {
    for (const d of data) {
      if (!isObj(d)) throw badFrame(`${what}.data: expected objects`);
      const symbol = text(d, 'symbol', what);
      if (!this.symbols.has(symbol)) throw badFrame(`${what} for ${symbol.slice(0, 40)}: not a subscribed symbol`);
      fn(d, symbol);
    }
  }

  private book(d: Obj, cd: string, snapshot: boolean, rtms: number, out: Output): void {
    const checksum = integer(d, 'checksum', `book ${cd}`);
    const message = {
      symbol: cd,
      snapshot,
      asks: this.books.levels(list(d, 'asks', `book ${cd}`), cd, 'asks'),
      bids: this.books.levels(list(d, 'bids', `book ${cd}`), cd, 'bids'),
      checksum,
      tms: d.timestamp === undefined ? undefined : rfc3339Ms(d, 'timestamp', `book ${cd}`),
    };
    this.books.onMessage(message, rtms, out);
  }
}

/**
 * ticker: Kraken's 24 h figures are a rolling window; `change`/`change_pct` are against the price 24 h ago. No open,
 * previous close or quote volume is sent (quote volume would be volume × vwap, a derived figure: left out).
 */
function ticker(d: Obj, cd: string, rtms: number): Draft {
  const w = `ticker ${cd}`;
  const draft: TickerDraft = {
    ty: 'ticker',
    ex: EX,
    cd,
    mc: cd,
    tms: d.timestamp === undefined ? rtms : rfc3339Ms(d, 'timestamp', w),
    tp: decimal(d, 'last', w),
  };
  const optional: [keyof TickerDraft, number | undefined][] = [
    ['hp', optionalDecimal(d, 'high', w)],
    ['lp', optionalDecimal(d, 'low', w)],
    ['scp', optionalDecimal(d, 'change', w)],
    ['scr', percentFraction(d, 'change_pct', w)],
    ['atv24h', optionalDecimal(d, 'volume', w)],
  ];
  // a field Kraken did not send is absent from the record, never undefined
  for (const [k, v] of optional) if (v !== undefined) (draft as unknown as Record<string, number>)[k] = v;
  return draft;
}

/** trade: `side` is the taker's side ("sell": the taker sold, ASK); `trade_id` is a per-book sequence number. */
function trade(d: Obj, cd: string) {
  const w = `trade ${cd}`;
  const side = text(d, 'side', w);
  if (side !== 'buy' && side !== 'sell') throw badFrame(`${w}.side: expected buy or sell`);
  return {
    ty: 'trade' as const,
    ex: EX,
    cd,
    mc: cd,
    tms: rfc3339Ms(d, 'timestamp', w),
    tp: positive(d, 'price', w),
    tv: positive(d, 'qty', w),
    ab: side === 'sell' ? ('ASK' as const) : ('BID' as const),
    sid: exactId(d, 'trade_id', w),
  };
}
