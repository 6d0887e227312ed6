// Maps one Bybit spot v5 public connection's messages (tickers, publicTrade, orderbook) to SIMPLE record drafts.

import { badFrame, exactId, GatewayError, integer, isObject, levels, optNum, positive, str } from '../../sdk/index.ts';
import type { BookSync, Draft, Json, Mapper, Output, PluginConfig, RecordType, SnapshotPacer, SymbolTable } from '../../sdk/index.ts';
import { bookSync, resubscribePacer, snapshotOf } from './book.ts';
import type { BookData } from './book.ts';
import { bookDepth, singleRequestId, subscribeFrame, symbolTable } from './wire.ts';

const EX = 'bybit';

export class BybitMapper implements Mapper {
  /** Bybit's code → unified symbol, for the configured symbols only */
  private readonly symbols: SymbolTable;
  /** one book per orderbook topic, created on its first message */
  private readonly books = new Map<string, BookSync<BookData>>();
  /** paces the resubscriptions of this connection's books */
  private readonly pacer: SnapshotPacer = resubscribePacer();

  /** subscribe requests already retried topic by topic */
  private readonly retried = new Set<string>();
  /** the `orderbook.{depth}` this connection subscribes */
  private readonly bookDepth: number;

  /**
   * `requests`: this connection's subscribe requests by `req_id` (wire.ts subscribeRequests), so that a failed one
   * can be retried topic by topic.
   */
  constructor(
    private readonly config: PluginConfig,
    private readonly requests: ReadonlyMap<string, readonly string[]> = new Map(),
  ) {
    this.symbols = symbolTable(config.symbols);
    this.bookDepth = bookDepth(config.depth);
  }

  onMessage(frame: string, rtms: number, out: Output): void {
    const msg: unknown = JSON.parse(frame);
    if (!isObject(msg)) throw badFrame('expected a JSON object');
    if (typeof msg.topic !== 'string') return this.control(msg, out);
    const topic = msg.topic;
    const dot = topic.indexOf('.');
    const kind = dot > 0 ? topic.slice(0, dot) : topic;
    if (kind === 'tickers') return out.emit(this.ticker(msg, topic.slice(dot + 1)));
    if (kind === 'publicTrade') {
      for (const draft of this.trades(msg, topic.slice(dot + 1))) out.emit(draft);
      return;
    }
    if (kind === 'orderbook') return this.orderbook(msg, topic, rtms, out);
    throw badFrame(`unknown topic "${topic.slice(0, 60)}"`);
  }

  /** the unified symbol of a configured code on a configured channel */
  private market(code: string, ty: RecordType, what: string): string {
    const cd = this.symbols.symbol(code);
    if (cd === undefined) throw badFrame(`${what} for ${code.slice(0, 40)}: not a configured symbol`);
    if (!this.config.channels.includes(ty)) throw badFrame(`${what} for ${code}: channel ${ty} is not configured`);
    return cd;
  }

  /**
   * Spot tickers are snapshots only. Bybit's change (`price24hPcnt`, a fraction) is against `prevPrice24h`, the
   * price 24 h ago, which is therefore the rolling window's open; Bybit sends no change amount and no previous close.
   */
  private ticker(msg: Json, code: string): Draft {
    const w = 'tickers';
    const d = msg.data;
    if (!isObject(d)) throw badFrame('tickers.data: expected an object');
    const mc = str(d, 'symbol', w);
    if (mc !== code) throw badFrame(`tickers: topic ${code.slice(0, 40)} carries ${mc.slice(0, 40)}`);
    const draft: Extract<Draft, { ty: 'ticker' }> = { ty: 'ticker', ex: EX, cd: this.market(mc, 'ticker', w), mc, tms: integer(msg, 'ts', w), tp: positive(d, 'lastPrice', w, 'string') };
    const optional: [key: string, field: string][] = [
      ['op', 'prevPrice24h'],
      ['hp', 'highPrice24h'],
      ['lp', 'lowPrice24h'],
      ['scr', 'price24hPcnt'],
      ['atv24h', 'volume24h'],
      ['atp24h', 'turnover24h'],
    ];
    const values = draft as unknown as Record<string, number>;
    for (const [key, field] of optional) {
      const v = optNum(d, field, w, 'string');
      if (v !== undefined) values[key] = v;
    }
    return draft;
  }

  /** `S` is the taker's side: Buy → BID (the taker bought), Sell → ASK. Up to 1024 trades a message. */
  private trades(msg: Json, code: string): Draft[] {
    const w = 'publicTrade';
    const list = msg.data;
    if (!Array.isArray(list)) throw badFrame('publicTrade.data: expected a list');
    const cd = this.market(code, 'trade', w);
    // Every item is read before any is emitted: a bad item rejects the message whole, never half of it.
    return list.map((item: unknown) => {
      if (!isObject(item)) throw badFrame('publicTrade.data[]: expected an object');
      const mc = str(item, 's', w);
      if (mc !== code) throw badFrame(`publicTrade: topic ${code.slice(0, 40)} carries ${mc.slice(0, 40)}`);
      const side = item.S;
      if (side !== 'Buy' && side !== 'Sell') throw badFrame('publicTrade.S: expected Buy or Sell');
      return {
        ty: 'trade',
        ex: EX,
        cd,
        mc,
        tms: integer(item, 'T', w),
        tp: positive(item, 'p', w, 'string'),
        tv: positive(item, 'v', w, 'string'),
        ab: side === 'Sell' ? 'ASK' : 'BID',
        sid: exactId(item, 'i', w),
      } satisfies Draft;
    });
  }

  private orderbook(msg: Json, topic: string, rtms: number, out: Output): void {
    const w = 'orderbook';
    const parts = topic.split('.');
    if (parts.length !== 3 || !/^[0-9]{1,4}$/.test(parts[1]!)) throw badFrame(`orderbook: malformed topic "${topic.slice(0, 60)}"`);
    // Only the depth this plugin subscribes: a book of another depth under the same key would interleave two books.
    if (Number(parts[1]) !== this.bookDepth) throw badFrame(`orderbook: depth ${parts[1]} was not subscribed (${this.bookDepth} was)`);
    const code = parts[2]!;
    const d = msg.data;
    if (!isObject(d)) throw badFrame('orderbook.data: expected an object');
    const mc = str(d, 's', w);
    if (mc !== code) throw badFrame(`orderbook: topic ${code.slice(0, 40)} carries ${mc.slice(0, 40)}`);
    const cd = this.market(mc, 'orderbook', w);
    const type = msg.type;
    if (type !== 'snapshot' && type !== 'delta') throw badFrame('orderbook.type: expected snapshot or delta');
    // Validated whole before the book sees it, so a malformed message cannot touch the book.
    const data: BookData = { ts: integer(msg, 'ts', w), u: integer(d, 'u', w), bids: levels(d, 'b', w, 'string'), asks: levels(d, 'a', w, 'string') };
    let book = this.books.get(topic);
    if (!book) {
      book = bookSync({ ex: EX, cd, mc, depth: this.config.depth, topic }, this.pacer);
      this.books.set(topic, book);
    }
    if (type === 'snapshot') book.onSnapshot(snapshotOf(data), rtms, out);
    else book.onDiff(data, rtms, out);
  }

  /**
   * Messages without a topic: acknowledgements (`op` subscribe/unsubscribe, `success` true), pongs (spot: `op` "ping"
   * with `ret_msg` "pong"; other categories: `op` "pong") and failures (`success` false), which are the exchange's
   * errors. A failed subscribe request of several topics is sent again topic by topic before the error is reported.
   */
  private control(msg: Json, out: Output): void {
    const op = msg.op;
    if (typeof op !== 'string') throw badFrame('expected a topic or an op');
    if (msg.success === false) {
      const why = typeof msg.ret_msg === 'string' ? msg.ret_msg.slice(0, 200) : 'no ret_msg';
      const topics = op === 'subscribe' && typeof msg.req_id === 'string' ? this.requests.get(msg.req_id) : undefined;
      if (topics && topics.length > 1 && !this.retried.has(msg.req_id as string)) {
        this.retried.add(msg.req_id as string); // once per request and connection: a repeated answer sends nothing more
        for (const t of topics) out.send(subscribeFrame(singleRequestId(t), [t]));
      }
      throw new GatewayError('EXCHANGE_ERROR', `Bybit ${op.slice(0, 20)} failed: ${why}`);
    }
    if (op === 'ping' || op === 'pong' || op === 'subscribe' || op === 'unsubscribe') return;
    throw badFrame(`unknown op "${op.slice(0, 40)}"`);
  }
}
