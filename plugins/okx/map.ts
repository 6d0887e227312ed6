// Maps OKX public frames (tickers, trades, books, books5, events, "pong") to record drafts, one mapper per connection.

import {
  badFrame,
  exactId,
  exactSum,
  GatewayError,
  integer,
  isObject,
  levels,
  num,
  oneOf,
  optNonNegative,
  positive,
  SnapshotPacer,
  str,
  symbolTable,
  timeMs,
} from '../../sdk/index.ts';
import type { Draft, HttpResponse, Json, Mapper, Output, PluginConfig, SymbolTable, TextLevel } from '../../sdk/index.ts';
import { OkxBook, type BookData } from './book.ts';
import { bookSnapshotUrl, INST_ID, opFrame, PONG_FRAME, type SubscribeArg } from './wire.ts';

const TAG_PREFIX = 'book:';
const MS = ['ms'] as const;

export class OkxMapper implements Mapper {
  private readonly symbols: SymbolTable;
  private readonly books = new Map<string, OkxBook>();
  // Resubscribing costs two of the 480 subscribe requests a connection may send per hour: at most 200 resyncs an
  // hour. REST books: 40 requests per 2 s per IP; a connection takes at most half.
  private readonly wsPacer = new SnapshotPacer({ perKey: { burst: 2, intervalMs: 5000 }, global: { count: 200, windowMs: 3_600_000 } });
  private readonly restPacer = new SnapshotPacer({ perKey: { burst: 3, intervalMs: 1000 }, global: { count: 20, windowMs: 2000 } });

  constructor(private readonly config: PluginConfig) {
    this.symbols = symbolTable(config.symbols, INST_ID, config.id);
  }

  onMessage(raw: string, rtms: number, out: Output): void {
    if (raw === PONG_FRAME) return; // the answer to our keep-alive "ping"
    let msg: unknown;
    try {
      msg = JSON.parse(raw);
    } catch (cause) {
      throw new GatewayError('BAD_FRAME', 'not JSON', { cause });
    }
    if (!isObject(msg)) throw badFrame('expected a JSON object');
    if (typeof msg.event === 'string') return this.onEvent(msg, out);
    const arg = msg.arg;
    if (!isObject(arg)) throw badFrame('a push without arg');
    const channel = str(arg, 'channel', 'push', 40);
    const instId = str(arg, 'instId', `${channel} push`, 40);
    const cd = this.symbols.symbol(instId);
    if (cd === undefined) throw badFrame(`${channel} push for ${instId}, which is not configured`);
    const data = msg.data;
    if (!Array.isArray(data)) throw badFrame(`${channel} ${instId}: data is not a list`);
    switch (channel) {
      case 'tickers':
        for (const d of data) out.emit(this.ticker(d, cd, instId));
        return;
      case 'trades':
        for (const d of data) out.emit(this.trade(d, cd, instId));
        return;
      case 'books5':
        for (const d of data) out.emit(this.books5(d, cd, instId));
        return;
      case 'books':
        return this.booksPush(msg, data, cd, instId, rtms, out);
      default:
        throw badFrame(`a push on channel ${channel}, which this plugin does not subscribe`);
    }
  }

  onResponse(tag: string, res: HttpResponse, rtms: number, out: Output): void {
    if (!tag.startsWith(TAG_PREFIX)) return;
    this.books.get(tag.slice(TAG_PREFIX.length))?.onResponse(tag, res, rtms, out);
  }

  private onEvent(msg: Json, out: Output): void {
    switch (msg.event) {
      case 'subscribe':
      case 'unsubscribe':
        return; // acknowledgements
      case 'error':
        throw new GatewayError('EXCHANGE_ERROR', `OKX error ${String(msg.code)}: ${String(msg.msg).slice(0, 300)}`);
      case 'notice':
        // 64008: "The connection will soon be closed for a service upgrade": move to a new connection first.
        return out.rollover(`OKX notice ${String(msg.code)}: ${String(msg.msg).slice(0, 200)}`);
      default:
        return; // channel-conn-count, login: not about public market data
    }
  }

  private ticker(d: unknown, cd: string, mc: string): Draft {
    const what = `tickers ${mc}`;
    if (!isObject(d)) throw badFrame(`${what}: data item is not an object`);
    const tp = positive(d, 'last', what);
    const draft: Draft = { ty: 'ticker', ex: this.config.id, cd, mc, tms: timeMs(d, 'ts', what, MS), tp };
    // OKX sends "" for a value it does not have (a market listed minutes ago has no 24 h figures yet).
    // A price of "0" is no price either (not yet traded in the window): left absent, never published as 0.
    const opt = (key: string) => (d[key] === '' ? undefined : optNonNegative(d, key, what));
    const price = (key: string) => {
      const v = opt(key);
      return v === 0 ? undefined : v;
    };
    const op = price('open24h');
    const hp = price('high24h');
    const lp = price('low24h');
    const atv = opt('vol24h');
    const atp = opt('volCcy24h');
    if (op !== undefined) {
      draft.op = op;
      // OKX sends no change: it is the last price against the price 24 h ago (open24h), summed exactly.
      const scp = exactSum([{ v: tp }, { v: -op }], 'v');
      draft.scp = scp;
      draft.scr = scp === 0 ? 0 : scp / op;
    }
    if (hp !== undefined) draft.hp = hp;
    if (lp !== undefined) draft.lp = lp;
    // Spot: vol24h is in the base currency, volCcy24h in the quote currency.
    if (atv !== undefined) draft.atv24h = atv;
    if (atp !== undefined) draft.atp24h = atp;
    return draft;
  }

  private trade(d: unknown, cd: string, mc: string): Draft {
    const what = `trades ${mc}`;
    if (!isObject(d)) throw badFrame(`${what}: data item is not an object`);
    const side = oneOf(d, 'side', ['buy', 'sell'] as const, what);
    return {
      ty: 'trade',
      ex: this.config.id,
      cd,
      mc,
      tms: timeMs(d, 'ts', what, MS),
      tp: positive(d, 'px', what),
      tv: positive(d, 'sz', what),
      // `side` is the taker's: "sell" = the taker sold into the bid.
      ab: side === 'sell' ? 'ASK' : 'BID',
      sid: exactId(d, 'tradeId', what),
    };
  }

  private books5(d: unknown, cd: string, mc: string): Draft {
    const what = `books5 ${mc}`;
    if (!isObject(d)) throw badFrame(`${what}: data item is not an object`);
    const asks = levels(d, 'asks', what).filter((l) => l[1] > 0);
    const bids = levels(d, 'bids', what).filter((l) => l[1] > 0);
    for (let i = 1; i < asks.length; i++) if (!(asks[i]![0] > asks[i - 1]![0])) throw badFrame(`${what}: asks out of order`);
    for (let i = 1; i < bids.length; i++) if (!(bids[i]![0] < bids[i - 1]![0])) throw badFrame(`${what}: bids out of order`);
    if (asks[0] && bids[0] && bids[0][0] >= asks[0][0]) throw badFrame(`${what}: crossed book`);
    const obu = [];
    for (let i = 0; i < Math.max(asks.length, bids.length); i++) {
      const u: { ap?: number; as?: number; bp?: number; bs?: number } = {};
      if (asks[i]) [u.ap, u.as] = asks[i]!;
      if (bids[i]) [u.bp, u.bs] = bids[i]!;
      obu.push(u);
    }
    return { ty: 'orderbook', ex: this.config.id, cd, mc, tms: timeMs(d, 'ts', what, MS), obu };
  }

  private booksPush(msg: Json, data: unknown[], cd: string, instId: string, rtms: number, out: Output): void {
    const what = `books ${instId}`;
    const action = oneOf(msg, 'action', ['snapshot', 'update'] as const, what);
    // Every item is validated before the book is touched, so a malformed frame cannot leave it half-updated.
    const items = data.map((d) => parseBookData(d, what, action === 'update'));
    const book = this.bookFor(instId, cd);
    for (const d of items) {
      if (action === 'snapshot') book.onSnapshot(d, rtms, out);
      else book.onUpdate(d, rtms, out);
    }
  }

  private bookFor(instId: string, cd: string): OkxBook {
    let book = this.books.get(instId);
    if (!book) {
      const arg: SubscribeArg = { channel: 'books', instId };
      book = new OkxBook({
        ex: this.config.id,
        cd,
        mc: instId,
        depth: this.config.depth,
        tag: TAG_PREFIX + instId,
        snapshotUrl: bookSnapshotUrl(this.config.restUrl ?? '', instId),
        resubscribe: [opFrame('unsubscribe', [arg]), opFrame('subscribe', [arg])],
        wsPacer: this.wsPacer,
        restPacer: this.restPacer,
        parseRest: (body) => parseRestBook(body, instId),
      });
      this.books.set(instId, book);
    }
    return book;
  }

  /** for tests: the book kept for a configured symbol */
  bookOf(symbol: string): OkxBook | undefined {
    return this.books.get(this.symbols.code(symbol));
  }
}

/** the levels' price and size exactly as sent (levels() has validated them) */
function texts(d: Json, key: string): TextLevel[] {
  return (d[key] as unknown[][]).map((l) => [String(l[0]), String(l[1])] as const);
}

/** One `books` data item; `chained`: an update, which names the message before it (prevSeqId). */
export function parseBookData(d: unknown, what: string, chained: boolean): BookData {
  if (!isObject(d)) throw badFrame(`${what}: data item is not an object`);
  const data: BookData = {
    bids: levels(d, 'bids', what),
    asks: levels(d, 'asks', what),
    bidText: texts(d, 'bids'),
    askText: texts(d, 'asks'),
    tms: timeMs(d, 'ts', what, MS),
    seqId: integer(d, 'seqId', what),
    prevSeqId: -1,
  };
  if (chained) data.prevSeqId = integer(d, 'prevSeqId', what);
  if (d.checksum !== undefined) {
    const c = num(d, 'checksum', what, 'number');
    if (!Number.isSafeInteger(c)) throw badFrame(`${what}: checksum is not an integer`);
    data.checksum = c;
  }
  return data;
}

/** `GET /api/v5/market/books` → the book and its seqId. */
export function parseRestBook(body: string, instId: string): BookData {
  const what = `REST book ${instId}`;
  let v: unknown;
  try {
    v = JSON.parse(body);
  } catch (cause) {
    throw new GatewayError('BAD_FRAME', `${what}: not JSON`, { cause });
  }
  if (!isObject(v)) throw badFrame(`${what}: expected an object`);
  if (v.code !== '0') throw new GatewayError('EXCHANGE_ERROR', `${what}: OKX error ${String(v.code)}: ${String(v.msg).slice(0, 200)}`);
  const first = Array.isArray(v.data) ? v.data[0] : undefined;
  return parseBookData(first, what, false);
}
