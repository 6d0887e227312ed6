// Simulated Bithumb legacy public WebSocket (/pub/ws) with its REST order-book snapshot (/public/orderbook).

import {
  depthItems,
  restLevels,
  TICK_TYPES,
  tickerContent,
  transactionItem,
  type TransactionItem,
} from './sim-legacy-messages.ts';
import type { Market } from '../../sim/market.ts';
import { MarketSet } from '../../sim/market-set.ts';
import { MARKET_ALL_PATH, marketAll, krwListing } from '../_upbit-format/sim-market-all.ts';
import { resolveOptions } from '../../sim/resolve-options.ts';
import { startSimServer, type HttpReply, type Peer, type PeerSet } from '../../sim/sim-server.ts';
import type { SimHandle, SimOptions } from '../../sim/sim-types.ts';
import { BITHUMB_RULES } from '../../sim/venue-rules.ts';

export const LEGACY_WS_PATH = '/pub/ws';

type LegacyType = 'ticker' | 'transaction' | 'orderbookdepth';

interface LegacyState {
  /** filters add up: a later message for a type widens it */
  symbols: Record<LegacyType, Set<string>>;
  tickTypes: Set<string>;
  /** orderbookdepth messages sent so far, to alternate the `datetime` type */
  depthSent: number;
}

const TYPES: readonly string[] = ['ticker', 'transaction', 'orderbookdepth'];
const SYMBOL = /^([A-Z0-9]{1,15})_(KRW|BTC)$/;
const REST_PATH = /^\/public\/orderbook\/([^/]+)$/;
const MAX_COUNT = 1000;

const CONNECTED = '{"status":"0000","resmsg":"Connected Successfully"}';
const REGISTERED = '{"status":"0000","resmsg":"Filter Registered Successfully"}';
const INVALID = '{"status":"5100","resmsg":"Invalid Filter Syntax"}';

const json = (status: number, body: unknown): HttpReply => ({ status, body: JSON.stringify(body) });
const bad = (message: string): HttpReply => json(400, { status: '5500', message });

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** A validated filter, or undefined for anything Bithumb would call invalid syntax. */
function parseFilter(text: string): { type: LegacyType; symbols: string[]; tickTypes: string[] } | undefined {
  let msg: unknown;
  try {
    msg = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) return undefined;
  const { type, symbols, tickTypes } = msg as Record<string, unknown>;
  if (typeof type !== 'string' || !TYPES.includes(type)) return undefined;
  if (!Array.isArray(symbols) || symbols.length === 0 || !symbols.every((s) => typeof s === 'string' && SYMBOL.test(s))) return undefined;
  if (type !== 'ticker') return { type: type as LegacyType, symbols, tickTypes: [] };
  if (!Array.isArray(tickTypes) || tickTypes.length === 0 || !tickTypes.every((t) => typeof t === 'string' && TICK_TYPES.includes(t))) return undefined;
  return { type, symbols, tickTypes };
}

export async function startBithumbLegacySim(options: SimOptions = {}): Promise<SimHandle> {
  const o = resolveOptions(options, { pingIntervalMs: 0, idleTimeoutMs: 0, maxMessagesPerSecond: 0 });
  const markets = new MarketSet(BITHUMB_RULES, o.seed, o.tradesPerStep, o.activity, o.peak);
  const listing = krwListing();
  /** `BTC_KRW` was not delisted: a delisted market stops producing */
  const listed = (symbol: string): boolean => {
    const [, base, quote] = SYMBOL.exec(symbol)!;
    return !listing.delisted(base!, quote!);
  };
  const marketOf = (symbol: string): Market => {
    const [, base, quote] = SYMBOL.exec(symbol)!;
    return markets.get(base!, quote!);
  };
  /** last trade price per market, for `updn` */
  const lastPrice = new Map<Market, number>();

  const handle = await startSimServer<LegacyState>(o.limits, ({ peers }: PeerSet<LegacyState>) => {
    function onMessage(peer: Peer<LegacyState>, text: string): void {
      const filter = parseFilter(text);
      if (!filter) return peer.send(INVALID);
      for (const s of filter.symbols) {
        const market = marketOf(s);
        if (!lastPrice.has(market)) lastPrice.set(market, market.lastTrade.price);
        peer.state.symbols[filter.type].add(s);
      }
      for (const t of filter.tickTypes) peer.state.tickTypes.add(t);
      peer.send(REGISTERED);
    }

    function onStep(nowMs: number): void {
      const steps = markets.stepAll(nowMs);
      const transactions = new Map<Market, TransactionItem[]>();
      for (const { market, step } of steps.values()) {
        let prev = lastPrice.get(market) ?? market.lastTrade.price;
        transactions.set(
          market,
          step.trades.map((t) => {
            const item = transactionItem('', market, t, prev);
            prev = t.price;
            return item;
          }),
        );
        lastPrice.set(market, prev);
      }
      for (const peer of peers()) {
        const { symbols, tickTypes } = peer.state;
        for (const symbol of symbols.transaction) {
          if (!listed(symbol)) continue;
          const list = transactions.get(marketOf(symbol))?.map((item) => ({ ...item, symbol }));
          if (list?.length) peer.send(JSON.stringify({ type: 'transaction', content: { list } }));
        }
        for (const symbol of symbols.ticker) {
          if (!listed(symbol)) continue;
          const market = marketOf(symbol);
          if (!transactions.get(market)?.length) continue;
          for (const t of tickTypes) peer.send(JSON.stringify({ type: 'ticker', content: tickerContent(symbol, market, t, nowMs) }));
        }
        for (const symbol of symbols.orderbookdepth) {
          if (!listed(symbol)) continue;
          const market = marketOf(symbol);
          const step = steps.get(`${market.base}/${market.quote}`)?.step;
          if (!step) continue;
          // The real feed has been seen sending datetime both ways; clients must accept either.
          const datetime = peer.state.depthSent++ % 2 === 0 ? String(step.tus) : step.tus;
          peer.send(JSON.stringify({ type: 'orderbookdepth', content: { list: depthItems(symbol, market, step), datetime } }));
        }
      }
    }

    function orderbook(url: URL): HttpReply {
      const raw = REST_PATH.exec(url.pathname)![1]!;
      const symbol = /%[0-9A-Fa-f]{2}/.test(raw) ? safeDecode(raw) : raw;
      const m = SYMBOL.exec(symbol);
      if (!m) return bad('Invalid Parameter');
      const countText = url.searchParams.get('count') ?? '30';
      const count = Number(countText);
      if (!/^[0-9]+$/.test(countText) || count < 1 || count > MAX_COUNT) return bad('Invalid Parameter');
      const market = marketOf(symbol);
      // Diffs stamped after this time are not in the snapshot; every earlier one is (see Market.snapshotTms).
      const timestamp = String(market.snapshotTms(Date.now()));
      return json(200, {
        status: '0000',
        data: { timestamp, payment_currency: m[2], order_currency: m[1], bids: restLevels(market, 'bid', count), asks: restLevels(market, 'ask', count) },
      });
    }

    return {
      wsPath: LEGACY_WS_PATH,
      checkUpgrade: (url) => (url.pathname === LEGACY_WS_PATH ? null : json(404, { status: '5600', message: 'Not Found' })),
      createState: () => ({
        symbols: { ticker: new Set(), transaction: new Set(), orderbookdepth: new Set() },
        tickTypes: new Set(),
        depthSent: 0,
      }),
      onOpen: (peer) => peer.send(CONNECTED),
      onMessage,
      onHttp(url, method) {
        if (method !== 'GET') return undefined;
        if (url.pathname === MARKET_ALL_PATH) return marketAll(listing, url, 'bithumb');
        return REST_PATH.test(url.pathname) ? orderbook(url) : undefined;
      },
      timers: [{ everyMs: o.intervalMs, run: onStep }],
    };
  });
  return { ...handle, listMarket: (symbol) => void listing.list(symbol), delistMarket: (symbol) => void listing.delist(symbol) };
}
