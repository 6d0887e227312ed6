// Tick-size rules per exchange, and stepping along a price grid without floating-point drift.

/** A set of allowed prices. Every price it returns is canonical (`Number(x.toFixed(d))`), so it can key a Map. */
export interface PriceGrid {
  /** tick in force at `price` (for prices at or above a tier boundary, the boundary's tier) */
  tickAt(price: number): number;
  /** largest grid price <= price */
  floor(price: number): number;
  /** the grid price next above `price` (which must be on the grid) */
  up(price: number): number;
  /** the grid price next below `price`, never below the smallest tick */
  down(price: number): number;
  /** price as a decimal string with exactly the tick's decimals */
  format(price: number): string;
}

interface Tier {
  min: number;
  tick: number;
}

/** Upbit's KRW market tick table (as given in the brief; 1,000-10,000 uses a 1 KRW tick). */
const KRW_TIERS: Tier[] = [
  { min: 2_000_000, tick: 1000 },
  { min: 1_000_000, tick: 500 },
  { min: 500_000, tick: 100 },
  { min: 100_000, tick: 50 },
  { min: 10_000, tick: 10 },
  { min: 1_000, tick: 1 },
  { min: 100, tick: 0.1 },
  { min: 0, tick: 0.01 },
];

export function decimalsOf(tick: number): number {
  return tick >= 1 ? 0 : Math.round(-Math.log10(tick));
}

export function roundTo(value: number, decimals: number): number {
  return Number(value.toFixed(decimals));
}

function tieredGrid(tiers: Tier[]): PriceGrid {
  const smallest = tiers[tiers.length - 1]!.tick;
  const tickAt = (p: number): number => (tiers.find((t) => p >= t.min) ?? tiers[tiers.length - 1]!).tick;
  // The tick just below a boundary belongs to the lower tier: 2,000,000 steps down to 1,999,500.
  const tickBelow = (p: number): number => (tiers.find((t) => p > t.min) ?? tiers[tiers.length - 1]!).tick;
  const canon = (p: number, tick: number): number => roundTo(p, decimalsOf(tick));
  return {
    tickAt,
    floor: (p) => {
      const tick = tickAt(p);
      // The epsilon keeps 0.29999999 / 0.01 from flooring one tick short.
      return canon(Math.floor(p / tick + 1e-9) * tick, tick);
    },
    up: (p) => canon(p + tickAt(p), tickAt(p)),
    down: (p) => {
      const tick = tickBelow(p);
      return p - tick < smallest ? smallest : canon(p - tick, tick);
    },
    format: (p) => p.toFixed(decimalsOf(tickAt(p))),
  };
}

export function krwGrid(): PriceGrid {
  return tieredGrid(KRW_TIERS);
}

export function fixedGrid(tick: number): PriceGrid {
  return tieredGrid([{ min: 0, tick }]);
}

/** Binance spot: 0.01 for anything priced from 10 up (BTCUSDT included), finer ticks for cheaper coins. */
export function binanceTick(price: number): number {
  if (price >= 10) return 0.01;
  if (price >= 0.1) return 0.0001;
  return Math.max(1e-8, 10 ** (Math.floor(Math.log10(price)) - 4));
}
