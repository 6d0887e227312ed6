// The lazily created markets of one simulated exchange, stepped together on that exchange's clock.

import { Market, type StepResult } from './market.ts';
import { hashString } from './prng.ts';
import { dailyTurnoverUsd } from './reference-prices.ts';
import type { VenueRules } from './venue-rules.ts';

export interface MarketStep {
  market: Market;
  step: StepResult;
}

/** 'uniform': every market steps every interval; 'skewed': by turnover (see `stepEvery`) */
export type Activity = 'uniform' | 'skewed';

/** the quietest market still steps once per this many intervals (20 s at the default 100 ms) */
export const QUIETEST_EVERY = 200;

/**
 * With skewed activity, how many intervals apart a market of `base` steps: its 24 h turnover against the busiest
 * market's (BTC steps every interval, ETH every 2nd, the long tail every 40th to 200th), as on real exchanges where
 * a handful of markets carry most trades and book changes.
 */
export function stepEvery(base: string): number {
  return busyStepEvery(base, 1);
}

/**
 * `stepEvery` in a busier minute: the busiest market would step `peak` times per interval, so every market with at
 * least 1/peak of its turnover steps every interval (it is at the venue's push cap) and the rest `peak` times as
 * often as at peak 1 (but still at least every QUIETEST_EVERY intervals).
 */
export function busyStepEvery(base: string, peak: number): number {
  const share = (dailyTurnoverUsd(base) / dailyTurnoverUsd('BTC')) * Math.max(1, peak);
  return Math.min(QUIETEST_EVERY, Math.max(1, Math.round(1 / share)));
}

export class MarketSet {
  private readonly markets = new Map<string, { market: Market; every: number; phase: number }>();
  private steps = 0;

  constructor(
    private readonly rules: VenueRules,
    private readonly seed: number,
    private readonly tradesPerStep: number,
    private readonly activity: Activity = 'uniform',
    /** skewed activity's busier-minute factor (`stepEvery`) */
    private readonly peak = 1,
  ) {}

  /** The market for BASE/QUOTE (upper case, quote already validated), created on first use. */
  get(base: string, quote: string, nowMs = Date.now()): Market {
    const key = `${base}/${quote}`;
    let entry = this.markets.get(key);
    if (!entry) {
      const market = new Market({ base, quote, seed: this.seed, rules: this.rules, tradesPerStep: this.tradesPerStep }, nowMs);
      const every = this.activity === 'skewed' ? busyStepEvery(base, this.peak) : 1;
      // spread the quiet markets' steps over the intervals instead of stepping them all at once
      entry = { market, every, phase: hashString(key, this.seed) % every };
      this.markets.set(key, entry);
    }
    return entry.market;
  }

  /** Steps every market due this interval (all of them with uniform activity); results keyed `BASE/QUOTE`. */
  stepAll(nowMs: number): Map<string, MarketStep> {
    const n = this.steps++;
    const out = new Map<string, MarketStep>();
    for (const [key, e] of this.markets) {
      if ((n + e.phase) % e.every !== 0) continue;
      out.set(key, { market: e.market, step: e.market.step(nowMs) });
    }
    return out;
  }
}
