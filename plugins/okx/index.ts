// The OKX (spot) plugin: public WebSocket v5 tickers, trades and order books (400-level `books` kept in sync by
// seqId and checksum, or five-level `books5` snapshots for depth <= 5), plus the REST market list.

import { definePlugin, PLUGIN_API_VERSION, symbolTable } from '../../sdk/index.ts';
import { OkxMapper } from './map.ts';
import { okxMarkets } from './markets.ts';
import {
  connectionGroups,
  DEFAULT_REST_URL,
  DEFAULT_URL,
  keepAliveMs,
  marketCode,
  maxArgsPerConnection,
  PING_FRAME,
  subscribeArgs,
  subscribeFrames,
  INST_ID,
} from './wire.ts';

export default definePlugin({
  id: 'okx',
  apiVersion: PLUGIN_API_VERSION,
  channels: ['ticker', 'trade', 'orderbook'],
  // Published: 3 connection requests per second per IP; 480 subscribe/unsubscribe/login requests per hour per
  // connection (our frames carry many args each, and resyncs are rare); REST order book 40 requests per 2 s per IP
  // (we keep to half of it).
  limits: { connectsPerSecond: 3, windowMs: 1000, requestsPerMinute: 600 },
  defaultUrls: () => ({ url: DEFAULT_URL, restUrl: DEFAULT_REST_URL }),
  marketCode: (symbol) => marketCode(symbol),
  connections(config) {
    symbolTable(config.symbols, INST_ID, config.id); // a bad or colliding symbol fails at start-up
    const pingMs = keepAliveMs(config);
    const groups = connectionGroups(subscribeArgs(config), maxArgsPerConnection(config));
    return groups.map((args, i) => ({
      name: groups.length === 1 ? 'public' : `public-${i + 1}`,
      url: config.url,
      subscribe: subscribeFrames(args),
      // OKX drops a connection after 30 s without traffic; the text "ping" is answered with "pong".
      keepAlive: { intervalMs: pingMs, frame: PING_FRAME },
      createMapper: () => new OkxMapper(config),
    }));
  },
  markets: okxMarkets,
});
