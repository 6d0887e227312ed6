// Simulated Bybit spot v5: the public WebSocket (topic subscriptions, acks, pongs, error answers, limits) and the
// REST market list, priced from the one simulated world (sim/world-prices.ts through sim/market.ts).

import { randomUUID } from 'node:crypto';
import { defineSim } from '../../sim/define.ts';
import type { Market } from '../../sim/market.ts';
import { MarketSet, type MarketStep } from '../../sim/market-set.ts';
import { binanceTick, decimalsOf } from '../../sim/price-grid.ts';
import { quoteUsd, referencePrice } from '../../sim/reference-prices.ts';
import { resolveOptions } from '../../sim/resolve-options.ts';
import { startSimServer, type HttpReply, type Peer, type PeerSet } from '../../sim/sim-server.ts';
import type { SimHandle, SimOptions } from '../../sim/sim-types.ts';
import { BookTopic, tickerMessage, tradeMessage } from './sim-messages.ts';
import { BYBIT_RULES, instrument, Universe } from './sim-universe.ts';
import type { Instrument } from './sim-universe.ts';
import { MAX_ARGS_CHARS_PER_CONNECTION, MAX_ARGS_PER_REQUEST, SPOT_BOOK_DEPTHS } from './wire.ts';

/** Bybit: at most 500 connections per 5 minutes per IP (rate-limit page); beyond that the sim answers HTTP 429. */
const CONNECTS_PER_WINDOW = 500;
const CONNECT_WINDOW_MS = 5 * 60_000;
const WS_PATH = '/v5/public/spot';
/** spot `tickers.{symbol}` push period (ticker topic page) */
const TICKER_MS = 50;

interface Topic {
  name: string;
  kind: 'tickers' | 'publicTrade' | 'orderbook';
  code: string;
  depth: number;
  /** the market it follows, set when subscribed */
  market?: Market;
}

interface PeerState {
  connId: string;
  topics: Map<string, Topic>;
}

export interface BybitSimHandle extends SimHandle {
  /** list `BASE/QUOTE` (unified) at run time: it appears in instruments-info and can be subscribed */
  listMarket(symbol: string): void;
  /** delist it: gone from instruments-info, its topics stop and new subscriptions to it fail */
  delistMarket(symbol: string): void;
  /** leave out the orderbook deltas of the next `steps` market steps while `u` moves on: a gap for every client */
  skipDepthDiffs(steps: number): void;
}

const argChars = (topic: string): number => topic.length + 3;

function parseTopic(name: string): Topic | undefined {
  const parts = name.split('.');
  if (parts.length === 2 && (parts[0] === 'tickers' || parts[0] === 'publicTrade')) return { name, kind: parts[0], code: parts[1]!, depth: 0 };
  if (parts.length === 3 && parts[0] === 'orderbook') {
    const depth = Number(parts[1]);
    if ((SPOT_BOOK_DEPTHS as readonly number[]).includes(depth) && parts[1] === String(depth)) return { name, kind: 'orderbook', code: parts[2]!, depth };
  }
  return undefined;
}

function unified(symbol: string): Instrument {
  const m = /^([A-Z0-9]{1,20})\/([A-Z0-9]{1,20})$/.exec(symbol);
  if (!m) throw new RangeError(`bybit sim: "${symbol}" is not BASE/QUOTE`);
  return instrument(m[1]!, m[2]!);
}

export async function startBybitSim(options: SimOptions = {}): Promise<BybitSimHandle> {
  const o = resolveOptions(options, { pingIntervalMs: 0, idleTimeoutMs: 0, maxMessagesPerSecond: 0 });
  const universe = new Universe();
  const markets = new MarketSet(BYBIT_RULES, o.seed, o.tradesPerStep, o.activity, o.peak);
  const marketOf = (i: Instrument): Market => markets.get(i.baseCoin, i.quoteCoin);
  const books = new Map<string, BookTopic>();
  const connectTimes: number[] = [];
  let skipDepth = 0;
  /** when each symbol's ticker last went out: Bybit pushes spot tickers at most every TICKER_MS */
  const tickerSentMs = new Map<string, number>();
  let peerSet: PeerSet<PeerState> | undefined;

  const bookTopic = (t: Topic, i: Instrument): BookTopic => {
    let book = books.get(t.name);
    if (!book) books.set(t.name, (book = new BookTopic(t.code, t.depth, marketOf(i))));
    return book;
  };

  const handle = await startSimServer<PeerState>(o.limits, (set) => {
    peerSet = set;
    const { peers } = set;

    function answer(peer: Peer<PeerState>, op: string, reqId: unknown, success: boolean, retMsg: string): void {
      const msg: Record<string, unknown> = { success, ret_msg: retMsg, conn_id: peer.state.connId };
      if (typeof reqId === 'string') msg.req_id = reqId;
      msg.op = op;
      peer.send(JSON.stringify(msg));
    }

    function subscribe(peer: Peer<PeerState>, args: unknown, reqId: unknown, add: boolean): void {
      const op = add ? 'subscribe' : 'unsubscribe';
      if (!Array.isArray(args) || args.length === 0 || !args.every((a) => typeof a === 'string')) {
        return answer(peer, op, reqId, false, 'error:args must be a non-empty list of topics');
      }
      if (args.length > MAX_ARGS_PER_REQUEST) return answer(peer, op, reqId, false, `error:args size >${MAX_ARGS_PER_REQUEST}`);
      const { topics } = peer.state;
      const parsed: [Topic, Instrument][] = [];
      for (const name of args as string[]) {
        const t = parseTopic(name);
        const i = t && universe.get(t.code);
        if (!t || !i) return answer(peer, op, reqId, false, `error:handler not found,topic:${name}`);
        if (add && topics.has(name)) return answer(peer, op, reqId, false, `error:already subscribed,topic:${name}`);
        parsed.push([t, i]);
      }
      if (!add) {
        for (const [t] of parsed) topics.delete(t.name);
        return answer(peer, op, reqId, true, '');
      }
      let chars = 0;
      for (const name of topics.keys()) chars += argChars(name);
      for (const [t] of parsed) chars += argChars(t.name);
      if (chars > MAX_ARGS_CHARS_PER_CONNECTION) {
        return answer(peer, op, reqId, false, `error:args length over ${MAX_ARGS_CHARS_PER_CONNECTION} characters`);
      }
      for (const [t, i] of parsed) {
        t.market = marketOf(i);
        topics.set(t.name, t);
      }
      answer(peer, op, reqId, true, 'subscribe');
      // A book subscription starts with a snapshot of the current view.
      const ts = Date.now();
      for (const [t, i] of parsed) if (t.kind === 'orderbook') peer.send(bookTopic(t, i).snapshot(ts));
    }

    function onMessage(peer: Peer<PeerState>, text: string): void {
      let msg: unknown;
      try {
        msg = JSON.parse(text);
      } catch {
        return answer(peer, '', undefined, false, 'error:request is not valid JSON');
      }
      if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) return answer(peer, '', undefined, false, 'error:request must be an object');
      const { op, args, req_id: reqId } = msg as Record<string, unknown>;
      if (op === 'ping') return answer(peer, 'ping', reqId, true, 'pong');
      if (op === 'subscribe' || op === 'unsubscribe') return subscribe(peer, args, reqId, op === 'subscribe');
      answer(peer, typeof op === 'string' ? op.slice(0, 40) : '', reqId, false, `error:unknown op`);
    }

    function onStep(nowMs: number): void {
      const steps = new Map<Market, MarketStep>();
      for (const s of markets.stepAll(nowMs).values()) steps.set(s.market, s);
      const ts = Date.now();
      /** this step's frame per topic name, built once for all subscribers ('' when it has none) */
      const frames = new Map<string, string>();
      const build = (t: Topic, m: Market, step: MarketStep): string => {
        let frame = frames.get(t.name);
        if (frame !== undefined) return frame;
        frame = '';
        // a delisted instrument stops producing
        if (universe.get(t.code)) {
          if (t.kind === 'tickers' && ts - (tickerSentMs.get(t.code) ?? -Infinity) >= TICKER_MS) {
            frame = tickerMessage(t.code, m, ts);
            tickerSentMs.set(t.code, ts);
          } else if (t.kind === 'publicTrade') frame = tradeMessage(t.code, m, step.step, ts) ?? '';
        }
        frames.set(t.name, frame);
        return frame;
      };
      // Every book view moves each step its market steps, watched or not, so `u` means the same to every
      // subscriber (a market that did not step has an unchanged book: nothing to compare).
      for (const book of books.values()) {
        if (!steps.has(book.market)) continue;
        const delta = book.advance(ts);
        if (delta !== undefined && skipDepth === 0) frames.set(book.topic, delta);
      }
      if (skipDepth > 0) skipDepth--;
      for (const peer of peers()) {
        for (const t of peer.state.topics.values()) {
          // Only markets that stepped this interval have news (all of them, unless activity is skewed).
          const step = t.market && steps.get(t.market);
          if (!step) continue;
          const frame = t.kind === 'orderbook' ? frames.get(t.name) : build(t, t.market!, step);
          if (frame) peer.send(frame);
        }
      }
    }

    function instruments(url: URL): HttpReply {
      const time = Date.now();
      const category = url.searchParams.get('category');
      if (category !== 'spot') {
        const retMsg = category ? `params error: category ${category.slice(0, 20)} is not served by this simulator` : 'params error: Category is invalid';
        return { status: 200, body: JSON.stringify({ retCode: 10001, retMsg, result: {}, retExtInfo: {}, time }) };
      }
      const only = url.searchParams.get('symbol');
      const list = universe
        .all()
        .filter((i) => only === null || i.symbol === only)
        .map((i, n) => instrumentEntry(i, n + 1));
      return { status: 200, body: JSON.stringify({ retCode: 0, retMsg: 'OK', result: { category: 'spot', list }, retExtInfo: {}, time }) };
    }

    return {
      wsPath: WS_PATH,
      checkUpgrade(url) {
        if (url.pathname !== WS_PATH) return { status: 404, body: '{"error":"not found"}' };
        const now = Date.now();
        while (connectTimes.length > 0 && now - connectTimes[0]! > CONNECT_WINDOW_MS) connectTimes.shift();
        if (connectTimes.length >= CONNECTS_PER_WINDOW) return { status: 429, body: '{"error":"too many connections"}' };
        connectTimes.push(now);
        return null;
      },
      createState: () => ({ connId: randomUUID(), topics: new Map() }),
      onMessage,
      onHttp(url, method) {
        if (method !== 'GET') return undefined;
        if (url.pathname === '/v5/market/instruments-info') return instruments(url);
        if (url.pathname === '/v5/market/time') {
          const now = Date.now();
          const result = { timeSecond: String(Math.floor(now / 1000)), timeNano: `${now}000000` };
          return { status: 200, body: JSON.stringify({ retCode: 0, retMsg: 'OK', result, retExtInfo: {}, time: now }) };
        }
        return undefined;
      },
      timers: [{ everyMs: o.intervalMs, run: onStep }],
    };
  });

  return {
    ...handle,
    skipDepthDiffs: (steps) => void (skipDepth = steps),
    listMarket(symbol) {
      universe.add(unified(symbol));
    },
    delistMarket(symbol) {
      const code = unified(symbol).symbol;
      universe.remove(code);
      for (const peer of peerSet?.peers() ?? []) {
        for (const [name, t] of peer.state.topics) if (t.code === code) peer.state.topics.delete(name);
      }
    },
  };
}

/**
 * One `instruments-info` entry as Bybit writes it for spot (the fields clients commonly read, with plausible values).
 * Built from reference prices, not from a live market: listing the universe must not start a few hundred markets.
 */
function instrumentEntry(i: Instrument, symbolId: number): Record<string, unknown> {
  const ref = referencePrice(i.baseCoin, i.quoteCoin);
  const tick = binanceTick(ref);
  const lotDecimals = BYBIT_RULES.qtyDecimals(ref * (quoteUsd(i.quoteCoin) ?? 1));
  const lot = (1 / 10 ** lotDecimals).toFixed(lotDecimals);
  return {
    symbolId,
    symbol: i.symbol,
    baseCoin: i.baseCoin,
    quoteCoin: i.quoteCoin,
    innovation: '0',
    status: 'Trading',
    marginTrading: 'utaOnly',
    stTag: '0',
    lotSizeFilter: {
      basePrecision: lot,
      quotePrecision: '0.0000001',
      minOrderQty: lot,
      maxOrderQty: '1000000',
      minOrderAmt: '5',
      maxOrderAmt: '8000000',
      maxLimitOrderQty: '1000000',
      maxMarketOrderQty: '500000',
      postOnlyMaxLimitOrderSize: '60000',
    },
    priceFilter: { tickSize: tick.toFixed(decimalsOf(tick)) },
    riskParameters: { priceLimitRatioX: '0.005', priceLimitRatioY: '0.01' },
    symbolType: '',
  };
}

export default defineSim<BybitSimHandle>({
  name: 'bybit',
  start: (options) => startBybitSim(options),
  config: (handle) => ({ url: handle.url, restUrl: handle.restUrl, symbols: ['BTC/USDT', 'ETH/USDT'] }),
});
