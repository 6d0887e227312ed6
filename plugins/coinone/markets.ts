// Coinone's REST market list (GET /public/v2/markets/KRW) → unified symbols and Coinone market codes.

import { parseJson, badFrame, isObject, unifyAsset } from '../../sdk/index.ts';
import type { MarketList, PluginConfig } from '../../sdk/index.ts';
import { DEFAULT_REST_URL } from './wire.ts';

/** Coinone lists spot markets per quote currency; KRW is its only quote market today. */
export const MARKET_QUOTE = 'KRW';

export const COINONE_MARKETS: MarketList = {
  url: (config: PluginConfig) => `${(config.restUrl ?? DEFAULT_REST_URL).replace(/\/+$/, '')}/public/v2/markets/${MARKET_QUOTE}`,
  parse(body: string) {
    const doc = parseJson(body, 'coinone markets');
    if (!isObject(doc) || doc.result !== 'success' || !Array.isArray(doc.markets)) {
      const code = isObject(doc) ? String(doc.error_code ?? doc.errorCode ?? '').slice(0, 20) : '';
      throw badFrame(`coinone markets: not a successful market list${code ? ` (error_code ${code})` : ''}`);
    }
    const out: { symbol: string; code: string }[] = [];
    for (const m of doc.markets) {
      if (!isObject(m) || typeof m.quote_currency !== 'string' || typeof m.target_currency !== 'string') continue;
      // trade_status 1 = trading; anything else (suspended, delisting) is not a market to subscribe
      if (m.trade_status !== 1) continue;
      const base = unifyAsset(m.target_currency);
      const quote = unifyAsset(m.quote_currency);
      if (!/^[A-Z0-9]{1,20}$/.test(base) || !/^[A-Z0-9]{1,20}$/.test(quote)) continue;
      out.push({ symbol: `${base}/${quote}`, code: `${m.quote_currency}-${m.target_currency}` });
    }
    return out;
  },
};
