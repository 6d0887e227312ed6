// Simulated Korbit public WebSocket v2 (/v2/public) and REST pair list, priced from the one simulated world.

import { defineSim } from '../../sim/define.ts';
import { MarketSet } from '../../sim/market-set.ts';
import { fixedGrid, krwGrid } from '../../sim/price-grid.ts';
import { resolveOptions } from '../../sim/resolve-options.ts';
import { startSimServer, type Peer } from '../../sim/sim-server.ts';
import type { SimHandle, SimOptions } from '../../sim/sim-types.ts';
import { buildUniverse, KRW_BASE_ASSETS } from '../../sim/universe.ts';
import type { VenueRules } from '../../sim/venue-rules.ts';
import { code, orderbookFrame, pairListBody, tickerFrame, tradeFrame, type Pair } from './sim-messages.ts';

export const KORBIT_WS_PATH = '/v2/public';

/** Korbit quotes KRW markets on the KRW tick table and quantities to 8 decimals ("0.00499"). */
const KORBIT_RULES: VenueRules = {
  venue: 'korbit',
  grid: (quote) => (quote === 'KRW' ? krwGrid() : fixedGrid(1e-8)),
  qtyDecimals: () => 8,
};

/** the KRW pairs the simulator lists at start, all `launched`: a few tens of the shared KRW bases (sim/universe.ts) */
const KORBIT_SIM_MARKETS = buildUniverse({ bases: KRW_BASE_ASSETS, quotes: [['KRW', 28]], extra: ['USDT/KRW', 'USDC/KRW'] });

type Channel = 'ticker' | 'trade' | 'orderbook';
const CHANNELS = new Set<string>(['ticker', 'trade', 'orderbook']);

interface KorbitState {
  /** `type|btc_krw` of every subscription in force */
  subs: Set<string>;
}

export interface KorbitSimHandle extends SimHandle {
  /** lists BASE/QUOTE as `launched` (adds it, or relaunches a stopped pair) */
  listMarket(symbol: string): void;
  /** marks BASE/QUOTE `stopped`: it stays in the pair list, streams nothing more, and answers with an empty book */
  delistMarket(symbol: string): void;
}

const fail = (code: string | undefined, message: string, requestId: unknown) =>
  JSON.stringify({ status: 'fail', ...(code ? { code } : {}), message, ...(requestId === undefined ? {} : { requestId }) });

export async function startKorbitSim(options: SimOptions = {}): Promise<KorbitSimHandle> {
  // The server pings every 30 s and keeps silent clients (no idle timeout was seen in 120 s).
  const o = resolveOptions(options, { pingIntervalMs: 30_000, idleTimeoutMs: 0, maxMessagesPerSecond: 0 });
  const markets = new MarketSet(KORBIT_RULES, o.seed, o.tradesPerStep, o.activity, o.peak);
  const pairs = new Map<string, Pair>(KORBIT_SIM_MARKETS.map((m) => [code(m), { ...m, status: 'launched' }]));

  const handle = await startSimServer<KorbitState>(o.limits, ({ peers }) => {
    /** one entry of a request array; answers and snapshots go out in order */
    function request(peer: Peer<KorbitState>, item: unknown): void {
      if (typeof item !== 'object' || item === null || Array.isArray(item)) return peer.send(fail(undefined, 'invalid_format', undefined));
      const r = item as Record<string, unknown>;
      if (r.method !== 'subscribe' && r.method !== 'unsubscribe') return peer.send(fail('INVALID_REQUEST', 'unknown_method', r.requestId));
      if (typeof r.type !== 'string' || !CHANNELS.has(r.type)) return peer.send(fail('INVALID_REQUEST', 'unknown_type', r.requestId));
      if (!Array.isArray(r.symbols) || r.symbols.length === 0) return peer.send(fail('INVALID_REQUEST', 'invalid_symbols', r.requestId));
      for (const s of r.symbols) {
        if (typeof s !== 'string' || !pairs.has(s)) return peer.send(fail('INVALID_SYMBOL', `The symbol does not exist (${String(s).slice(0, 40)})`, r.requestId));
      }
      const type = r.type as Channel;
      if (r.requestId !== undefined) peer.send(JSON.stringify({ status: 'success', requestId: r.requestId }));
      const nowMs = Date.now();
      for (const s of r.symbols as string[]) {
        if (r.method === 'unsubscribe') {
          peer.state.subs.delete(`${type}|${s}`);
          continue;
        }
        peer.state.subs.add(`${type}|${s}`);
        const pair = pairs.get(s)!;
        const market = markets.get(pair.base, pair.quote, nowMs);
        // every subscribe is answered with a snapshot
        if (type === 'ticker') peer.send(tickerFrame(market, nowMs, true));
        else if (type === 'trade') peer.send(tradeFrame(market, [market.lastTrade], nowMs, true));
        else if (pair.status === 'stopped') peer.send(orderbookFrame(market, nowMs, market.lastTms, true, true));
        else peer.send(orderbookFrame(market, nowMs, market.snapshotTms(nowMs), true));
      }
    }

    function onMessage(peer: Peer<KorbitState>, text: string): void {
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        return peer.send(fail(undefined, 'invalid_format', undefined));
      }
      // "it must be enclosed in square brackets"
      if (!Array.isArray(value)) return peer.send(fail(undefined, 'invalid_format', undefined));
      for (const item of value) request(peer, item);
    }

    function onStep(nowMs: number): void {
      const steps = markets.stepAll(nowMs);
      const cache = new Map<string, string[]>();
      for (const peer of peers()) {
        for (const sub of peer.state.subs) {
          const [type, symbol] = sub.split('|') as [Channel, string];
          const pair = pairs.get(symbol);
          const s = pair && pair.status === 'launched' ? steps.get(`${pair.base}/${pair.quote}`) : undefined;
          if (!s) continue;
          let frames = cache.get(sub);
          if (!frames) {
            const { market, step } = s;
            // a ticker and a trade list when the market traded; a whole book when a level changed
            if (type === 'trade') frames = step.trades.length ? [tradeFrame(market, step.trades, step.tms, false)] : [];
            else if (type === 'ticker') frames = step.trades.length ? [tickerFrame(market, step.tms, false)] : [];
            else frames = step.asks.length + step.bids.length ? [orderbookFrame(market, step.tms, step.tms, false)] : [];
            cache.set(sub, frames);
          }
          for (const f of frames) peer.send(f);
        }
      }
    }

    return {
      wsPath: KORBIT_WS_PATH,
      checkUpgrade: (url) =>
        url.pathname === KORBIT_WS_PATH ? null : { status: 404, body: '{"success":false,"error":{"code":"NOT_FOUND","message":"not found"}}' },
      createState: () => ({ subs: new Set() }),
      onMessage,
      onHttp(url, method) {
        if (method !== 'GET' || url.pathname !== '/v2/currencyPairs') return undefined;
        return { status: 200, body: pairListBody([...pairs.values()]) };
      },
      timers: [{ everyMs: o.intervalMs, run: onStep }],
    };
  });

  return {
    ...handle,
    listMarket(symbol: string) {
      const [base, quote] = symbol.split('/') as [string, string];
      pairs.set(code({ base, quote }), { base, quote, status: 'launched' });
    },
    delistMarket(symbol: string) {
      const [base, quote] = symbol.split('/') as [string, string];
      const p = pairs.get(code({ base, quote }));
      if (p) p.status = 'stopped';
    },
  };
}

export default defineSim<KorbitSimHandle>({
  name: 'korbit',
  start: (options: SimOptions) => startKorbitSim(options),
  config: (handle: SimHandle) => ({ url: handle.url, restUrl: handle.restUrl, symbols: ['BTC/KRW', 'ETH/KRW'] }),
});
