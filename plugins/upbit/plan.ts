// The one connection plan of an Upbit-style exchange: full request array, ping keep-alive, stateless mapper.

import type { ConnectionPlan, PluginConfig } from '../../sdk/plugin.ts';
import { createUpbitMapper } from './map.ts';
import type { UpbitDialect } from './map.ts';
import { marketLookup, quoteBaseCode } from './market.ts';
import { requestFrame } from './request.ts';

/** Upbit closes connections idle for ~120 s; a WebSocket ping every 30 s keeps well inside that. */
export const KEEP_ALIVE_MS = 30_000;

export function upbitStylePlan(config: PluginConfig, dialect: UpbitDialect): ConnectionPlan {
  const markets = marketLookup(config.symbols, quoteBaseCode);
  return {
    name: 'main',
    url: config.url,
    subscribe: [requestFrame(dialect.ex, [...markets.keys()], config.channels, config.depth)],
    keepAlive: { intervalMs: KEEP_ALIVE_MS },
    createMapper: () => createUpbitMapper(dialect, markets),
  };
}
