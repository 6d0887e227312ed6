// Maps Coinone WebSocket v2 frames (DEFAULT or SHORT field names) to ticker, trade and orderbook drafts.

import { badFrame, clip, exactId, GatewayError, isObject, LatestPerMarket, nonNegative, optNonNegative, parseJson, positive, timeMs, wholeBookUnits } from '../../sdk/index.ts';
import type { BookDraft, Json, Mapper, Output, SymbolTable, TickerDraft, TradeDraft } from '../../sdk/index.ts';
import { DEFAULT_NAMES, SHORT_NAMES } from './wire.ts';
import type { FieldNames } from './wire.ts';

interface Market {
  ex: 'coinone';
  cd: string;
  mc: string;
}

/** answers that carry no data: acknowledgements and the keep-alive's answer */
const QUIET = new Set(['SUBSCRIBED', 'UNSUBSCRIBED', 'PONG', 'CONNECTED']);

const ms = (d: Json, key: string, what: string): number => timeMs(d, key, what, ['ms']);

/** an id of digits (ms + a counter), kept as a string */
function digits(d: Json, key: string, what: string): string {
  const id = exactId(d, key, what);
  if (!/^[1-9][0-9]*$/.test(id)) throw badFrame(`${what}: ${key} is ${clip(id)}, not an id of digits`);
  return id;
}

/** a > b for ids of digits without leading zeros, compared exactly (no float) */
const idAfter = (a: string, b: string): boolean => (a.length !== b.length ? a.length > b.length : a > b);

/**
 * A mapper for one connection. `markets`: `KRW-BTC` ↔ `BTC/KRW` for the configured symbols. Its only state is the
 * id of the last book published per market, so a book that arrives after a newer one is never published.
 */
export function createCoinoneMapper(markets: SymbolTable): Mapper {
  const lastBookId = new LatestPerMarket<string>(idAfter);

  function market(d: Json, n: FieldNames, channel: string): Market {
    const quote = d[n.quote];
    const target = d[n.target];
    if (typeof quote !== 'string' || typeof target !== 'string') {
      throw badFrame(`coinone ${channel}: market is ${clip(quote)}/${clip(target)}`);
    }
    const mc = `${quote}-${target}`;
    const cd = markets.symbol(mc);
    if (cd === undefined) throw badFrame(`coinone ${channel}: market ${clip(mc)} was not subscribed`);
    return { ex: 'coinone', cd, mc };
  }

  function ticker(d: Json, n: FieldNames, k: Market): TickerDraft {
    const ctx = `coinone ticker ${k.mc}`;
    const t: TickerDraft = { ty: 'ticker', ...k, tms: ms(d, n.time, ctx), tp: positive(d, n.last, ctx) };
    // Coinone sends no change figures: scp/scr stay absent; pcp is yesterday's (UTC) close
    const pairs: [keyof TickerDraft & ('op' | 'hp' | 'lp' | 'pcp' | 'atv24h' | 'atp24h'), string][] = [
      ['op', n.first], ['hp', n.high], ['lp', n.low], ['pcp', n.yesterdayLast], ['atv24h', n.targetVolume], ['atp24h', n.quoteVolume],
    ];
    for (const [key, field] of pairs) {
      const v = optNonNegative(d, field, ctx);
      if (v !== undefined) t[key] = v;
    }
    return t;
  }

  function trade(d: Json, n: FieldNames, k: Market): TradeDraft {
    const ctx = `coinone trade ${k.mc}`;
    const sm = d[n.sellerMaker];
    if (sm !== undefined && typeof sm !== 'boolean') throw badFrame(`${ctx}: ${n.sellerMaker} is ${clip(sm)}`);
    const t: TradeDraft = {
      ty: 'trade',
      ...k,
      tms: ms(d, n.time, ctx),
      tp: positive(d, n.price, ctx),
      tv: positive(d, n.qty, ctx),
      sid: exactId(d, n.id, ctx),
    };
    // the seller was the maker → the buyer took liquidity (BID); otherwise the seller was the taker (ASK)
    if (sm !== undefined) t.ab = sm ? 'BID' : 'ASK';
    return t;
  }

  function orderbook(d: Json, n: FieldNames, k: Market): BookDraft | undefined {
    const ctx = `coinone orderbook ${k.mc}`;
    const id = digits(d, n.id, ctx);
    const tms = ms(d, n.time, ctx);
    const obu = wholeBookUnits(levels(d[n.asks], n, `${ctx} asks`), levels(d[n.bids], n, `${ctx} bids`), ctx);
    // every message is a whole book: one older than the last one published is out of date, not a gap
    if (!lastBookId.accept(k.mc, id)) return undefined;
    return { ty: 'orderbook', ...k, tms, obu };
  }

  return {
    onMessage(text: string, _rtms: number, out: Output): void {
      const msg = parseJson(text, 'coinone');
      if (!isObject(msg)) throw badFrame(`coinone: message is ${clip(msg)}`);
      const n = 'r' in msg ? SHORT_NAMES : DEFAULT_NAMES;
      const type = msg[n.responseType];
      if (type === 'DATA') {
        const d = msg[n.data];
        const channel = msg[n.channel];
        if (!isObject(d)) throw badFrame(`coinone ${clip(channel)}: ${n.data} is ${clip(d)}`);
        if (channel === 'TICKER') return out.emit(ticker(d, n, market(d, n, channel)));
        if (channel === 'TRADE') return out.emit(trade(d, n, market(d, n, channel)));
        if (channel === 'ORDERBOOK') {
          const book = orderbook(d, n, market(d, n, channel));
          if (book) out.emit(book);
          return;
        }
        throw badFrame(`coinone: unexpected channel ${clip(channel)}`);
      }
      if (type === 'ERROR') throw exchangeError(msg);
      if (typeof type === 'string' && QUIET.has(type)) return;
      throw badFrame(`coinone: unexpected response_type ${clip(type)}`);
    },
  };
}

/** `{"response_type":"ERROR","error_code":160012,"message":"Invalid Topic"}` */
function exchangeError(msg: Json): GatewayError {
  const code = msg.error_code ?? msg.ec;
  const text = msg.message ?? msg.m;
  const c = typeof code === 'number' || typeof code === 'string' ? String(code).slice(0, 20) : 'unknown';
  const t = typeof text === 'string' ? text.slice(0, 200) : '';
  return new GatewayError('EXCHANGE_ERROR', `coinone error ${c}: ${t}`);
}

/** `[{price, qty}, ...]` → `[price, size]` pairs; a level of size 0 is not a level */
function levels(raw: unknown, n: FieldNames, ctx: string): [number, number][] {
  if (!Array.isArray(raw)) throw badFrame(`${ctx}: ${clip(raw)}, not a list`);
  const out: [number, number][] = [];
  for (const l of raw) {
    if (!isObject(l)) throw badFrame(`${ctx}: a level is ${clip(l)}`);
    const size = nonNegative(l, n.qty, ctx);
    if (size > 0) out.push([positive(l, n.price, ctx), size]);
  }
  return out;
}
