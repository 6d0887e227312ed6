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
  /** `ticks` grid steps up (positive) or down (negative) from `price`, which must be on the grid */
  move(price: number, ticks: number): number;
  /** price as a decimal string with exactly the tick's decimals */
  format(price: number): string;
}

interface Tier {
  min: number;
  tick: number;
  decimals: number;
}

/** Upbit's KRW market tick table (as given in the brief; 1,000-10,000 uses a 1 KRW tick). */
const KRW_TIERS: [min: number, tick: number][] = [
  [2_000_000, 1000],
  [1_000_000, 500],
  [500_000, 100],
  [100_000, 50],
  [10_000, 10],
  [1_000, 1],
  [100, 0.1],
  [0, 0.01],
];

export function decimalsOf(tick: number): number {
  return tick >= 1 ? 0 : Math.min(15, Math.round(-Math.log10(tick)));
}

const POW10 = Array.from({ length: 16 }, (_, i) => 10 ** i);

/**
 * Rounds to `decimals` places. An integer divided by a power of ten is correctly rounded, so this yields the same
 * double as parsing the decimal string would, without the cost of toFixed.
 */
export function roundTo(value: number, decimals: number): number {
  const scale = POW10[decimals]!;
  return Math.round(value * scale) / scale;
}

function tieredGrid(table: [min: number, tick: number][]): PriceGrid {
  const tiers: Tier[] = table.map(([min, tick]) => ({ min, tick, decimals: decimalsOf(tick) }));
  const last = tiers[tiers.length - 1]!;
  const smallest = last.tick;
  const tierAt = (p: number): Tier => tiers.find((t) => p >= t.min) ?? last;
  // The tick just below a boundary belongs to the lower tier: 2,000,000 steps down to 1,999,500.
  const tierBelow = (p: number): Tier => tiers.find((t) => p > t.min) ?? last;
  const canon = (p: number, tier: Tier): number => roundTo(p, tier.decimals);
  const up = (p: number): number => {
    const tier = tierAt(p);
    return canon(p + tier.tick, tier);
  };
  const down = (p: number): number => {
    const tier = tierBelow(p);
    return p - tier.tick < smallest ? smallest : canon(p - tier.tick, tier);
  };
  return {
    tickAt: (p) => tierAt(p).tick,
    floor: (p) => {
      const tier = tierAt(p);
      // The epsilon keeps 0.29999999 / 0.01 from flooring one tick short.
      return canon(Math.floor(p / tier.tick + 1e-9) * tier.tick, tier);
    },
    up,
    down,
    move: (p, ticks) => {
      // One multiplication when both ends lie in the same tier (the usual case); tick by tick otherwise.
      const tier = ticks >= 0 ? tierAt(p) : tierBelow(p);
      const target = canon(p + ticks * tier.tick, tier);
      if (target >= smallest && (ticks >= 0 ? tierBelow(target) : tierAt(target)) === tier) return target;
      let q = p;
      for (let i = 0; i < Math.abs(ticks); i++) q = ticks > 0 ? up(q) : down(q);
      return q;
    },
    format: (p) => p.toFixed(tierAt(p).decimals),
  };
}

export function krwGrid(): PriceGrid {
  return tieredGrid(KRW_TIERS);
}

export function fixedGrid(tick: number): PriceGrid {
  return tieredGrid([[0, tick]]);
}

/** Binance spot: 0.01 for anything priced from 10 up (BTCUSDT included), finer ticks for cheaper coins. */
export function binanceTick(price: number): number {
  if (price >= 10) return 0.01;
  if (price >= 0.1) return 0.0001;
  return Math.max(1e-8, 10 ** (Math.floor(Math.log10(price)) - 4));
}
