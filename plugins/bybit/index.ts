// The Bybit (spot, v5) plugin: public tickers, trades and snapshot+delta order books over topic subscriptions.

import { definePlugin, PLUGIN_API_VERSION } from '../../sdk/index.ts';
import { BybitMapper } from './map.ts';
import { bybitMarkets } from './markets.ts';
import { DEFAULT_REST_URL, DEFAULT_URL, marketCode, PING_FRAME, pingInterval, subscribeFrames, subscribeRequests, symbolTable, topicGroups } from './wire.ts';

export default definePlugin({
  id: 'bybit',
  apiVersion: PLUGIN_API_VERSION,
  channels: ['ticker', 'trade', 'orderbook'],
  // Published: at most 500 connections in 5 minutes and 1000 market-data connections per IP (counted per market:
  // spot apart from the others). Bybit publishes no per-connection message rate: 10 frames a second is our own
  // pace, which subscribes 1000 symbols' 3000 topics in 30 s. No REST requests are made while streaming.
  limits: {
    connectsPerWindow: { count: 500, windowMs: 5 * 60_000 },
    windowMs: 5 * 60_000,
    sendsPerSecond: 10,
  },
  defaultUrls: () => ({ url: DEFAULT_URL, restUrl: DEFAULT_REST_URL }),
  marketCode: (symbol) => marketCode(symbol),
  markets: bybitMarkets,
  connections(config) {
    symbolTable(config.symbols); // fails at start-up, not on the first frame, if two symbols share a code
    const intervalMs = pingInterval(config.options);
    return topicGroups(config).map((topics, i) => ({
      name: `topics-${i + 1}`,
      url: config.url,
      subscribe: subscribeFrames(topics),
      // Bybit's keep-alive is an application message; its answer is {"success":true,"ret_msg":"pong","op":"ping"}.
      keepAlive: { intervalMs, frame: PING_FRAME },
      createMapper: () => new BybitMapper(config, subscribeRequests(topics)),
    }));
  },
});
