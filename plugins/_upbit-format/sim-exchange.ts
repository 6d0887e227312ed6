// The Upbit-format simulated exchange (/websocket/v1), shared by the Upbit and Bithumb v1 simulators: with variant
// 'bithumb' it is Bithumb's Upbit-compatible v1 API.

import type { Market, StepResult } from '../../sim/market.ts';
import { MarketSet } from '../../sim/market-set.ts';
import { resolveOptions } from '../../sim/resolve-options.ts';
import { startSimServer, type Peer, type PeerSet } from '../../sim/sim-server.ts';
import type { SimHandle, SimOptions } from '../../sim/sim-types.ts';
import { encode, orderbookMessage, tickerMessage, tradeMessage, type StreamType, type Variant } from './sim-messages.ts';
import { parseRequest, type UpbitFormat, type UpbitRequest, type UpbitSub } from './sim-request.ts';
import { BITHUMB_RULES, UPBIT_RULES } from '../../sim/venue-rules.ts';
import { MARKET_ALL_PATH, marketAll, krwListing } from './sim-market-all.ts';
import { PrivateEndpoint, type PrivateSession } from './sim-private.ts';

export const UPBIT_WS_PATH = '/websocket/v1';

interface UpbitState {
  /** the latest valid request; each new one replaces it whole */
  request: UpbitRequest | undefined;
  /** `type:code` pairs that have had their first (SNAPSHOT) message since the request */
  started: Set<string>;
  /** set on the private endpoint: the authenticated account's session */
  private?: PrivateSession;
}

export interface UpbitFormatSimOptions extends SimOptions {
  /** 'bithumb': string sequential ids, µs string orderbook timestamps, text frames. Default 'upbit' */
  variant?: Variant;
}

export async function startUpbitFormatSim(options: UpbitFormatSimOptions = {}): Promise<SimHandle> {
  const variant = options.variant ?? 'upbit';
  const o = resolveOptions(options, { pingIntervalMs: 0, idleTimeoutMs: 120_000, maxMessagesPerSecond: 0 });
  const markets = new MarketSet(variant === 'bithumb' ? BITHUMB_RULES : UPBIT_RULES, o.seed, o.tradesPerStep, o.activity, o.peak);
  const listing = krwListing();
  // Upbit sends binary frames holding UTF-8 JSON; Bithumb sends text.
  const binary = variant === 'upbit';
  const priv = new PrivateEndpoint(variant, options.accounts ?? [], o.seed, markets);

  const handle = await startSimServer<UpbitState>(o.limits, ({ peers }: PeerSet<UpbitState>) => {
    /** The frames one subscription gets: for a snapshot (no step) or for a market step. */
    function frames(sub: UpbitSub, market: Market, format: UpbitFormat, st: StreamType, nowMs: number, step?: StepResult): string[] {
      if (sub.type === 'ticker') {
        // Upbit pushes a ticker when the market trades.
        return step && step.trades.length === 0 ? [] : [encode('ticker', tickerMessage(sub.code, market, nowMs, st), format)];
      }
      if (sub.type === 'trade') {
        const trades = step ? step.trades : [market.lastTrade];
        return trades.map((t) => encode('trade', tradeMessage(sub.code, market, t, nowMs, st, variant), format));
      }
      const tus = step ? step.tus : nowMs * 1000;
      return [encode('orderbook', orderbookMessage(sub.code, market, sub.depth, tus, st, variant), format)];
    }

    function onMessage(peer: Peer<UpbitState>, text: string): void {
      if (peer.state.private) return priv.onMessage(peer, peer.state.private, text, binary);
      if (text === 'PING') return peer.send('{"status":"UP"}', binary);
      const parsed = parseRequest(text);
      // A rejected request leaves the previous subscription in force.
      if (!parsed.ok) return peer.send(JSON.stringify({ error: parsed.error }), binary);
      const { request } = parsed;
      peer.state.request = request;
      peer.state.started = new Set();
      const nowMs = Date.now();
      for (const sub of request.subs) {
        const market = markets.get(sub.base, sub.quote, nowMs);
        peer.state.started.add(`${sub.type}:${sub.code}`);
        if (sub.onlyRealtime) continue;
        for (const f of frames(sub, market, request.format, 'SNAPSHOT', nowMs)) peer.send(f, binary);
      }
    }

    function onStep(nowMs: number): void {
      const steps = markets.stepAll(nowMs);
      priv.onStep(peers(), nowMs, binary);
      const cache = new Map<string, string[]>();
      for (const peer of peers()) {
        const { request, started } = peer.state;
        if (!request) continue;
        for (const sub of request.subs) {
          const s = steps.get(sub.symbol);
          // a delisted market stops producing
          if (sub.onlySnapshot || !s || listing.delisted(sub.base, sub.quote)) continue;
          const first = sub.stream;
          const st: StreamType = started.has(first) ? 'REALTIME' : 'SNAPSHOT';
          started.add(first);
          const key = `${first}:${sub.depth}:${request.format}:${st}`;
          let out = cache.get(key);
          if (!out) cache.set(key, (out = frames(sub, s.market, request.format, st, nowMs, s.step)));
          for (const f of out) peer.send(f, binary);
        }
      }
    }

    return {
      wsPath: UPBIT_WS_PATH,
      checkUpgrade: (url, headers) =>
        url.pathname === UPBIT_WS_PATH
          ? null
          : url.pathname === priv.path
            ? priv.checkUpgrade(headers)
            : { status: 404, body: '{"error":{"name":"NOT_FOUND","message":"not found"}}' },
      createState: (url, headers) => ({
        request: undefined,
        started: new Set(),
        ...(url.pathname === priv.path ? { private: priv.createSession(headers) } : {}),
      }),
      onMessage,
      onHttp: (url, method) => (method === 'GET' && url.pathname === MARKET_ALL_PATH ? marketAll(listing, url, variant) : undefined),
      timers: [{ everyMs: o.intervalMs, run: onStep }],
    };
  });
  return { ...handle, listMarket: (symbol) => void listing.list(symbol), delistMarket: (symbol) => void listing.delist(symbol) };
}
