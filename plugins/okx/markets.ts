// OKX's spot market list: GET /api/v5/public/instruments?instType=SPOT → unified symbols and instIds.

import { parseJson, badFrame, GatewayError, isObject, unifySymbol } from '../../sdk/index.ts';
import type { MarketList } from '../../sdk/index.ts';
import { instrumentsUrl } from './wire.ts';

/** Only `live` instruments trade; `preopen`, `suspend` and `test` ones are left out. */
export function parseInstruments(body: string): { symbol: string; code: string }[] {
  const v = parseJson(body, 'instruments');
  if (!isObject(v) || !Array.isArray(v.data)) throw badFrame('instruments: expected {code, data: [...]}');
  if (v.code !== '0') throw new GatewayError('EXCHANGE_ERROR', `instruments: OKX error ${String(v.code)}: ${String(v.msg).slice(0, 200)}`);
  const out: { symbol: string; code: string }[] = [];
  const seen = new Set<string>();
  for (const i of v.data) {
    if (!isObject(i) || i.instType !== 'SPOT' || i.state !== 'live') continue;
    const { instId, baseCcy, quoteCcy } = i;
    if (typeof instId !== 'string' || typeof baseCcy !== 'string' || typeof quoteCcy !== 'string') continue;
    if (!/^[A-Za-z0-9]{1,20}$/.test(baseCcy) || !/^[A-Za-z0-9]{1,20}$/.test(quoteCcy)) continue;
    const symbol = unifySymbol(baseCcy, quoteCcy);
    if (seen.has(symbol)) continue;
    seen.add(symbol);
    out.push({ symbol, code: instId });
  }
  return out;
}

export const okxMarkets: MarketList = {
  url: (config) => instrumentsUrl(config.restUrl ?? ''),
  parse: parseInstruments,
};
