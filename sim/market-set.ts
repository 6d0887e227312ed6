// The lazily created markets of one simulated exchange, stepped together on that exchange's clock.

import { Market, type StepResult } from './market.ts';
import type { VenueRules } from './venue-rules.ts';

export interface MarketStep {
  market: Market;
  step: StepResult;
}

export class MarketSet {
  private readonly markets = new Map<string, Market>();

  constructor(
    private readonly rules: VenueRules,
    private readonly seed: number,
    private readonly tradesPerStep: number,
  ) {}

  /** The market for BASE/QUOTE (upper case, quote already validated), created on first use. */
  get(base: string, quote: string, nowMs = Date.now()): Market {
    const key = `${base}/${quote}`;
    let market = this.markets.get(key);
    if (!market) {
      market = new Market({ base, quote, seed: this.seed, rules: this.rules, tradesPerStep: this.tradesPerStep }, nowMs);
      this.markets.set(key, market);
    }
    return market;
  }

  /** Steps every market created so far; results keyed `BASE/QUOTE`. */
  stepAll(nowMs: number): Map<string, MarketStep> {
    const out = new Map<string, MarketStep>();
    for (const [key, market] of this.markets) out.set(key, { market, step: market.step(nowMs) });
    return out;
  }
}
