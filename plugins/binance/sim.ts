// Simulated Binance spot market data: combined and raw streams, live (un)subscribe, and REST depth snapshots; the
// default export is the simulator's definition (sim/define.ts) that sim/index.ts finds by folder.

import * as events from './sim-events.ts';
import { parseStream, parseSymbol, type StreamRef } from './sim-streams.ts';
import type { Market } from '../../sim/market.ts';
import { MarketSet, type MarketStep } from '../../sim/market-set.ts';
import { binanceListing, exchangeInfo } from './sim-exchange-info.ts';
import { MergedDiff } from './sim-merged-diff.ts';
import { resolveOptions } from '../../sim/resolve-options.ts';
import { startSimServer, type HttpReply, type Peer, type PeerSet } from '../../sim/sim-server.ts';
import { defineSim } from '../../sim/define.ts';
import type { SimHandle, SimOptions } from '../../sim/sim-types.ts';
import { BINANCE_RULES } from '../../sim/venue-rules.ts';

interface BinanceState {
  /** combined streams wrap every payload as {"stream","data"}; raw ones (/ws) send the payload alone */
  combined: boolean;
  streams: Map<string, StreamRef>;
}

const MAX_STREAMS = 1024;
/**
 * Binance accepts a combined-stream URL of at most about 8,000 characters (8,004 measured by client authors; the
 * answer beyond it is not documented: the simulator refuses with HTTP 414). Counted with the real host's
 * `wss://stream.binance.com:9443` in front of the path and query.
 */
const MAX_URL_CHARS = 8004;
const REAL_HOST = 'wss://stream.binance.com:9443';
const METHODS = ['SUBSCRIBE', 'UNSUBSCRIBE', 'LIST_SUBSCRIPTIONS', 'SET_PROPERTY', 'GET_PROPERTY'];

/** Stream names a connection URL asks for, or undefined for a path that is no stream endpoint. */
function streamsInUrl(url: URL): { combined: boolean; names: string[] } | undefined {
  if (url.pathname === '/stream') {
    return { combined: true, names: (url.searchParams.get('streams') ?? '').split('/').filter(Boolean) };
  }
  if (url.pathname === '/ws' || url.pathname.startsWith('/ws/')) {
    return { combined: false, names: url.pathname.slice(4).split('/').filter(Boolean) };
  }
  return undefined;
}

const json = (status: number, body: unknown): HttpReply => ({ status, body: JSON.stringify(body) });
const errorReply = (id: unknown, code: number, msg: string): string => JSON.stringify({ error: { code, msg }, id });

export async function startBinanceSim(options: SimOptions = {}): Promise<SimHandle> {
  const o = resolveOptions(options, { pingIntervalMs: 20_000, idleTimeoutMs: 0, maxMessagesPerSecond: 5 });
  const markets = new MarketSet(BINANCE_RULES, o.seed, o.tradesPerStep, o.activity, o.peak);
  const listing = binanceListing();
  const merged = new Map<Market, MergedDiff>();
  const marketOf = (ref: { base: string; quote: string }): Market => markets.get(ref.base, ref.quote);
  /** a stream's market, looked up once per stream (MarketSet keeps a market for good: the same object each time) */
  const refMarkets = new WeakMap<StreamRef, Market>();
  const marketOfRef = (ref: StreamRef): Market => {
    let m = refMarkets.get(ref);
    if (!m) refMarkets.set(ref, (m = marketOf(ref)));
    return m;
  };
  /** depth diff events still to leave out (fault switch: an update-id gap for every client) */
  let skipDepth = 0;

  const handle = await startSimServer<BinanceState>(o.limits, ({ peers }: PeerSet<BinanceState>) => {
    /**
     * Sends each subscribed stream of this cadence its frames, building each payload once per tick; `due` (when given)
     * skips the markets with nothing to send before any other work.
     */
    function push(speedMs: 100 | 1000, build: (ref: StreamRef, market: Market) => string[], due?: (market: Market) => boolean): void {
      const cache = new Map<string, string[]>();
      for (const peer of peers()) {
        for (const ref of peer.state.streams.values()) {
          if (ref.speedMs !== speedMs) continue;
          const market = marketOfRef(ref);
          // a delisted market stops producing
          if ((due && !due(market)) || listing.delisted(ref.base, ref.quote)) continue;
          let frames = cache.get(ref.key);
          if (!frames) cache.set(ref.key, (frames = build(ref, market)));
          for (const f of frames) peer.send(peer.state.combined ? `{"stream":${ref.nameJson},"data":${f}}` : f);
        }
      }
    }

    function onStep(nowMs: number): void {
      const steps = new Map<Market, MarketStep>();
      for (const s of markets.stepAll(nowMs).values()) {
        steps.set(s.market, s);
        let acc = merged.get(s.market);
        if (!acc) merged.set(s.market, (acc = new MergedDiff()));
        acc.add(s.step);
      }
      const eventMs = Date.now();
      push(100, (ref, market) => {
        const step = steps.get(market)?.step;
        if (!step) return [];
        if (ref.kind === 'depth' && skipDepth > 0) return [];
        if (ref.kind === 'trade') return events.tradeEvents(ref.symbol, step, eventMs);
        if (ref.kind === 'aggTrade') return events.aggTradeEvents(ref.symbol, step, eventMs);
        if (ref.kind === 'bookTicker') return [events.bookTicker(ref.symbol, market)];
        if (ref.kind === 'depth') return [events.depthUpdate(ref.symbol, step, eventMs)];
        return [events.partialDepth(ref, market)];
      }, (market) => steps.has(market));
      if (skipDepth > 0) skipDepth--;
    }

    function onSecond(): void {
      const eventMs = Date.now();
      // Every accumulator is emptied each second, watched or not, so a later subscriber starts from fresh ids.
      const diffs = new Map([...merged].map(([m, acc]) => [m, acc.take()] as const));
      push(1000, (ref, market) => {
        if (ref.kind === 'ticker') return [events.ticker(ref.symbol, market, eventMs)];
        if (ref.kind === 'miniTicker') return [events.miniTicker(ref.symbol, market, eventMs)];
        if (ref.kind === 'partial') return [events.partialDepth(ref, market)];
        const diff = diffs.get(market);
        return diff ? [events.depthUpdate(ref.symbol, diff, eventMs)] : [];
      });
    }

    function subscribe(peer: Peer<BinanceState>, params: unknown, id: unknown, add: boolean): void {
      if (!Array.isArray(params) || params.length === 0 || !params.every((p) => typeof p === 'string')) {
        return peer.send(errorReply(id, 2, 'Invalid request: params must be a non-empty array of stream names'));
      }
      const refs: StreamRef[] = [];
      for (const name of params as string[]) {
        const ref = parseStream(name);
        if (!ref) return peer.send(errorReply(id, 2, `Invalid request: invalid stream name '${name}'`));
        refs.push(ref);
      }
      const { streams } = peer.state;
      if (add && new Set([...streams.keys(), ...params]).size > MAX_STREAMS) {
        return peer.send(errorReply(id, 2, `Invalid request: too many streams (max ${MAX_STREAMS})`));
      }
      for (const ref of refs) {
        if (!add) streams.delete(ref.name);
        else {
          marketOf(ref);
          streams.set(ref.name, ref);
        }
      }
      peer.send(JSON.stringify({ result: null, id }));
    }

    function onMessage(peer: Peer<BinanceState>, text: string): void {
      let msg: unknown;
      try {
        msg = JSON.parse(text);
      } catch (err) {
        return peer.send(errorReply(null, 3, `Invalid JSON: ${(err as Error).message}`));
      }
      if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) {
        return peer.send(errorReply(null, 2, 'Invalid request: expected a JSON object'));
      }
      const { method, params, id } = msg as Record<string, unknown>;
      const idOk = id === null || (typeof id === 'number' && Number.isInteger(id) && id >= 0) || (typeof id === 'string' && id.length <= 36);
      if (!idOk) return peer.send(errorReply(null, 2, 'Invalid request: request ID must be an unsigned integer'));
      if (typeof method !== 'string' || !METHODS.includes(method)) {
        const list = METHODS.map((m) => `\`${m}\``).join(', ');
        return peer.send(errorReply(id, 2, `Invalid request: unknown variant \`${String(method)}\`, expected one of ${list}`));
      }
      if (method === 'SUBSCRIBE' || method === 'UNSUBSCRIBE') return subscribe(peer, params, id, method === 'SUBSCRIBE');
      if (method === 'LIST_SUBSCRIPTIONS') return peer.send(JSON.stringify({ result: [...peer.state.streams.keys()], id }));
      const args = Array.isArray(params) ? params : [];
      if (args[0] !== 'combined') return peer.send(errorReply(id, 2, 'Invalid request: unknown property'));
      if (method === 'GET_PROPERTY') return peer.send(JSON.stringify({ result: peer.state.combined, id }));
      if (typeof args[1] !== 'boolean') return peer.send(errorReply(id, 1, 'Invalid value type: expected Boolean'));
      peer.state.combined = args[1];
      peer.send(JSON.stringify({ result: null, id }));
    }

    function depth(url: URL): HttpReply {
      const symbol = url.searchParams.get('symbol');
      if (!symbol) return json(400, { code: -1102, msg: "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed." });
      const pair = parseSymbol(symbol);
      if (!pair || listing.delisted(pair.base, pair.quote)) return json(400, { code: -1121, msg: 'Invalid symbol.' });
      const limitText = url.searchParams.get('limit') ?? '100';
      if (!/^[0-9]{1,20}$/.test(limitText)) {
        return json(400, { code: -1100, msg: "Illegal characters found in parameter 'limit'; legal range is '^[0-9]{1,20}$'." });
      }
      const limit = Math.min(5000, Math.max(1, Number(limitText)));
      return json(200, events.depthSnapshot(marketOf(pair), limit));
    }

    return {
      wsPath: '',
      checkUpgrade(url) {
        const asked = streamsInUrl(url);
        if (!asked) return json(404, { code: -1000, msg: 'Not found.' });
        if (REAL_HOST.length + url.pathname.length + url.search.length > MAX_URL_CHARS) return json(414, { code: -1100, msg: 'URI too long.' });
        const bad = asked.names.find((n) => !parseStream(n));
        if (bad !== undefined) return json(400, { code: -1100, msg: `Invalid stream name '${bad}'.` });
        if (asked.names.length > MAX_STREAMS) return json(400, { code: -1100, msg: `Too many streams (max ${MAX_STREAMS}).` });
        return null;
      },
      createState(url) {
        const asked = streamsInUrl(url)!;
        const refs = asked.names.map((n) => parseStream(n)!);
        for (const ref of refs) marketOf(ref);
        return { combined: asked.combined, streams: new Map(refs.map((r) => [r.name, r])) };
      },
      onMessage,
      onHttp(url, method) {
        if (method !== 'GET') return undefined;
        if (url.pathname === '/api/v3/depth') return depth(url);
        if (url.pathname === '/api/v3/exchangeInfo') return exchangeInfo(listing, url);
        if (url.pathname === '/api/v3/ping') return json(200, {});
        if (url.pathname === '/api/v3/time') return json(200, { serverTime: Date.now() });
        return undefined;
      },
      timers: [
        { everyMs: o.intervalMs, run: onStep },
        { everyMs: 1000, run: onSecond },
      ],
    };
  });
  return {
    ...handle,
    skipDepthDiffs: (steps) => void (skipDepth = steps),
    listMarket: (symbol) => void listing.list(symbol),
    delistMarket: (symbol) => void listing.delist(symbol),
  };
}

export default defineSim({
  name: 'binance',
  start: startBinanceSim,
  // the plugin's url is the base: it appends /stream?streams=... itself
  config: (h) => ({ url: h.url, restUrl: h.restUrl, symbols: ['BTC/USDT', 'ETH/USDT'] }),
});
