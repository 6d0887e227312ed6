// Maps OKX public frames (tickers, trades, books, books5, events, "pong") to record drafts, one mapper per connection.

import { badFrame, GatewayError } from '../../sdk/index.ts';
import type { Draft, HttpResponse, Mapper, Output, PluginConfig } from '../../sdk/index.ts';
import { OkxBook, type BookData } from './book.ts';
import { array, decimal, decimalDiff, idString, isObj, levels, msTime, optionalDecimal, seq, text, type Obj } from './values.ts';
import { bookSnapshotUrl, marketCode, opFrame, PONG_FRAME, symbolTable, type SubscribeArg } from './wire.ts';

const TAG_PREFIX = 'book:';

export class OkxMapper implements Mapper {
  private readonly symbols: Map<string, string>;
  private readonly books = new Map<string, OkxBook>();

  constructor(private readonly config: PluginConfig) {
    this.symbols = symbolTable(config.symbols);
  }

  onMessage(raw: string, _rtms: number, out: Output): void {
    if (raw === PONG_FRAME) return; // the answer to our keep-alive "ping"
    let msg: unknown;
    try {
      msg = JSON.parse(raw);
    } catch (cause) {
      throw new GatewayError('BAD_FRAME', 'not JSON', { cause });
    }
    if (!isObj(msg)) throw badFrame('expected a JSON object');
    if (typeof msg.event === 'string') return this.onEvent(msg, out);
    const arg = msg.arg;
    if (!isObj(arg) || typeof arg.channel !== 'string') throw badFrame('a push without arg.channel');
    const instId = text(arg, 'instId', `${arg.channel} push`);
    const cd = this.symbols.get(instId);
    if (cd === undefined) throw badFrame(`${arg.channel} push for ${instId.slice(0, 40)}, which is not configured`);
    const data = array(msg, 'data', `${arg.channel} ${instId}`);
    switch (arg.channel) {
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
        return this.booksPush(msg, data, cd, instId, out);
      default:
        throw badFrame(`a push on channel ${arg.channel.slice(0, 40)}, which this plugin does not subscribe`);
    }
  }

  onResponse(tag: string, res: HttpResponse, rtms: number, out: Output): void {
    if (!tag.startsWith(TAG_PREFIX)) return;
    const instId = tag.slice(TAG_PREFIX.length);
    this.books.get(instId)?.onSnapshotResponse(res, rtms, out, (body) => parseRestBook(body, instId));
  }

  private onEvent(msg: Obj, out: Output): void {
    const event = msg.event as string;
    if (event === 'subscribe') {
      const arg = msg.arg;
      if (isObj(arg) && arg.channel === 'books' && typeof arg.instId === 'string') this.books.get(arg.instId)?.onSubscribed();
      return;
    }
    if (event === 'unsubscribe') return;
    if (event === 'error') {
      throw new GatewayError('EXCHANGE_ERROR', `OKX error ${String(msg.code)}: ${String(msg.msg).slice(0, 300)}`);
    }
    if (event === 'notice') {
      // 64008: "The connection will soon be closed for a service upgrade": move to a new connection first.
      out.rollover(`OKX notice ${String(msg.code)}: ${String(msg.msg).slice(0, 200)}`);
      return;
    }
    // Other events (channel-conn-count, login) do not concern public market data.
  }

  private ticker(d: unknown, cd: string, mc: string): Draft {
    const what = `tickers ${mc}`;
    if (!isObj(d)) throw badFrame(`${what}: data item is not an object`);
    const tms = msTime(d, 'ts', what);
    const tp = decimal(d, 'last', what);
    const draft: Draft = { ty: 'ticker', ex: this.config.id, cd, mc, tms, tp };
    const op = optionalDecimal(d, 'open24h', what);
    const hp = optionalDecimal(d, 'high24h', what);
    const lp = optionalDecimal(d, 'low24h', what);
    const atv = optionalDecimal(d, 'vol24h', what);
    const atp = optionalDecimal(d, 'volCcy24h', what);
    if (op !== undefined) {
      draft.op = op;
      // OKX sends no change: it is the last price against the price 24 h ago (open24h), computed exactly.
      const scp = decimalDiff(d.last, d.open24h);
      draft.scp = scp;
      if (op > 0) draft.scr = scp === 0 ? 0 : scp / op;
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
    if (!isObj(d)) throw badFrame(`${what}: data item is not an object`);
    const side = d.side;
    if (side !== 'buy' && side !== 'sell') throw badFrame(`${what}: side is neither buy nor sell`);
    const tp = decimal(d, 'px', what);
    const tv = decimal(d, 'sz', what);
    if (!(tp > 0) || !(tv > 0)) throw badFrame(`${what}: price and size must be positive`);
    return {
      ty: 'trade',
      ex: this.config.id,
      cd,
      mc,
      tms: msTime(d, 'ts', what),
      tp,
      tv,
      // `side` is the taker's: "sell" = the taker sold into the bid.
      ab: side === 'sell' ? 'ASK' : 'BID',
      sid: idString(d, 'tradeId', what),
    };
  }

  private books5(d: unknown, cd: string, mc: string): Draft {
    const what = `books5 ${mc}`;
    if (!isObj(d)) throw badFrame(`${what}: data item is not an object`);
    const asks = levels(d, 'asks', what).filter((l) => l.size > 0);
    const bids = levels(d, 'bids', what).filter((l) => l.size > 0);
    for (let i = 1; i < asks.length; i++) if (!(asks[i]!.price > asks[i - 1]!.price)) throw badFrame(`${what}: asks out of order`);
    for (let i = 1; i < bids.length; i++) if (!(bids[i]!.price < bids[i - 1]!.price)) throw badFrame(`${what}: bids out of order`);
    if (asks[0] && bids[0] && bids[0].price >= asks[0].price) throw badFrame(`${what}: crossed book`);
    const n = Math.max(asks.length, bids.length);
    const obu = [];
    for (let i = 0; i < n; i++) {
      const u: { ap?: number; as?: number; bp?: number; bs?: number } = {};
      if (asks[i]) (u.ap = asks[i]!.price), (u.as = asks[i]!.size);
      if (bids[i]) (u.bp = bids[i]!.price), (u.bs = bids[i]!.size);
      obu.push(u);
    }
    return { ty: 'orderbook', ex: this.config.id, cd, mc, tms: msTime(d, 'ts', what), obu };
  }

  private booksPush(msg: Obj, data: unknown[], cd: string, instId: string, out: Output): void {
    const action = msg.action;
    if (action !== 'snapshot' && action !== 'update') throw badFrame(`books ${instId}: action is neither snapshot nor update`);
    // Validate every item before touching the book, so a malformed frame cannot leave it half-updated.
    const items = data.map((d) => parseBookData(d, `books ${instId}`));
    const book = this.bookFor(instId, cd);
    for (const d of items) {
      if (action === 'snapshot') book.onSnapshot(d, out);
      else book.onUpdate(d, out);
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
      });
      this.books.set(instId, book);
    }
    return book;
  }

  /** for tests: the book kept for a configured symbol */
  bookOf(symbol: string): OkxBook | undefined {
    return this.books.get(marketCode(symbol));
  }
}

export function parseBookData(d: unknown, what: string): BookData {
  if (!isObj(d)) throw badFrame(`${what}: data item is not an object`);
  const data: BookData = {
    asks: levels(d, 'asks', what),
    bids: levels(d, 'bids', what),
    tms: msTime(d, 'ts', what),
    seqId: seq(d, 'seqId', what),
    prevSeqId: d.prevSeqId === undefined ? -1 : seq(d, 'prevSeqId', what),
  };
  if (d.checksum !== undefined) {
    if (typeof d.checksum !== 'number' || !Number.isSafeInteger(d.checksum)) throw badFrame(`${what}: checksum is not an integer`);
    data.checksum = d.checksum;
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
  if (!isObj(v)) throw badFrame(`${what}: expected an object`);
  if (v.code !== '0') throw new GatewayError('EXCHANGE_ERROR', `${what}: OKX error ${String(v.code)}: ${String(v.msg).slice(0, 200)}`);
  const first = array(v, 'data', what)[0];
  if (!isObj(first) || first.seqId === undefined) throw badFrame(`${what}: no book with a seqId`);
  return parseBookData(first, what);
}
