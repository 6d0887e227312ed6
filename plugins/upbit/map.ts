// Maps Upbit-format frames (SIMPLE or DEFAULT, single or _LIST) to record drafts; Bithumb v1 reuses it.

import { badFrame, GatewayError } from '../../sdk/errors.ts';
import type { BookUnit, Draft } from '../../sdk/model.ts';
import type { Mapper, Output } from '../../sdk/plugin.ts';
import { quoteIds } from './exact-ids.ts';
import { readFast } from './fast.ts';
import { eachMessage } from './message-list.ts';
import { msFromTimeNumber } from './time-unit.ts';
import { namesOf } from './fields.ts';
import type { FieldNames } from './fields.ts';
import { clip, isObject, optNumber, readId, reqNumber, reqPositive } from './read.ts';
import type { Json } from './read.ts';

/** What differs between exchanges that speak Upbit's format. */
export interface UpbitDialect {
  /** exchange id written into records */
  ex: string;
  /** reads a time field as ms since epoch; throws BAD_FRAME when it is missing or malformed */
  readTime(m: Json, key: string, ctx: string): number;
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

/** Upbit's own time fields: JSON numbers, ms since epoch, or µs (16 digits) floored to ms (time-unit.ts). */
export function msTime(m: Json, key: string, ctx: string): number {
  const v = m[key];
  const ms = typeof v === 'number' ? msFromTimeNumber(v) : undefined;
  if (ms !== undefined) return ms;
  throw badFrame(`${ctx}: ${key} is ${clip(v)}, not a time in ms (13 digits) or µs (16 digits)`);
}

/**
 * A mapper for one connection. `markets`: native code (`KRW-BTC`) → unified symbol, for the configured
 * symbols. The mapper keeps no state between frames, so a bad frame cannot affect later ones.
 */
export function createUpbitMapper(dialect: UpbitDialect, markets: ReadonlyMap<string, string>): Mapper {
  const { ex } = dialect;

  function market(m: Json, n: FieldNames, type: string): Market {
    const raw = m[n.code];
    if (typeof raw !== 'string') throw badFrame(`${ex} ${type}: ${n.code} is ${clip(raw)}`);
    // an orderbook code may come back with the `.15` size suffix we asked for; mc is the bare code
    const mc = markets.has(raw) || raw.length > 40 ? raw : raw.replace(/\.[0-9]+$/, '');
    const cd = markets.get(mc);
    if (cd === undefined) throw badFrame(`${ex} ${type}: market ${clip(raw)} was not subscribed`);
    return { ex, cd, mc };
  }

  function ticker(m: Json, n: FieldNames, k: Market): TickerDraft {
    const ctx = `${ex} ticker ${k.mc}`;
    const d: TickerDraft = { ty: 'ticker', ...k, tp: reqNumber(m, n.tp, ctx), tms: dialect.readTime(m, n.tms, ctx) };
    for (const f of TICKER_OPTIONAL) {
      const v = optNumber(m, n[f], ctx);
      if (v !== undefined) d[f] = v;
    }
    return d;
  }

  function trade(m: Json, n: FieldNames, k: Market): TradeDraft {
    const ctx = `${ex} trade ${k.mc}`;
    const ab = m[n.ab];
    // ask_bid is the taker's side: ASK = the taker sold into a bid, exactly SPEC's meaning
    if (ab !== 'ASK' && ab !== 'BID') throw badFrame(`${ctx}: ${n.ab} is ${clip(ab)}`);
    return {
      ty: 'trade',
      ...k,
      tp: reqPositive(m, n.tp, ctx),
      tv: reqPositive(m, n.tv, ctx),
      ab,
      // a trade without an id is still a trade: `sid` absent (SPEC §3); a malformed id is a bad frame
      ...(m[n.sid] === undefined || m[n.sid] === null ? {} : { sid: readId(m, n.sid, ctx) }),
      // the execution time, not `timestamp` (when the message was made)
      tms: dialect.readTime(m, n.ttms, ctx),
    };
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

  const drafts: Draft[] = [];
  return {
    onMessage(text: string, _rtms: number, out: Output): void {
      // Most frames are read straight from the text (fast.ts); whatever it is unsure of is decided below.
      drafts.length = 0;
      if (readFast(text, dialect, markets, drafts)) {
        for (let i = 0; i < drafts.length; i++) out.emit(drafts[i]!);
        return;
      }
      let value: unknown;
      try {
        value = JSON.parse(quoteIds(text));
      } catch {
        throw badFrame(`${ex}: frame is not JSON`);
      }
      if (!Array.isArray(value)) return mapOne(value, out);
      // JSON_LIST / SIMPLE_LIST: each element is a message of its own; a bad one does not drop the others
      if (value.length === 0) throw badFrame(`${ex}: empty message list`);
      eachMessage(value, (item) => mapOne(item, out));
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

/** [price, size] of one side of a unit, or undefined where that side is empty */
function level(u: Json, priceKey: string, sizeKey: string, ctx: string): [number, number] | undefined {
  const price = optNumber(u, priceKey, ctx);
  const size = optNumber(u, sizeKey, ctx);
  if ((price !== undefined && price < 0) || (size !== undefined && size < 0)) {
    throw badFrame(`${ctx}: negative ${priceKey}/${sizeKey}`);
  }
  return price && size ? [price, size] : undefined;
}
