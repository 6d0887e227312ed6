// The Kraken spot plugin (WebSocket v2): tickers, trades and checksum-verified order books; the AssetPairs market list.

import { definePlugin, PLUGIN_API_VERSION } from '../../sdk/index.ts';
import { KrakenMapper } from './map.ts';
import { krakenMarkets } from './markets.ts';
import { DEFAULT_REST_URL, DEFAULT_URL, marketCode, PING_FRAME, subscribeFrames, symbolGroups } from './wire.ts';

export default definePlugin({
  id: 'kraken',
  apiVersion: PLUGIN_API_VERSION,
  channels: ['ticker', 'trade', 'orderbook'],
  // Kraken publishes no fixed WebSocket connection or message rate (README.md): one attempt a second, and at most
  // five frames a second per connection (subscriptions and pings), are our own conservative choice.
  limits: { connectsPerSecond: 1, windowMs: 60_000, sendsPerSecond: 5 },
  defaultUrls: () => ({ url: DEFAULT_URL, restUrl: DEFAULT_REST_URL }),
  marketCode: (symbol) => marketCode(symbol),
  markets: krakenMarkets,
  connections(config) {
    return symbolGroups(config).map((table, i) => ({
      name: `symbols-${i + 1}`,
      url: config.url,
      subscribe: subscribeFrames(config, table.codes),
      // The server closes a connection that sends nothing for about a minute; an application ping every 30 s
      // (answered with {"method":"pong"}) keeps it open and shows the server is alive.
      keepAlive: { intervalMs: 30_000, frame: PING_FRAME },
      createMapper: () => new KrakenMapper(config, table),
    }));
  },
});
