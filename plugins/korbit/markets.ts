// Korbit's REST market list (GET /v2/currencyPairs) → unified symbols and Korbit market codes (`btc_krw`).

import { parseJson, badFrame, isObject, unifyAsset } from '../../sdk/index.ts';
import type { MarketList, PluginConfig } from '../../sdk/index.ts';
import { DEFAULT_REST_URL } from './wire.ts';

const ASSET = /^[A-Z0-9]{1,20}$/;

export const KORBIT_MARKETS: MarketList = {
  url: (config: PluginConfig) => `${(config.restUrl ?? DEFAULT_REST_URL).replace(/\/+$/, '')}/v2/currencyPairs`,
  parse(body: string) {
    const doc = parseJson(body, 'korbit markets');
    if (!isObject(doc) || doc.success !== true || !Array.isArray(doc.data)) {
      const code = isObject(doc) && isObject(doc.error) && typeof doc.error.code === 'string' ? ` (${doc.error.code.slice(0, 40)})` : '';
      throw badFrame(`korbit markets: not a successful market list${code}`);
    }
    const out: { symbol: string; code: string }[] = [];
    for (const p of doc.data) {
      // `launched` = trading; `stopped` pairs are listed too but cannot be traded
      if (!isObject(p) || typeof p.symbol !== 'string' || p.status !== 'launched') continue;
      const [b, q, extra] = p.symbol.split('_');
      const base = unifyAsset(typeof p.baseCurrency === 'string' ? p.baseCurrency : (b ?? ''));
      const quote = unifyAsset(typeof p.quoteCurrency === 'string' ? p.quoteCurrency : (q ?? ''));
      if (extra !== undefined || !ASSET.test(base) || !ASSET.test(quote)) continue;
      out.push({ symbol: `${base}/${quote}`, code: p.symbol });
    }
    return out;
  },
};
