// Bithumb legacy connection: `BTC_KRW` codes, one subscribe frame per record type, ping keep-alive.

import { marketCode, symbolTable } from '../../sdk/index.ts';
import type { CodeFormat, ConnectionPlan, PluginConfig } from '../../sdk/index.ts';
import { ENDPOINTS } from './api.ts';
import { createLegacyMapper } from './legacy-map.ts';

/** no idle timeout is documented; a ping every 30 s is what Bithumb's own clients use */
const KEEP_ALIVE_MS = 30_000;

/** `BTC/KRW` → `BTC_KRW` */
const BASE_QUOTE: CodeFormat = (base, quote) => `${base}_${quote}`;

export function legacyCode(symbol: string): string {
  return marketCode(symbol, BASE_QUOTE);
}

export function legacyPlan(config: PluginConfig): ConnectionPlan {
  const markets = symbolTable(config.symbols, BASE_QUOTE, 'bithumb');
  const symbols = markets.codes;
  const subscribe: string[] = [];
  // 24H only: the other tick types (30M, 1H, 12H, MID) are other windows that would share the ticker stream key
  if (config.channels.includes('ticker')) subscribe.push(JSON.stringify({ type: 'ticker', symbols, tickTypes: ['24H'] }));
  if (config.channels.includes('trade')) subscribe.push(JSON.stringify({ type: 'transaction', symbols }));
  if (config.channels.includes('orderbook')) subscribe.push(JSON.stringify({ type: 'orderbookdepth', symbols }));
  const restUrl = (config.restUrl ?? ENDPOINTS.legacy.restUrl).replace(/\/+$/, '');
  return {
    name: 'main',
    url: config.url,
    subscribe,
    keepAlive: { intervalMs: KEEP_ALIVE_MS },
    createMapper: () => createLegacyMapper({ ex: 'bithumb', restUrl, depth: config.depth, markets }),
  };
}
