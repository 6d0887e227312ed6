// Per-exchange trading rules the market model needs: the price grid and how finely quantities are quoted.

import { binanceTick, fixedGrid, krwGrid, type PriceGrid } from './price-grid.ts';

export interface VenueRules {
  /** the venue whose premium prices its markets (sim/world-prices.ts) */
  venue: string;
  /** the grid for a market of this quote currency starting at `refPrice` */
  grid(quote: string, refPrice: number): PriceGrid;
  /** decimals of the quantity step, for a coin worth `usdPrice` */
  qtyDecimals(usdPrice: number): number;
}

/** Binance: fixed tick per symbol; lot sizes coarser for cheap coins (BTC 0.00001, ETH 0.0001, XRP 0.1). */
export const BINANCE_RULES: VenueRules = {
  venue: 'binance',
  grid: (_quote, ref) => fixedGrid(binanceTick(ref)),
  qtyDecimals: (usd) => Math.min(8, Math.max(0, Math.ceil(Math.log10(usd)))),
};

/** Korean venues: the KRW tick table; BTC and USDT markets use a fixed fine tick. */
function koreanRules(venue: string, qtyDecimals: number): VenueRules {
  return {
    venue,
    grid: (quote, ref) => (quote === 'KRW' ? krwGrid() : fixedGrid(quote === 'BTC' ? 1e-8 : binanceTick(ref))),
    qtyDecimals: () => qtyDecimals,
  };
}

export const UPBIT_RULES: VenueRules = koreanRules('upbit', 8);
// Bithumb quotes quantities to 4 decimals (legacy `contQty` looks like "0.0076").
export const BITHUMB_RULES: VenueRules = koreanRules('bithumb', 4);
