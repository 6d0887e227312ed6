// The market list of Upbit-format exchanges (Upbit, Bithumb): GET <restUrl>/v1/market/all →
// [{"market":"KRW-BTC","korean_name":...,"english_name":...}, ...]; codes are QUOTE-BASE.

import { badFrame, isObject, parseJson, unifySymbol } from '../../sdk/index.ts';
import type { MarketList } from '../../sdk/index.ts';

const CODE = /^([A-Z0-9]{1,20})-([A-Z0-9]{1,20})$/;

/** the markets of one answer of /v1/market/all; entries that are not QUOTE-BASE codes are skipped */
export function parseMarketAll(body: string, ex: string): { symbol: string; code: string }[] {
  const v = parseJson(body, `${ex} market/all`);
  if (!Array.isArray(v)) throw badFrame(`${ex} market/all: expected a list of markets`);
  const out: { symbol: string; code: string }[] = [];
  for (const m of v) {
    if (!isObject(m) || typeof m.market !== 'string') continue;
    const parts = CODE.exec(m.market);
    if (!parts) continue;
    out.push({ symbol: unifySymbol(parts[2]!, parts[1]!), code: m.market });
  }
  return out;
}

/** `defaultRestUrl`: where the list is when the config gives no restUrl */
export function upbitStyleMarkets(ex: string, defaultRestUrl: string): MarketList {
  return {
    url: (config) => `${(config.restUrl ?? defaultRestUrl).replace(/\/+$/, '')}/v1/market/all`,
    parse: (body) => parseMarketAll(body, ex),
  };
}
