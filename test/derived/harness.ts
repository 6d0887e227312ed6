// Shared set-up of the derived-stage tests: three test venues (qa, qb: KRW; qc: USDT) on feed servers, the FX
// simulator, and a gateway with the derived stage; helpers to push tickers and trades once the venues subscribed.

import { startFxSim } from '../../sim/fx-server.ts';
import type { FxSimHandle } from '../../sim/fx-server.ts';
import { waitFor } from '../support/client.ts';
import type { Frame } from '../support/client.ts';
import { startFeedServer } from '../support/feed-server.ts';
import type { FeedServer } from '../support/feed-server.ts';
import { TEST_PLUGINS_DIR, startGateway } from '../support/gateway.ts';

export type Gateway = Awaited<ReturnType<typeof startGateway>>;
export const VENUES = ['qa', 'qb', 'qc'] as const;
export type Venue = (typeof VENUES)[number];

export interface Harness {
  feeds: Record<Venue, FeedServer>;
  fx: FxSimHandle;
  start(doc: Record<string, unknown>): Promise<Gateway>;
  /** the symbols a venue's connection subscribed to (the last subscribe message) */
  subscribed(v: Venue): string[];
  ticker(v: Venue, sym: string, p: number, ts: number): void;
  trade(v: Venue, sym: string, p: number, q: number, ts: number): void;
  close(): Promise<void>;
}

export async function startHarness(fxRate = 1400): Promise<Harness> {
  const feeds = { qa: await startFeedServer(), qb: await startFeedServer(), qc: await startFeedServer() };
  const fx = await startFxSim({ rate: fxRate });
  const subscribed = (v: Venue) => {
    const last = feeds[v].received.at(-1);
    return last ? ((JSON.parse(last) as { subscribe: string[] }).subscribe ?? []) : [];
  };
  return {
    feeds,
    fx,
    subscribed,
    async start(doc) {
      const before = Object.fromEntries(VENUES.map((v) => [v, feeds[v].connections]));
      const gw = await startGateway(doc, { pluginsDir: TEST_PLUGINS_DIR });
      const used = VENUES.filter((v) => (doc.exchanges as Record<string, unknown>)[v]);
      await waitFor(() => used.every((v) => feeds[v].connections > before[v]! && feeds[v].sockets.size === 1 && feeds[v].received.length > 0), 15_000, 'venue connections');
      return gw;
    },
    ticker: (v, sym, p, ts) => feeds[v].push(JSON.stringify({ ty: 'ticker', sym, p, ts })),
    trade: (v, sym, p, q, ts) => feeds[v].push(JSON.stringify({ ty: 'trade', sym, p, q, ts })),
    async close() {
      await Promise.all([...VENUES.map((v) => feeds[v].close()), fx.close()]);
    },
  };
}

/** a venue section for the gateway config */
export const venue = (h: Harness, v: Venue, symbols: string[], channels = ['ticker', 'trade']) => ({
  url: h.feeds[v].url,
  symbols,
  channels,
  reconnect: { initialDelayMs: 50, maxDelayMs: 200 },
});

export const dkey = (f: Frame) => `${f.ex}|${f.ty}|${f.cd}|${(f.rex ?? f.iv) as string}`;
