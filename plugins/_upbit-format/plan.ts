// The one connection plan of an Upbit-format exchange: full request array, ping keep-alive, stateless mapper.

import { symbolTable } from '../../sdk/index.ts';
import type { ConnectionPlan, PluginConfig } from '../../sdk/index.ts';
import { QUOTE_BASE } from './code.ts';
import { createUpbitMapper } from './map.ts';
import type { UpbitDialect } from './map.ts';
import { requestFrame } from './request.ts';

/** Upbit closes connections idle for ~120 s; a WebSocket ping every 30 s keeps well inside that. */
export const KEEP_ALIVE_MS = 30_000;

export function upbitStylePlan(config: PluginConfig, dialect: UpbitDialect): ConnectionPlan {
  const markets = symbolTable(config.symbols, QUOTE_BASE, dialect.ex);
  return {
    name: 'main',
    url: config.url,
    subscribe: [requestFrame(dialect.ex, markets.codes, config.channels, config.depth)],
    keepAlive: { intervalMs: KEEP_ALIVE_MS },
    createMapper: () => createUpbitMapper(dialect, markets),
  };
}
