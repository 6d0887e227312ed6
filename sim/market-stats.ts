// A simulated market's trades and rolling 24 h statistics: the shapes, the day a market starts with, and how each
// trade moves the figures.

import { roundTo } from './price-grid.ts';

export interface Trade {
  /** increasing per market */
  id: number;
  price: number;
  qty: number;
  /** the taker's side: 'sell' means the taker sold into the bid */
  takerSide: 'buy' | 'sell';
  tms: number;
  /** microseconds since epoch, inside `tms`'s millisecond; strictly increasing per market */
  tus: number;
}

/** Rolling 24 h figures; volumes in base units, `quoteVolume` in quote units. */
export interface DayStats {
  open: number;
  high: number;
  low: number;
  prevClose: number;
  volume: number;
  quoteVolume: number;
  /** volume of trades whose taker sold */
  sellVolume: number;
  buyVolume: number;
  tradeCount: number;
  firstTradeId: number;
  high52w: number;
  low52w: number;
}

/** Adds one trade to the day's figures (volumes rounded to the market's lot decimals). */
export function recordTrade(s: DayStats, t: Trade, qtyDecimals: number): void {
  s.high = Math.max(s.high, t.price);
  s.low = Math.min(s.low, t.price);
  s.volume = roundTo(s.volume + t.qty, qtyDecimals);
  s.quoteVolume += t.qty * t.price;
  if (t.takerSide === 'sell') s.sellVolume = roundTo(s.sellVolume + t.qty, qtyDecimals);
  else s.buyVolume = roundTo(s.buyVolume + t.qty, qtyDecimals);
  s.tradeCount++;
}
