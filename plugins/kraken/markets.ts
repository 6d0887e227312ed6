// Kraken's market list: GET /0/public/AssetPairs → every spot pair that trades, as unified symbol + v2 code.
//
// The REST API still spells assets the old way (`wsname` "XBT/USD", base "XXBT"); WebSocket v2 uses the common
// names ("BTC/USD"). The unified symbol is `wsname` with the asset-alias rule applied (sdk/aliases.ts,
// docs/symbols.md), and it is exactly the v2 code, so `code` equals `symbol`.

import { badFrame, isObject, isSymbol, unifySymbol } from '../../sdk/index.ts';
import type { MarketList, PluginConfig } from '../../sdk/index.ts';
import { DEFAULT_REST_URL } from './wire.ts';

/**
 * Statuses of a pair that still trades. `cancel_only` (no matching), `maintenance` and anything unknown are left
 * out, so they count as delisted until they trade again.
 */
const TRADING = new Set(['online', 'post_only', 'limit_only', 'reduce_only']);

export function parseAssetPairs(body: string): { symbol: string; code: string }[] {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (cause) {
    throw Object.assign(badFrame('AssetPairs: not JSON'), { cause });
  }
  if (!isObject(value)) throw badFrame('AssetPairs: expected an object');
  const { error, result } = value;
  if (Array.isArray(error) && error.length > 0) throw badFrame(`AssetPairs: ${String(error[0]).slice(0, 200)}`);
  if (!isObject(result)) throw badFrame('AssetPairs.result: expected an object');
  const out: { symbol: string; code: string }[] = [];
  const seen = new Set<string>();
  for (const p of Object.values(result)) {
    if (!isObject(p)) continue;
    // Pairs without a wsname (e.g. the old ".d" dark-pool entries) cannot be subscribed over WebSocket.
    if (typeof p.wsname !== 'string') continue;
    if (p.status !== undefined && !TRADING.has(String(p.status))) continue;
    const [base, quote, extra] = p.wsname.split('/');
    if (!base || !quote || extra !== undefined) continue;
    const symbol = unifySymbol(base, quote);
    if (!isSymbol(symbol) || seen.has(symbol)) continue;
    seen.add(symbol);
    out.push({ symbol, code: symbol });
  }
  return out.sort((a, b) => (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0));
}

export const krakenMarkets: MarketList = {
  url: (config: PluginConfig) => `${(config.restUrl ?? DEFAULT_REST_URL).replace(/\/+$/, '')}/0/public/AssetPairs`,
  parse: parseAssetPairs,
};
