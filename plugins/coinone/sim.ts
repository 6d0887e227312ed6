// Simulated Coinone public WebSocket v2 and REST market list, priced from the one simulated world (Coinone premium).

import { defineSim } from '../../sim/define.ts';
import { MarketSet } from '../../sim/market-set.ts';
import { fixedGrid, krwGrid } from '../../sim/price-grid.ts';
import { resolveOptions } from '../../sim/resolve-options.ts';
import { startSimServer, type Peer } from '../../sim/sim-server.ts';
import type { SimHandle, SimOptions } from '../../sim/sim-types.ts';
import { buildUniverse, KRW_BASE_ASSETS, Listing } from '../../sim/universe.ts';
import type { VenueRules } from '../../sim/venue-rules.ts';
import { encode, marketListBody, orderbookData, tickerData, tradeData, type SimFormat } from './sim-messages.ts';

/** Coinone quotes KRW markets on the KRW tick table and quantities to 8 decimals ("0.00009258"). */
const COINONE_RULES: VenueRules = {
  venue: 'coinone',
  grid: (quote) => (quote === 'KRW' ? krwGrid() : fixedGrid(1e-8)),
  qtyDecimals: () => 8,
};

/** the KRW markets the simulator lists at start: a few tens of the shared KRW bases (sim/universe.ts) and stablecoins */
const coinoneListing = (): Listing =>
  new Listing(buildUniverse({ bases: KRW_BASE_ASSETS, quotes: [['KRW', 30]], extra: ['USDT/KRW', 'USDC/KRW'] }));

type Channel = 'TICKER' | 'TRADE' | 'ORDERBOOK';
const CHANNELS = new Set<string>(['TICKER', 'TRADE', 'ORDERBOOK']);

interface CoinoneState {
  /** `CHANNEL|BASE/QUOTE` → the format the subscription asked for */
  subs: Map<string, SimFormat>;
}

export interface CoinoneSimHandle extends SimHandle {
  listMarket(symbol: string): void;
  delistMarket(symbol: string): void;
}

const error = (code: number, message: string) => JSON.stringify({ response_type: 'ERROR', error_code: code, message });

export async function startCoinoneSim(options: SimOptions = {}): Promise<CoinoneSimHandle> {
  // The server closes a connection 30 minutes after the client's last request (PING included); no server pings.
  const o = resolveOptions(options, { pingIntervalMs: 0, idleTimeoutMs: 30 * 60_000, maxMessagesPerSecond: 0 });
  const markets = new MarketSet(COINONE_RULES, o.seed, o.tradesPerStep, o.activity, o.peak);
  const listing = coinoneListing();
  const listed = { has: (key: string): boolean => listing.get(...(key.split('/') as [string, string])) !== undefined };

  const handle = await startSimServer<CoinoneState>(o.limits, ({ peers }) => {
    function onMessage(peer: Peer<CoinoneState>, text: string): void {
      let req: Record<string, unknown>;
      try {
        const v: unknown = JSON.parse(text);
        if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not an object');
        req = v as Record<string, unknown>;
      } catch {
        return peer.send(error(160001, 'Invalid Request Format'));
      }
      const type = req.request_type;
      if (type === 'PING') return peer.send('{"response_type":"PONG"}');
      if (type !== 'SUBSCRIBE' && type !== 'UNSUBSCRIBE') return peer.send(error(160002, 'Invalid Request Type'));
      const channel = req.channel;
      if (typeof channel !== 'string' || !CHANNELS.has(channel)) return peer.send(error(160011, 'Invalid Channel'));
      const t = req.topic as Record<string, unknown> | undefined;
      const quote = t?.quote_currency;
      const target = t?.target_currency;
      const key = `${target}/${quote}`;
      if (typeof quote !== 'string' || typeof target !== 'string' || !listed.has(key)) return peer.send(error(160012, 'Invalid Topic'));
      const format: SimFormat = req.format === 'SHORT' ? 'SHORT' : 'DEFAULT';
      const ack = JSON.stringify({ response_type: `${type}D`, channel, data: { quote_currency: quote, target_currency: target } });
      if (type === 'UNSUBSCRIBE') {
        peer.state.subs.delete(`${channel}|${key}`);
        return peer.send(ack);
      }
      peer.state.subs.set(`${channel}|${key}`, format);
      peer.send(ack);
      const market = markets.get(target, quote);
      // the latest book once on subscribing, then a whole book on every change
      if (channel === 'ORDERBOOK') {
        const tms = market.snapshotTms(Date.now());
        peer.send(encode('ORDERBOOK', orderbookData(market, tms, String(tms * 1000)), format));
      }
    }

    function onStep(nowMs: number): void {
      const steps = markets.stepAll(nowMs);
      const cache = new Map<string, string[]>();
      for (const peer of peers()) {
        for (const [sub, format] of peer.state.subs) {
          const [channel, key] = sub.split('|') as [Channel, string];
          const s = steps.get(key);
          if (!s || !listed.has(key)) continue;
          const cacheKey = `${sub}|${format}`;
          let frames = cache.get(cacheKey);
          if (!frames) {
            const { market, step } = s;
            if (channel === 'TRADE') frames = step.trades.map((tr) => encode('TRADE', tradeData(market, tr), format));
            // a ticker when the market traded; a book when a level changed
            else if (channel === 'TICKER') frames = step.trades.length ? [encode('TICKER', tickerData(market, step.tms, String(step.tus)), format)] : [];
            else frames = step.asks.length + step.bids.length ? [encode('ORDERBOOK', orderbookData(market, step.tms, String(step.tus)), format)] : [];
            cache.set(cacheKey, frames);
          }
          for (const f of frames) peer.send(f);
        }
      }
    }

    return {
      wsPath: '',
      checkUpgrade: (url) => (url.pathname === '/' ? null : { status: 404, body: '{"result":"error","error_code":"404"}' }),
      createState: () => ({ subs: new Map() }),
      onMessage,
      onHttp(url, method) {
        const m = /^\/public\/v2\/markets\/([A-Z]+)\/?$/.exec(url.pathname);
        if (method !== 'GET' || !m) return undefined;
        return { status: 200, body: marketListBody(listing.all(), m[1]!, Date.now()) };
      },
      timers: [{ everyMs: o.intervalMs, run: onStep }],
    };
  });

  return {
    ...handle,
    listMarket(symbol: string) {
      listing.list(symbol);
    },
    delistMarket(symbol: string) {
      listing.delist(symbol);
    },
  };
}

export default defineSim<CoinoneSimHandle>({
  name: 'coinone',
  start: (options: SimOptions) => startCoinoneSim(options),
  config: (handle: SimHandle) => ({ url: handle.url, restUrl: handle.restUrl, symbols: ['BTC/KRW', 'ETH/KRW'] }),
});
