// Maps Korbit WebSocket v2 frames (ticker, trade lists, whole top-30 books, status answers) to record drafts.

import {
  badFrame, bool, clip, eachItem, exactId, GatewayError, isObject, nonNegative, optNonNegative, optNum,
  LatestPerMarket, optPercentToFraction, positive, quoteIds, str, timeMs, wholeBookUnits,
} from '../../sdk/index.ts';
import type { BookDraft, Json, Mapper, Output, SymbolTable, TickerDraft, TradeDraft } from '../../sdk/index.ts';

interface Market {
  ex: 'korbit';
  cd: string;
  mc: string;
}

const ms = (o: Json, key: string, what: string): number => timeMs(o, key, what, ['ms']);

/**
 * A mapper for one connection. `markets`: `btc_krw` ↔ `BTC/KRW` for the configured symbols. Its only state is the
 * time of the last book published per market: every book message is the whole top 30, so one older than the last
 * published (a late frame) is dropped, never published over a newer one.
 */
export function createKorbitMapper(markets: SymbolTable): Mapper {
  const lastBookTms = new LatestPerMarket<number>((tms, last) => tms >= last);

  function market(msg: Json, type: string): Market {
    const mc = str(msg, 'symbol', `korbit ${type}`, 40);
    const cd = markets.symbol(mc);
    if (cd === undefined) throw badFrame(`korbit ${type}: market ${clip(mc)} was not subscribed`);
    return { ex: 'korbit', cd, mc };
  }

  function ticker(msg: Json, k: Market): TickerDraft {
    const what = `korbit ticker ${k.mc}`;
    const d = msg.data;
    if (!isObject(d)) throw badFrame(`${what}: data is ${clip(d)}`);
    // the envelope's `timestamp` is when the server sent it: the ticker's event time
    const t: TickerDraft = { ty: 'ticker', ...k, tms: ms(msg, 'timestamp', what), tp: positive(d, 'close', what) };
    const set = (key: 'op' | 'hp' | 'lp' | 'pcp' | 'scp' | 'scr' | 'atv24h' | 'atp24h', v: number | undefined) => {
      if (v !== undefined) t[key] = v;
    };
    set('op', optNonNegative(d, 'open', what));
    set('hp', optNonNegative(d, 'high', what));
    set('lp', optNonNegative(d, 'low', what));
    set('pcp', optNonNegative(d, 'prevClose', what));
    // Korbit's own change: close − prevClose, and the same in percent
    set('scp', optNum(d, 'priceChange', what));
    set('scr', optPercentToFraction(d, 'priceChangePercent', what));
    set('atv24h', optNonNegative(d, 'volume', what));
    set('atp24h', optNonNegative(d, 'quoteVolume', what));
    return t;
  }

  function trades(msg: Json, k: Market, out: Output): void {
    const what = `korbit trade ${k.mc}`;
    const list = msg.data;
    if (!Array.isArray(list) || list.length === 0) throw badFrame(`${what}: data is ${clip(list)}, not a list of trades`);
    // each trade of the frame stands alone: a bad one is reported after the others went out
    eachItem(list, (row) => {
      if (!isObject(row)) throw badFrame(`${what}: a trade is ${clip(row)}`);
      const t: TradeDraft = {
        ty: 'trade',
        ...k,
        tms: ms(row, 'timestamp', what),
        tp: positive(row, 'price', what),
        tv: positive(row, 'qty', what),
        // isBuyerTaker: the buyer took liquidity (BID); otherwise the seller did (ASK)
        ab: bool(row, 'isBuyerTaker', what) ? 'BID' : 'ASK',
        sid: exactId(row, 'tradeId', what),
      };
      out.emit(t);
    });
  }

  function orderbook(msg: Json, k: Market): BookDraft | undefined {
    const what = `korbit orderbook ${k.mc}`;
    const d = msg.data;
    if (!isObject(d)) throw badFrame(`${what}: data is ${clip(d)}`);
    // `data.timestamp` is the book's own time (the envelope's is when it was sent)
    const tms = ms(d, 'timestamp', what);
    const obu = wholeBookUnits(levels(d.asks, `${what} asks`), levels(d.bids, `${what} bids`), what);
    // a stopped market answers with one empty book: nothing to publish
    if (obu.length === 0) return undefined;
    if (!lastBookTms.accept(k.mc, tms)) return undefined;
    return { ty: 'orderbook', ...k, tms, obu };
  }

  return {
    onMessage(text: string, _rtms: number, out: Output): void {
      let msg: unknown;
      try {
        // trade ids are JSON integers: quoted first so that ids beyond 2^53 keep every digit
        msg = JSON.parse(quoteIds(text, ['tradeId']));
      } catch {
        throw badFrame('korbit: frame is not JSON');
      }
      if (!isObject(msg)) throw badFrame(`korbit: message is ${clip(msg)}`);
      // control answers carry `status` and no `type`
      if ('status' in msg && !('type' in msg)) return status(msg);
      const type = msg.type;
      if (type === 'ticker') return out.emit(ticker(msg, market(msg, type)));
      if (type === 'trade') return trades(msg, market(msg, type), out);
      if (type === 'orderbook') {
        const book = orderbook(msg, market(msg, type));
        if (book) out.emit(book);
        return;
      }
      throw badFrame(`korbit: unexpected type ${clip(type)}`);
    },
  };
}

/** `{"status":"success","requestId":1}` is an acknowledgement; `fail` / `error` are the exchange's errors */
function status(msg: Json): void {
  const s = msg.status;
  if (s === 'success') return;
  if (s !== 'fail' && s !== 'error') throw badFrame(`korbit: unexpected status ${clip(s)}`);
  const code = typeof msg.code === 'string' ? ` ${msg.code.slice(0, 40)}` : '';
  const text = typeof msg.message === 'string' ? `: ${msg.message.slice(0, 200)}` : '';
  throw new GatewayError('EXCHANGE_ERROR', `korbit ${s}${code}${text}`);
}

/** `[{price, qty}, ...]` → `[price, size]` pairs; a level of size 0 is not a level */
function levels(raw: unknown, what: string): [number, number][] {
  if (!Array.isArray(raw)) throw badFrame(`${what}: ${clip(raw)}, not a list`);
  const out: [number, number][] = [];
  for (const l of raw) {
    if (!isObject(l)) throw badFrame(`${what}: a level is ${clip(l)}`);
    const size = nonNegative(l, 'qty', what);
    if (size > 0) out.push([positive(l, 'price', what), size]);
  }
  return out;
}
