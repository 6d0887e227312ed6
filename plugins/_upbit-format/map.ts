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
  const obu: BookUnit[] = [];
  let asks = 0;
  let bids = 0;
  let lastAsk = 0;
  let lastBid = 0;
  for (const u of raw) {
    if (!isObject(u)) throw badFrame(`${ctx}: a unit is ${clip(u)}`);
    const ap = optNonNegative(u, n.ap, ctx, 'number');
    const as = optNonNegative(u, n.as, ctx, 'number');
    const bp = optNonNegative(u, n.bp, ctx, 'number');
    const bs = optNonNegative(u, n.bs, ctx, 'number');
    // each side is compacted on its own: the k-th unit out carries the k-th ask and the k-th bid that are there
    if (ap && as) {
      if (asks > 0 && ap <= lastAsk) throw badFrame(`${ctx}: asks do not ascend`);
      const unit = obu[asks] ?? (obu[asks] = {});
      unit.ap = ap;
      unit.as = as;
      lastAsk = ap;
      asks++;
    }
    if (bp && bs) {
      if (bids > 0 && bp >= lastBid) throw badFrame(`${ctx}: bids do not descend`);
      const unit = obu[bids] ?? (obu[bids] = {});
      unit.bp = bp;
      unit.bs = bs;
      lastBid = bp;
      bids++;
    }
  }
  if (asks > 0 && bids > 0 && obu[0]!.bp! >= obu[0]!.ap!) throw badFrame(`${ctx}: book is crossed`);
  return obu;
}
