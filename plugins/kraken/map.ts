// Maps one Kraken v2 connection's frames (ticker, trade, book; acknowledgements, pongs, heartbeats, status,
// instruments) to SIMPLE record drafts.

import {
  badFrame,
  exactId,
  GatewayError,
  integer,
  isObject,
  num,
  oneOf,
  optNonNegative,
  optNum,
  optPercentToFraction,
  positive,
  quoteIds,
  str,
} from '../../sdk/index.ts';
import type { Draft, Json, Mapper, Output, PluginConfig, SymbolTable, TickerRecord } from '../../sdk/index.ts';
import { bookSide, KrakenBooks } from './books.ts';
import type { BookUpdate, Precision } from './books.ts';
import { optRfc3339Ms, rfc3339Ms } from './time.ts';
import { bookDepth } from './wire.ts';

const EX = 'kraken';
const IGNORED_CHANNELS = new Set(['heartbeat', 'status']);
/** trade ids are integers; quoted in the text before parsing so that none loses digits */
const ID_KEYS = ['trade_id'];
type TickerDraft = Omit<TickerRecord, 'rtms' | 'ep' | 'sq' | 'st'>;

export class KrakenMapper implements Mapper {
  private readonly precisions = new Map<string, Precision>();
  private readonly books: KrakenBooks;

  constructor(
    config: PluginConfig,
    /** this connection's symbols (Kraken's v2 code is the unified symbol) */
    private readonly table: SymbolTable,
  ) {
    this.books = new KrakenBooks(EX, bookDepth(config.depth), config.depth, (s) => this.precisions.get(s));
  }

  onMessage(frame: string, rtms: number, out: Output): void {
    this.books.tick(rtms, out);
    const msg: unknown = JSON.parse(quoteIds(frame, ID_KEYS));
    if (!isObject(msg)) throw badFrame('expected a JSON object');
    if (typeof msg.method === 'string') return onMethod(msg);
    if (typeof msg.channel !== 'string') throw badFrame('expected "method" or "channel"');
    const channel = msg.channel;
    if (IGNORED_CHANNELS.has(channel)) return;
    if (channel === 'instrument') return this.onInstruments(msg);
    const type = oneOf(msg, 'type', ['snapshot', 'update'], channel.slice(0, 20));
    const data = msg.data;
    if (!Array.isArray(data)) throw badFrame(`${channel}: data is not a list`);
    if (channel === 'ticker') this.each(data, 'ticker', (d, cd) => out.emit(ticker(d, cd, rtms)));
    else if (channel === 'trade') this.each(data, 'trade', (d, cd) => out.emit(trade(d, cd)));
    else if (channel === 'book') this.each(data, 'book', (d, cd) => this.book(d, cd, type === 'snapshot', rtms, out));
    else throw badFrame(`unknown channel ${JSON.stringify(channel.slice(0, 40))}`);
  }

  /** `instrument` snapshot/update: the pairs' decimals, which the checksum's number formatting follows */
  private onInstruments(msg: Json): void {
    const data = msg.data;
    if (!isObject(data)) throw badFrame('instrument: data is not an object');
    const pairs = data.pairs ?? [];
    if (!Array.isArray(pairs)) throw badFrame('instrument: pairs is not a list');
    for (const p of pairs) {
      if (!isObject(p)) throw badFrame('instrument: a pair is not an object');
      const symbol = str(p, 'symbol', 'instrument pair');
      if (this.table.symbol(symbol) === undefined) continue;
      this.precisions.set(symbol, { price: integer(p, 'price_precision', symbol), qty: integer(p, 'qty_precision', symbol) });
    }
  }

  private each(data: unknown[], what: string, fn: (d: Json, cd: string) => void): void {
    for (const d of data) {
      if (!isObject(d)) throw badFrame(`${what}: data holds something other than objects`);
      const code = str(d, 'symbol', what);
      const cd = this.table.symbol(code);
      if (cd === undefined) throw badFrame(`${what} for ${code.slice(0, 40)}: not a subscribed symbol`);
      fn(d, cd);
    }
  }

  private book(d: Json, cd: string, snapshot: boolean, rtms: number, out: Output): void {
    const what = `book ${cd}`;
    const checksum = integer(d, 'checksum', what);
    const update: BookUpdate = {
      asks: bookSide(d, 'asks', what),
      bids: bookSide(d, 'bids', what),
      checksum: this.precisions.has(cd) ? checksum : undefined,
      tms: optRfc3339Ms(d, 'timestamp', what) ?? rtms,
    };
    if (snapshot) this.books.onSnapshot(cd, update, rtms, out);
    else this.books.onUpdate(cd, update, rtms, out);
  }
}

/** Answers to our requests: acknowledgements and pongs are silent; a refusal is the exchange's error. */
function onMethod(msg: Json): void {
  if (msg.success !== false) return;
  const error = typeof msg.error === 'string' ? msg.error.slice(0, 200) : 'no reason given';
  const symbol = typeof msg.symbol === 'string' ? ` ${msg.symbol.slice(0, 40)}` : '';
  throw new GatewayError('EXCHANGE_ERROR', `Kraken ${String(msg.method).slice(0, 20)}${symbol}: ${error}`);
}

/**
 * ticker: Kraken's 24 h figures are a rolling window; `change`/`change_pct` are against the price 24 h ago. No open,
 * previous close or quote volume is sent (quote volume would be volume × vwap, a derived figure: left out).
 */
function ticker(d: Json, cd: string, rtms: number): Draft {
  const w = `ticker ${cd}`;
  const draft: TickerDraft = { ty: 'ticker', ex: EX, cd, mc: cd, tms: optRfc3339Ms(d, 'timestamp', w) ?? rtms, tp: num(d, 'last', w) };
  const optional: [keyof TickerDraft, number | undefined][] = [
    ['hp', optNum(d, 'high', w)],
    ['lp', optNum(d, 'low', w)],
    ['scp', optNum(d, 'change', w)],
    ['scr', optPercentToFraction(d, 'change_pct', w)],
    ['atv24h', optNonNegative(d, 'volume', w)],
  ];
  // a field Kraken did not send is absent from the record, never undefined
  for (const [k, v] of optional) if (v !== undefined) (draft as unknown as Record<string, number>)[k] = v;
  return draft;
}

/** trade: `side` is the taker's side ("sell": the taker sold, ASK); `trade_id` is a per-book sequence number. */
function trade(d: Json, cd: string): Draft {
  const w = `trade ${cd}`;
  const side = oneOf(d, 'side', ['buy', 'sell'], w);
  const sid = exactId(d, 'trade_id', w);
  if (!/^\d{1,30}$/.test(sid)) throw badFrame(`${w}: trade_id is not a non-negative integer`);
  return {
    ty: 'trade',
    ex: EX,
    cd,
    mc: cd,
    tms: rfc3339Ms(d, 'timestamp', w),
    tp: positive(d, 'price', w),
    tv: positive(d, 'qty', w),
    ab: side === 'sell' ? 'ASK' : 'BID',
    sid,
  };
}
