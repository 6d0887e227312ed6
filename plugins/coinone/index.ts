// The Coinone plugin: public WebSocket v2 (ticker, trade, whole-book orderbook), one connection, PING keep-alive.

import { definePlugin, PLUGIN_API_VERSION, splitSymbol, symbolTable } from '../../sdk/index.ts';
import type { PluginConfig } from '../../sdk/index.ts';
import { createCoinoneMapper } from './map.ts';
import { COINONE_MARKETS } from './markets.ts';
import { CODE, DEFAULT_REST_URL, DEFAULT_URL, formatOf, keepAliveOf, LIMITS, marketCode, PING_FRAME, subscribeFrame } from './wire.ts';

function plan(config: PluginConfig) {
  const format = formatOf(config.options);
  const keepAlive = keepAliveOf(config.options);
  const markets = symbolTable(config.symbols, CODE, 'coinone');
  const subscribe: string[] = [];
  for (const symbol of markets.symbols) {
    const { base, quote } = splitSymbol(symbol);
    for (const channel of config.channels) subscribe.push(subscribeFrame(channel, quote, base, format));
  }
  return {
    name: 'main',
    url: config.url,
    subscribe,
    keepAlive: { intervalMs: keepAlive, frame: PING_FRAME },
    createMapper: () => createCoinoneMapper(markets),
  };
}

export default definePlugin({
  id: 'coinone',
  apiVersion: PLUGIN_API_VERSION,
  channels: ['ticker', 'trade', 'orderbook'],
  limits: LIMITS,
  defaultUrls: () => ({ url: DEFAULT_URL, restUrl: DEFAULT_REST_URL }),
  marketCode: (symbol) => marketCode(symbol),
  connections: (config) => [plan(config)],
  markets: COINONE_MARKETS,
});
