// The Binance (spot) plugin: combined public streams for 24 h tickers, trades and diff-synchronized order books.

import { definePlugin, PLUGIN_API_VERSION } from '../../sdk/index.ts';
import { BinanceMapper } from './map.ts';
import { BINANCE_MARKETS } from './markets.ts';
import { combinedStreamUrl, DEFAULT_REST_URL, DEFAULT_URL, marketCode, streamGroups, symbolTable } from './wire.ts';

export default definePlugin({
  id: 'binance',
  apiVersion: PLUGIN_API_VERSION,
  channels: ['ticker', 'trade', 'orderbook'],
  // Published: 300 connection attempts per 5 min per IP; 5 incoming messages/s per connection, pings and pongs
  // included (we keep one free for the pongs the socket layer sends); connections closed after 24 h; REST weight
  // 6000 per minute per IP, a 1000-level depth snapshot weighing 50 (100 a minute keeps a sixth in reserve).
  limits: {
    connectsPerWindow: { count: 300, windowMs: 5 * 60_000 },
    windowMs: 5 * 60_000,
    sendsPerSecond: 4,
    maxConnectionAgeMs: 24 * 60 * 60_000,
    requestsPerMinute: 100,
  },
  defaultUrls: () => ({ url: DEFAULT_URL, restUrl: DEFAULT_REST_URL }),
  marketCode: (symbol) => marketCode(symbol),
  markets: BINANCE_MARKETS,
  connections(config) {
    symbolTable(config.symbols); // fails at start-up, not on the first frame, if two symbols share a code
    // The URL carries the streams, so there is nothing to send on open; Binance pings us and the socket layer answers.
    return streamGroups(config).map((streams, i) => ({
      name: `streams-${i + 1}`,
      url: combinedStreamUrl(config.url, streams),
      subscribe: [],
      createMapper: () => new BinanceMapper(config),
    }));
  },
});
