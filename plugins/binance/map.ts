// Maps one Binance combined-stream connection's frames (24hrTicker, trade, depthUpdate) to SIMPLE record drafts.
//
// One reader per frame kind: JSON.parse, then each field once through the SDK's strict readers (decimals as strings,
// Binance's form). Trade ids are integers: exact as parsed below 2^53, re-read from the text above it.

import {
  badFrame, bool, exactId, GatewayError, integer, isObject, needsQuotedIds, num, percentToFraction, positive, quoteIds, str,
} from '../../sdk/index.ts';
import type { HttpResponse, Json, Mapper, Output, PluginConfig, RecordType, SymbolTable } from '../../sdk/index.ts';
import { MarketBook } from './depth.ts';
import type { DepthDiff } from './depth.ts';
import { levels } from './fields.ts';
import { DEFAULT_REST_URL, depthSnapshotUrl, symbolTable } from './wire.ts';

type Obj = Json;
const isObj = isObject;

const EX = 'binance';
const SNAPSHOT_TAG = 'depth:';

const EVENT_TYPES: Record<string, RecordType> = { '24hrTicker': 'ticker', trade: 'trade', depthUpdate: 'orderbook' };

export class BinanceMapper implements Mapper {
  /** Binance's `s` ↔ unified symbol, for the configured symbols only */
  private readonly symbols: SymbolTable;
  /** one diff-synchronized book per market code, created on its first depthUpdate */
  private readonly books = new Map<string, MarketBook>();

  constructor(private readonly config: PluginConfig) {
    this.symbols = symbolTable(config.symbols);
  }

  onMessage(frame: string, _rtms: number, out: Output): void {
    let msg: unknown;
    try {
      msg = JSON.parse(frame);
    } catch {
      throw badFrame('frame is not JSON');
    }
    if (!isObj(msg)) throw badFrame('expected a JSON object');
    if ('error' in msg || ('code' in msg && 'msg' in msg)) throw exchangeError(msg);
    if ('result' in msg && 'id' in msg) return; // the answer to a SUBSCRIBE/UNSUBSCRIBE/LIST request
    // Combined streams wrap every event; a raw /ws connection would send the event itself.
    let data: unknown = msg;
    if ('stream' in msg) {
      if (typeof msg.stream !== 'string') throw badFrame('stream: expected a string');
      data = msg.data;
    }
    if (!isObj(data) || typeof data.e !== 'string') throw badFrame('expected an event object with "e"');
    if (data.e === 'serverShutdown') {
      // The server will close this connection soon: the worker replaces it without losing records.
      out.rollover('serverShutdown');
      return;
    }
    const ty = Object.hasOwn(EVENT_TYPES, data.e) ? EVENT_TYPES[data.e] : undefined;
    if (ty === undefined) throw badFrame(`unknown event "${data.e.slice(0, 40)}"`);

    const mc = str(data, 's', data.e);
    const cd = this.symbols.symbol(mc);
    if (cd === undefined) throw badFrame(`${data.e} for ${mc.slice(0, 40)}: not a configured symbol`);
    if (!this.config.channels.includes(ty)) throw badFrame(`${data.e} for ${mc}: channel ${ty} is not configured`);

    if (ty === 'ticker') out.emit(ticker(data, cd, mc));
    else if (ty === 'trade') out.emit(trade(data, cd, mc, frame));
    else this.book(cd, mc).onDiff(depthDiff(data, mc), out);
  }

  onResponse(tag: string, response: HttpResponse, rtms: number, out: Output): void {
    if (!tag.startsWith(SNAPSHOT_TAG)) return;
    this.books.get(tag.slice(SNAPSHOT_TAG.length))?.onSnapshot(response, rtms, out);
  }

  private book(cd: string, mc: string): MarketBook {
    let book = this.books.get(mc);
    if (!book) {
      const restUrl = this.config.restUrl ?? DEFAULT_REST_URL;
      const target = { ex: EX, cd, mc, depth: this.config.depth, tag: SNAPSHOT_TAG + mc, snapshotUrl: depthSnapshotUrl(restUrl, mc) };
      book = new MarketBook(target);
      this.books.set(mc, book);
    }
    return book;
  }
}

/** 24hrTicker: Binance's change is against the price 24 h ago (rolling window), `x` is the last price before it. */
function ticker(d: Obj, cd: string, mc: string) {
  const w = '24hrTicker';
  return {
    ty: 'ticker' as const,
    ex: EX,
    cd,
    mc,
    tms: integer(d, 'E', w),
    tp: num(d, 'c', w, 'string'),
    op: num(d, 'o', w, 'string'),
    hp: num(d, 'h', w, 'string'),
    lp: num(d, 'l', w, 'string'),
    pcp: num(d, 'x', w, 'string'),
    scp: num(d, 'p', w, 'string'),
    scr: percentToFraction(d, 'P', w),
    atv24h: num(d, 'v', w, 'string'),
    atp24h: num(d, 'q', w, 'string'),
  };
}

/** trade: `m` true means the buyer was the maker, so the taker sold (ASK). */
function trade(d: Obj, cd: string, mc: string, frame: string) {
  const w = 'trade';
  return {
    ty: 'trade' as const,
    ex: EX,
    cd,
    mc,
    tms: integer(d, 'T', w),
    tp: positive(d, 'p', w, 'string'),
    tv: positive(d, 'q', w, 'string'),
    ab: bool(d, 'm', w) ? ('ASK' as const) : ('BID' as const),
    sid: tradeId(d, frame),
  };
}

const TRADE_ID = ['t'];

/**
 * The trade id exactly as Binance wrote it. Below 2^53 the parsed number is exact; above it JSON.parse rounded it
 * (9007199254740993 becomes ...992), so the frame is parsed again with the id quoted in the text (sdk quoteIds): rare,
 * and only for that frame.
 */
function tradeId(d: Obj, frame: string): string {
  if (typeof d.t !== 'number') throw badFrame(`trade: t is ${typeof d.t}, not an integer`);
  if (!needsQuotedIds(d, TRADE_ID)) return exactId(d, 't', 'trade');
  const exact: unknown = JSON.parse(quoteIds(frame, TRADE_ID));
  const data = isObj(exact) && isObj(exact.data) ? exact.data : exact;
  return exactId(isObj(data) ? data : {}, 't', 'trade');
}

function depthDiff(d: Obj, mc: string): DepthDiff {
  const w = `depthUpdate ${mc}`;
  const diff = { E: integer(d, 'E', w), U: integer(d, 'U', w), u: integer(d, 'u', w), bids: levels(d, 'b', w), asks: levels(d, 'a', w) };
  if (diff.U > diff.u) throw badFrame(`${w}: U ${diff.U} is after u ${diff.u}`);
  return diff;
}

/** `{"error":{"code":2,"msg":"..."},"id":1}` (stream requests) or `{"code":-1121,"msg":"..."}` (API errors). */
function exchangeError(msg: Obj): GatewayError {
  const e = isObj(msg.error) ? msg.error : msg;
  const code = typeof e.code === 'number' || typeof e.code === 'string' ? String(e.code) : '?';
  const text = typeof e.msg === 'string' ? e.msg.slice(0, 200) : JSON.stringify(msg).slice(0, 200);
  return new GatewayError('EXCHANGE_ERROR', `Binance error ${code}: ${text}`);
}
