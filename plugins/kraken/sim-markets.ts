// The simulated Kraken's pair universe: a few hundred spot pairs, each priced from the one simulated world, and the
// REST (`AssetPairs`, old asset names) and WebSocket v2 (`instrument`, common names) descriptions of them.

import { Market } from '../../sim/market.ts';
import { buildUniverse } from '../../sim/universe.ts';
import { busyStepEvery, type Activity } from '../../sim/market-set.ts';
import { hashString } from '../../sim/prng.ts';
import { quoteUsd } from '../../sim/reference-prices.ts';
import { binanceTick, decimalsOf, fixedGrid } from '../../sim/price-grid.ts';
import type { VenueRules } from '../../sim/venue-rules.ts';

/** Kraken: no premium over the world price; ticks like the other global venues; quantities to 8 decimals. */
export const KRAKEN_RULES: VenueRules = {
  venue: 'kraken',
  grid: (_quote, ref) => fixedGrid(binanceTick(ref)),
  qtyDecimals: () => 8,
};

export const QTY_DECIMALS = 8;

/** Kraken's quotes in the simulator, and how many of the shared bases (sim/universe.ts) each lists (most bases trade against USD and EUR). */
const QUOTE_COVERAGE: [quote: string, bases: number][] = [
  ['USD', 170],
  ['EUR', 120],
  ['USDT', 45],
  ['USDC', 25],
  ['BTC', 30],
  ['ETH', 15],
  ['JPY', 6],
];

/** The world model prices in USD through a dollar stablecoin; FDUSD is one no simulated Kraken pair quotes in. */
const MODEL_QUOTE: Record<string, string> = { USD: 'FDUSD' };

/** Assets Kraken's REST API still writes with an X (crypto) or Z (fiat) prefix, under their old names. */
const OLD_NAME: Record<string, string> = { BTC: 'XBT', DOGE: 'XDG' };
const X_PREFIXED = new Set(['XBT', 'ETH', 'LTC', 'XRP', 'XLM', 'XMR', 'ZEC', 'ETC', 'XDG', 'REP', 'MLN']);
const Z_PREFIXED = new Set(['USD', 'EUR', 'JPY', 'GBP', 'CAD']);

export function defaultPairs(): string[] {
  return buildUniverse({ quotes: QUOTE_COVERAGE }).map((m) => `${m.base}/${m.quote}`);
}

export interface SimPair {
  symbol: string;
  base: string;
  quote: string;
  market: Market;
  priceDecimals: number;
  /** steps once per this many intervals (skewed activity: by turnover, sim/market-set.ts), at this phase */
  every: number;
  phase: number;
}

export function createPair(symbol: string, seed: number, tradesPerStep: number, nowMs: number, activity: Activity = 'uniform', peak = 1): SimPair {
  const [base, quote] = symbol.split('/') as [string, string];
  if (!base || !quote || quoteUsd(MODEL_QUOTE[quote] ?? quote) === undefined) {
    throw new RangeError(`the simulated Kraken cannot price ${symbol}: quotes are ${Object.keys(MODEL_QUOTE).join(', ')} and the world's`);
  }
  const market = new Market({ base, quote: MODEL_QUOTE[quote] ?? quote, seed, rules: KRAKEN_RULES, tradesPerStep }, nowMs);
  const every = activity === 'skewed' ? busyStepEvery(base, peak) : 1;
  const priceDecimals = decimalsOf(market.grid.tickAt(market.book.bestAsk()));
  return { symbol, base, quote, market, priceDecimals, every, phase: hashString(symbol, seed) % every };
}

const restAsset = (name: string): string => {
  const old = OLD_NAME[name] ?? name;
  return X_PREFIXED.has(old) ? `X${old}` : Z_PREFIXED.has(old) ? `Z${old}` : old;
};

/** `GET /0/public/AssetPairs` as Kraken answers it (old names: `XXBTZUSD`, wsname `XBT/USD`). */
export function assetPairsBody(pairs: Iterable<SimPair>): string {
  const result: Record<string, unknown> = {};
  for (const p of pairs) {
    const base = restAsset(p.base);
    const quote = restAsset(p.quote);
    const wsBase = OLD_NAME[p.base] ?? p.base;
    const wsQuote = OLD_NAME[p.quote] ?? p.quote;
    const altname = wsBase + wsQuote;
    const key = base.length === 4 && quote.length === 4 && /^[XZ]/.test(base) && /^[XZ]/.test(quote) ? base + quote : altname;
    const tick = (10 ** -p.priceDecimals).toFixed(p.priceDecimals);
    result[key] = {
      altname,
      wsname: `${wsBase}/${wsQuote}`,
      aclass_base: 'currency',
      base,
      aclass_quote: 'currency',
      quote,
      lot: 'unit',
      cost_decimals: 5,
      pair_decimals: p.priceDecimals,
      lot_decimals: QTY_DECIMALS,
      lot_multiplier: 1,
      leverage_buy: [],
      leverage_sell: [],
      fees: [[0, 0.4], [50000, 0.36]],
      fees_maker: [[0, 0.25], [50000, 0.2]],
      fee_volume_currency: 'ZUSD',
      margin_call: 80,
      margin_stop: 40,
      ordermin: '0.0001',
      costmin: '0.5',
      tick_size: tick,
      status: 'online',
    };
  }
  return JSON.stringify({ error: [], result });
}

/** The `instrument` channel's snapshot (common names, v2's precisions). */
export function instrumentSnapshot(pairs: Iterable<SimPair>): string {
  const list = [...pairs];
  const assets = [...new Set(list.flatMap((p) => [p.base, p.quote]))].sort().map((id) => ({
    id,
    status: 'enabled',
    precision: 10,
    precision_display: 5,
    borrowable: false,
    collateral_value: 0,
    margin_rate: 0,
  }));
  const pairsOut = list.map((p) => ({
    symbol: p.symbol,
    base: p.base,
    quote: p.quote,
    status: 'online',
    qty_precision: QTY_DECIMALS,
    qty_increment: Number((1e-8).toFixed(8)),
    price_precision: p.priceDecimals,
    cost_precision: 5,
    marginable: false,
    has_index: true,
    cost_min: 0.5,
    tick_size: Number((10 ** -p.priceDecimals).toFixed(p.priceDecimals)),
    price_increment: Number((10 ** -p.priceDecimals).toFixed(p.priceDecimals)),
    qty_min: 0.0001,
  }));
  return JSON.stringify({ channel: 'instrument', type: 'snapshot', data: { assets, pairs: pairsOut } });
}
