// The OKX simulator's spot instrument list: a few hundred markets in OKX's instrument format, listable and
// delistable at run time.

import { fixedGrid, type PriceGrid } from '../../sim/price-grid.ts';
import { referencePrice } from '../../sim/reference-prices.ts';
import { buildUniverse, Listing, type Listed } from '../../sim/universe.ts';
import type { VenueRules } from '../../sim/venue-rules.ts';

/** OKX-like tick sizes: 0.1 for BTC-USDT, 0.01 for ETH-USDT, finer for cheaper coins. */
export function okxTick(price: number): number {
  if (price >= 10_000) return 0.1;
  if (price >= 10) return 0.01;
  if (price >= 0.1) return 0.0001;
  return Math.max(1e-10, 10 ** (Math.floor(Math.log10(price)) - 4));
}

export const OKX_RULES: VenueRules = {
  venue: 'okx',
  grid: (_quote: string, ref: number): PriceGrid => fixedGrid(okxTick(ref)),
  qtyDecimals: (usd) => Math.min(8, Math.max(0, Math.ceil(Math.log10(usd)) + 2)),
};


/** a listed instrument (sim/universe.ts): base, quote, when it was listed */
export type Instrument = Listed;

/** the OKX id of a listed instrument: BASE-QUOTE */
export const instId = (i: Instrument): string => `${i.base}-${i.quote}`;

/** The spot instruments listed at start; the shared listing state changes them at run time. */
export function initialUniverse(nowMs: number): Listing {
  return new Listing(
    buildUniverse({
      quotes: [['USDT', 200], ['USDC', 80], ['BTC', 40], ['ETH', 15], ['EUR', 10]],
      extra: ['USDC/USDT', 'USDT/EUR'],
    }),
    nowMs,
  );
}

const trim = (s: string): string => (s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s);

/** One instrument as GET /api/v5/public/instruments writes it. */
export function instrumentJson(instId: string, i: Instrument): Record<string, string> {
  const ref = referencePrice(i.base, i.quote);
  const tick = okxTick(ref);
  const usd = referencePrice(i.base, 'USDT');
  const lot = 10 ** -OKX_RULES.qtyDecimals(usd);
  return {
    instType: 'SPOT',
    instId,
    uly: '',
    instFamily: '',
    baseCcy: i.base,
    quoteCcy: i.quote,
    settleCcy: '',
    ctVal: '',
    ctMult: '',
    ctValCcy: '',
    optType: '',
    stk: '',
    listTime: String(i.listedAtMs),
    expTime: '',
    lever: '10',
    tickSz: trim(tick.toFixed(10)),
    lotSz: trim(lot.toFixed(10)),
    minSz: trim((lot * 10).toFixed(10)),
    ctType: '',
    alias: '',
    state: 'live',
    ruleType: 'normal',
    maxLmtSz: '9999999999',
    maxMktSz: '1000000',
  };
}
