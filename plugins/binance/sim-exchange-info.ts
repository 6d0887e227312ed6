// GET /api/v3/exchangeInfo of the simulated Binance: its spot universe (a few hundred symbols from sim/universe.ts)
// in Binance's format, with the trading rules (tick and lot size filters) taken from the simulated markets' rules.

import type { HttpReply } from '../../sim/sim-server.ts';
import { referencePrice } from '../../sim/reference-prices.ts';
import { buildUniverse, Listing, type Listed } from '../../sim/universe.ts';
import { BINANCE_RULES } from '../../sim/venue-rules.ts';

/** Binance's spot universe in the simulator: every base against USDT, fewer against the other quotes. */
export function binanceListing(nowMs = Date.now()): Listing {
  return new Listing(
    buildUniverse({
      quotes: [['USDT', Infinity], ['FDUSD', 40], ['USDC', 80], ['BTC', 60], ['ETH', 20], ['BNB', 15], ['EUR', 10], ['TRY', 20]],
      extra: ['USDC/USDT', 'FDUSD/USDT', 'EUR/USDT'],
    }),
    nowMs,
  );
}

const decimal = (x: number): string => x.toFixed(8);

function symbolJson(m: Listed): Record<string, unknown> {
  const ref = referencePrice(m.base, m.quote);
  const tick = BINANCE_RULES.grid(m.quote, ref).tickAt(ref);
  const qtyDecimals = BINANCE_RULES.qtyDecimals(referencePrice(m.base, 'USDT'));
  const step = 10 ** -qtyDecimals;
  return {
    symbol: m.base + m.quote,
    status: 'TRADING',
    baseAsset: m.base,
    baseAssetPrecision: 8,
    quoteAsset: m.quote,
    quotePrecision: 8,
    quoteAssetPrecision: 8,
    baseCommissionPrecision: 8,
    quoteCommissionPrecision: 8,
    orderTypes: ['LIMIT', 'LIMIT_MAKER', 'MARKET', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT_LIMIT'],
    icebergAllowed: true,
    ocoAllowed: true,
    otoAllowed: true,
    quoteOrderQtyMarketAllowed: true,
    allowTrailingStop: true,
    cancelReplaceAllowed: true,
    isSpotTradingAllowed: true,
    isMarginTradingAllowed: false,
    filters: [
      { filterType: 'PRICE_FILTER', minPrice: decimal(tick), maxPrice: decimal(ref * 1000), tickSize: decimal(tick) },
      { filterType: 'LOT_SIZE', minQty: decimal(step), maxQty: '9000000.00000000', stepSize: decimal(step) },
    ],
    permissions: [],
    permissionSets: [['SPOT']],
    defaultSelfTradePreventionMode: 'EXPIRE_MAKER',
    allowedSelfTradePreventionModes: ['EXPIRE_TAKER', 'EXPIRE_MAKER', 'EXPIRE_BOTH'],
  };
}

/**
 * The answer to GET /api/v3/exchangeInfo: every listed symbol, or with `symbol=` / `symbols=["A","B"]` only those
 * (an unknown one is error -1121, as on Binance). `permissions` is accepted; every simulated symbol is SPOT.
 */
export function exchangeInfo(listing: Listing, url: URL): HttpReply {
  const bySymbol = new Map(listing.all().map((m) => [m.base + m.quote, m]));
  let wanted: string[] | undefined;
  const one = url.searchParams.get('symbol');
  const many = url.searchParams.get('symbols');
  if (one !== null) wanted = [one];
  else if (many !== null) {
    try {
      const parsed: unknown = JSON.parse(many);
      wanted = Array.isArray(parsed) ? parsed.map(String) : [];
    } catch {
      wanted = [];
    }
  }
  const chosen = wanted ? wanted.map((s) => bySymbol.get(s)) : [...bySymbol.values()];
  if (chosen.some((m) => m === undefined) || chosen.length === 0) {
    return { status: 400, body: JSON.stringify({ code: -1121, msg: 'Invalid symbol.' }) };
  }
  const body = {
    timezone: 'UTC',
    serverTime: Date.now(),
    rateLimits: [
      { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 6000 },
      { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 100 },
      { rateLimitType: 'RAW_REQUESTS', interval: 'MINUTE', intervalNum: 5, limit: 61000 },
    ],
    exchangeFilters: [],
    symbols: (chosen as Listed[]).map(symbolJson),
  };
  return { status: 200, body: JSON.stringify(body) };
}
