// The Korbit plugin: public WebSocket v2 (ticker, trade, whole-book orderbook) for KRW markets on one connection.

import { definePlugin, PLUGIN_API_VERSION, symbolTable } from '../../sdk/index.ts';
import type { PluginConfig } from '../../sdk/index.ts';
import { createKorbitMapper } from './map.ts';
import { KORBIT_MARKETS } from './markets.ts';
import { CODE, DEFAULT_REST_URL, DEFAULT_URL, KEEP_ALIVE_MS, LIMITS, marketCode, subscribeFrame } from './wire.ts';

function plan(config: PluginConfig) {
  const markets = symbolTable(config.symbols, CODE, 'korbit');
  return {
    name: 'main',
    url: config.url,
    subscribe: [subscribeFrame(config.channels, markets.codes)],
    keepAlive: { intervalMs: KEEP_ALIVE_MS },
    createMapper: () => createKorbitMapper(markets),
  };
}

export default definePlugin({
  id: 'korbit',
  apiVersion: PLUGIN_API_VERSION,
  channels: ['ticker', 'trade', 'orderbook'],
  limits: LIMITS,
  defaultUrls: () => ({ url: DEFAULT_URL, restUrl: DEFAULT_REST_URL }),
  marketCode: (symbol) => marketCode(symbol),
  connections: (config) => [plan(config)],
  markets: KORBIT_MARKETS,
});
