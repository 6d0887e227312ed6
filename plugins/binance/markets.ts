// Binance's spot market list: GET /api/v3/exchangeInfo?permissions=SPOT → {symbols: [{symbol, status, baseAsset,
// quoteAsset, ...}]}; only markets with status TRADING are listed (BREAK, HALT, ... are not).

import { badFrame, isObject, parseJson, unifySymbol } from '../../sdk/index.ts';
import type { MarketList } from '../../sdk/index.ts';
import { DEFAULT_REST_URL } from './wire.ts';

const ASSET = /^[A-Za-z0-9]{1,20}$/;

export function parseExchangeInfo(body: string): { symbol: string; code: string }[] {
  const v = parseJson(body, 'binance exchangeInfo');
  if (!isObject(v) || !Array.isArray(v.symbols)) throw badFrame('binance exchangeInfo: expected {symbols: [...]}');
  const out: { symbol: string; code: string }[] = [];
  for (const s of v.symbols) {
    if (!isObject(s) || s.status !== 'TRADING' || s.isSpotTradingAllowed === false) continue;
    const { symbol, baseAsset, quoteAsset } = s;
    if (typeof symbol !== 'string' || typeof baseAsset !== 'string' || typeof quoteAsset !== 'string') continue;
    if (!ASSET.test(baseAsset) || !ASSET.test(quoteAsset)) continue;
    out.push({ symbol: unifySymbol(baseAsset, quoteAsset), code: symbol });
  }
  return out;
}

export const BINANCE_MARKETS: MarketList = {
  url: (config) => `${(config.restUrl ?? DEFAULT_REST_URL).replace(/\/+$/, '')}/api/v3/exchangeInfo?permissions=SPOT`,
  parse: parseExchangeInfo,
};
