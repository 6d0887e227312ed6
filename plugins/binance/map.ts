// Maps one Binance combined-stream connection's frames (24hrTicker, trade, depthUpdate) to SIMPLE record drafts.

import { badFrame, GatewayError } from '../../sdk/errors.ts';
import type { RecordType } from '../../sdk/model.ts';
import type { HttpResponse, Mapper, Output, PluginConfig } from '../../sdk/plugin.ts';
import { MarketBook } from './depth.ts';
import type { DepthDiff } from './depth.ts';
import { FastDiff, readFast } from './fast.ts';
import type { FastContext } from './fast.ts';
import { bool, decimal, integer, isObj, levels, percentToFraction, positive, text } from './fields.ts';
import type { Obj } from './fields.ts';
import { DEFAULT_REST_URL, depthSnapshotUrl, symbolTable } from './wire.ts';

const EX = 'binance';
const SNAPSHOT_TAG = 'depth:';

const EVENT_TYPES: Record<string, RecordType> = { '24hrTicker': 'ticker', trade: 'trade', depthUpdate: 'orderbook' };

export class BinanceMapper implements Mapper {
  /** Binance's `s` → unified symbol, for the configured symbols only */
  private readonly symbols: Map<string, string>;
  /** one diff-synchronized book per market code, created on its first depthUpdate */
  private readonly books = new Map<string, MarketBook>();

  private readonly fast: FastContext;

  constructor(private readonly config: PluginConfig) {
    this.symbols = symbolTable(config.symbols);
    this.fast = { symbols: this.symbols, channels: config.channels };
  }

  onMessage(frame: string, _rtms: number, out: Output): void {
    // Most frames are read straight from the text (fast.ts); whatever it is unsure of is decided below.
    const fast = readFast(frame, this.fast);
    if (fast) {
      if (fast instanceof FastDiff) this.book(fast.cd, fast.mc).onDiff(fast.diff, out);
      else out.emit(fast);
      return;
    }
    const msg: unknown = JSON.parse(frame);
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

    const mc = text(data, 's', data.e);
    const cd = this.symbols.get(mc);
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
    tp: decimal(d, 'c', w),
    op: decimal(d, 'o', w),
    hp: decimal(d, 'h', w),
    lp: decimal(d, 'l', w),
    pcp: decimal(d, 'x', w),
    scp: decimal(d, 'p', w),
    scr: percentToFraction(d, 'P', w),
    atv24h: decimal(d, 'v', w),
    atp24h: decimal(d, 'q', w),
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
    tp: positive(d, 'p', w),
    tv: positive(d, 'q', w),
    ab: bool(d, 'm', w) ? ('ASK' as const) : ('BID' as const),
    sid: rawTradeId(d, frame),
  };
}

/** `"t":<digits>` in the frame's text. */
const TRADE_ID_RE = /"t"\s*:\s*(\d{1,30})\s*[,}]/g;

/**
 * The trade id exactly as Binance wrote it. JSON.parse rounds ids above 2^53 (9007199254740993 becomes ...992), so
 * the digits come from the text; they must agree with the parsed value, which rules out a `"t"` found elsewhere.
 */
function rawTradeId(d: Obj, frame: string): string {
  const t = d.t;
  if (typeof t !== 'number' || !Number.isInteger(t) || t < 0) throw badFrame('trade.t: expected a non-negative integer');
  let digits: string | undefined;
  // The last match: JSON.parse keeps the last of duplicate keys, and `data` is the envelope's last member.
  for (const m of frame.matchAll(TRADE_ID_RE)) digits = m[1];
  if (digits === undefined || Number(digits) !== t) throw badFrame('trade.t: cannot read the id from the frame text');
  return digits;
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
