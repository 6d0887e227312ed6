// Folds consecutive book diffs into one, for streams pushed less often than the market steps (Binance `@depth`).

import type { LevelChange } from '../../sim/order-book.ts';
import type { StepResult } from '../../sim/market.ts';

export interface MergedDiffResult {
  firstUpdateId: number;
  lastUpdateId: number;
  bids: LevelChange[];
  asks: LevelChange[];
}

export class MergedDiff {
  private first = 0;
  private last = 0;
  private readonly bids = new Map<number, number>();
  private readonly asks = new Map<number, number>();

  add(step: StepResult): void {
    if (this.first === 0) this.first = step.firstUpdateId;
    this.last = step.lastUpdateId;
    for (const [p, q] of step.bids) this.bids.set(p, q);
    for (const [p, q] of step.asks) this.asks.set(p, q);
  }

  /** the changes since the last take, or undefined when there were none */
  take(): MergedDiffResult | undefined {
    if (this.first === 0) return undefined;
    const out: MergedDiffResult = {
      firstUpdateId: this.first,
      lastUpdateId: this.last,
      bids: [...this.bids].sort((a, b) => b[0] - a[0]),
      asks: [...this.asks].sort((a, b) => a[0] - b[0]),
    };
    this.first = 0;
    this.bids.clear();
    this.asks.clear();
    return out;
  }
}
