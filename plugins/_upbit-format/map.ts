// Maps Upbit-format frames (SIMPLE or DEFAULT, single or _LIST; Upbit and Bithumb v1) to record drafts.
//
// One reader per frame kind: JSON.parse, then each field once through the SDK's strict readers. Trade ids are
// integers that can exceed 2^53: a frame holding one is parsed again with its ids quoted, so `sid` stays exact.

import {
  badFrame, clip, eachItem, GatewayError, isObject, needsQuotedIds, num, oneOf, optExactId, optNonNegative, optNum, positive,
  quoteIds,
} from '../../sdk/index.ts';
import type { BookUnit, Draft, Json, Mapper, Output, SymbolTable } from '../../sdk/index.ts';
import { namesOf } from './names.ts';
import type { FieldNames } from './names.ts';
import type { TimeReader } from './time.ts';

/** What differs between exchanges that speak the Upbit format. */
export interface UpbitDialect {
  /** exchange id written into records */
  ex: string;
  /** reads a time field as ms since epoch (time.ts) */
  readTime: TimeReader;
}

type TickerDraft = Extract<Draft, { ty: 'ticker' }>;
type TradeDraft = Extract<Draft, { ty: 'trade' }>;
type BookDraft = Extract<Draft, { ty: 'orderbook' }>;
interface Market {
  ex: string;
  cd: string;
  mc: string;
}

/** Ticker fields passed through when present; `tp` and the time are required. Nothing else is (SPEC §3). */
const TICKER_OPTIONAL = ['op', 'hp', 'lp', 'pcp', 'scp', 'scr', 'atv24h', 'atp24h'] as const;
/** the trade id in SIMPLE and DEFAULT names */
const ID_KEYS = ['sid', 'sequential_id'];
const SIDES = ['ASK', 'BID'] as const;

/**
 * A mapper for one connection. `markets`: the configured symbols and their QUOTE-BASE codes. The mapper keeps no
 * state between frames, so a bad frame cannot affect later ones.
 */
export function createUpbitMapper(dialect: UpbitDialect, markets: SymbolTable): Mapper {
  const { ex } = dialect;

  function market(m: Json, n: FieldNames, type: string): Market {
    const raw = m[n.code];
    if (typeof raw !== 'string') throw badFrame(`${ex} ${type}: ${n.code} is ${clip(raw)}`);
    // an orderbook code may come back with the `.15` size suffix we asked for; mc is the bare code
    let cd = markets.symbol(raw);
    let mc = raw;
    if (cd === undefined && raw.length <= 40) {
      mc = raw.replace(/\.[0-9]+$/, '');
      cd = markets.symbol(mc);
    }
    if (cd === undefined) throw badFrame(`${ex} ${type}: market ${clip(raw)} was not subscribed`);
    return { ex, cd, mc };
  }

  function ticker(m: Json, n: FieldNames, k: Market): TickerDraft {
    const ctx = `${ex} ticker ${k.mc}`;
    const d: TickerDraft = { ty: 'ticker', ...k, tp: num(m, n.tp, ctx, 'number'), tms: dialect.readTime(m, n.tms, ctx) };
    for (const f of TICKER_OPTIONAL) {
      const v = optNum(m, n[f], ctx, 'number');
      if (v !== undefined) d[f] = v;
    }
    return d;
  }

  function trade(m: Json, n: FieldNames, k: Market): TradeDraft {
    const ctx = `${ex} trade ${k.mc}`;
    // ask_bid is the taker's side: ASK = the taker sold into a bid, exactly SPEC's meaning
    const ab = oneOf(m, n.ab, SIDES, ctx);
    const tp = positive(m, n.tp, ctx, 'number');
    const tv = positive(m, n.tv, ctx, 'number');
    // a trade without an id is still a trade: `sid` absent (SPEC §3); a malformed id is a bad frame
    const sid = optExactId(m, n.sid, ctx);
    // the execution time, not `timestamp` (when the message was made)
    const tms = dialect.readTime(m, n.ttms, ctx);
    return sid === undefined ? { ty: 'trade', ...k, tp, tv, ab, tms } : { ty: 'trade', ...k, tp, tv, ab, sid, tms };
  }

  function orderbook(m: Json, n: FieldNames, k: Market): BookDraft {
    const ctx = `${ex} orderbook ${k.mc}`;
    // the exchange's own totals are not passed on: the pipeline sums the levels it keeps
    return { ty: 'orderbook', ...k, tms: dialect.readTime(m, n.tms, ctx), obu: bookUnits(m, n, ctx) };
  }

  function mapOne(msg: unknown, out: Output): void {
    if (!isObject(msg)) throw badFrame(`${ex}: message is ${clip(msg)}`);
    if ('error' in msg) throw exchangeError(ex, msg.error);
    const n = namesOf(msg);
    if (!n) {
      if (msg.status === 'UP') return; // the answer to a text PING
      throw badFrame(`${ex}: message has neither ty nor type`);
    }
    const type = msg[n.type];
    if (type === 'ticker') out.emit(ticker(msg, n, market(msg, n, type)));
    else if (type === 'trade') out.emit(trade(msg, n, market(msg, n, type)));
    else if (type === 'orderbook') out.emit(orderbook(msg, n, market(msg, n, type)));
    else throw badFrame(`${ex}: unexpected message type ${clip(type)}`);
  }

  return {
    onMessage(text: string, _rtms: number, out: Output): void {
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        throw badFrame(`${ex}: frame is not JSON`);
      }
      if (needsQuotedIds(value, ID_KEYS)) value = JSON.parse(quoteIds(text, ID_KEYS));
      if (!Array.isArray(value)) return mapOne(value, out);
      // JSON_LIST / SIMPLE_LIST: each element is a message of its own; a bad one does not drop the others
      if (value.length === 0) throw badFrame(`${ex}: empty message list`);
      eachItem(value, (item) => mapOne(item, out));
    },
  };
}

function exchangeError(ex: string, error: unknown): GatewayError {
  const e = isObject(error) ? error : {};
  const name = typeof e.name === 'string' ? e.name.slice(0, 80) : 'UNKNOWN';
  const message = typeof e.message === 'string' ? e.message.slice(0, 200) : '';
  return new GatewayError('EXCHANGE_ERROR', `${ex} error ${name}: ${message}`);
}

/**
 * Orderbook units → SIMPLE units, best first. A side whose price or size is zero or absent has run out at that
 * rank and is left out. Each side is validated (asks ascending, bids descending, not crossed): a book that
 * breaks these would be published wrong, so the frame is BAD_FRAME instead.
 */
function bookUnits(m: Json, n: FieldNames, ctx: string): BookUnit[] {
  const raw = m[n.obu];
  if (!Array.isArray(raw)) throw badFrame(`${ctx}: ${n.obu} is ${clip(raw)}, not a list`);
  const asks: [number, number][] = [];
  const bids: [number, number][] = [];
  for (const u of raw) {
    if (!isObject(u)) throw badFrame(`${ctx}: a unit is ${clip(u)}`);
    const ask = level(u, n.ap, n.as, ctx);
    const bid = level(u, n.bp, n.bs, ctx);
    if (ask) {
      if (asks.length > 0 && ask[0] <= asks[asks.length - 1]![0]) throw badFrame(`${ctx}: asks do not ascend`);
      asks.push(ask);
    }
    if (bid) {
      if (bids.length > 0 && bid[0] >= bids[bids.length - 1]![0]) throw badFrame(`${ctx}: bids do not descend`);
      bids.push(bid);
    }
  }
  if (asks.length > 0 && bids.length > 0 && bids[0]![0] >= asks[0]![0]) throw badFrame(`${ctx}: book is crossed`);
  const obu: BookUnit[] = [];
  for (let i = 0; i < Math.max(asks.length, bids.length); i++) {
    const u: BookUnit = {};
    const a = asks[i];
    const b = bids[i];
    if (a) {
      u.ap = a[0];
      u.as = a[1];
    }
    if (b) {
      u.bp = b[0];
      u.bs = b[1];
    }
    obu.push(u);
  }
  return obu;
}

/** [price, size] of one side of a unit, or undefined where that side is empty (absent, null or zero) */
function level(u: Json, priceKey: string, sizeKey: string, ctx: string): [number, number] | undefined {
  const price = optNonNegative(u, priceKey, ctx, 'number');
  const size = optNonNegative(u, sizeKey, ctx, 'number');
  return price && size ? [price, size] : undefined;
}
