// Bybit's spot market list (`GET /v5/market/instruments-info?category=spot`) → unified symbols and Bybit codes.

import { badFrame, GatewayError, isObject, isSymbol, str, unifySymbol } from '../../sdk/index.ts';
import type { MarketList } from '../../sdk/index.ts';
import { DEFAULT_REST_URL, instrumentsUrl } from './wire.ts';

/**
 * Every instrument whose `status` is `Trading` (spot answers with those only by default, and takes no paging). The
 * symbol comes from `baseCoin`/`quoteCoin`, never from splitting `symbol`; the code is `symbol` as Bybit writes it.
 */
export function parseInstruments(body: string): { symbol: string; code: string }[] {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (cause) {
    throw new GatewayError('BAD_FRAME', 'instruments-info: not JSON', { cause });
  }
  if (!isObject(value)) throw badFrame('instruments-info: expected an object');
  if (value.retCode !== 0) {
    const why = typeof value.retMsg === 'string' ? value.retMsg.slice(0, 200) : 'no retMsg';
    throw new GatewayError('EXCHANGE_ERROR', `instruments-info: retCode ${String(value.retCode).slice(0, 20)}: ${why}`);
  }
  const result = value.result;
  if (!isObject(result) || !Array.isArray(result.list)) throw badFrame('instruments-info: expected result.list');
  const markets: { symbol: string; code: string }[] = [];
  const seen = new Set<string>();
  for (const item of result.list as unknown[]) {
    if (!isObject(item)) throw badFrame('instruments-info: expected an object per instrument');
    if (item.status !== 'Trading') continue;
    const code = str(item, 'symbol', 'instrument');
    const symbol = unifySymbol(str(item, 'baseCoin', code), str(item, 'quoteCoin', code));
    if (!isSymbol(symbol) || seen.has(symbol)) continue; // unrepresentable or twice
    seen.add(symbol);
    markets.push({ symbol, code });
  }
  return markets;
}

export const bybitMarkets: MarketList = {
  url: (config) => instrumentsUrl(config.restUrl ?? DEFAULT_REST_URL),
  parse: parseInstruments,
};
