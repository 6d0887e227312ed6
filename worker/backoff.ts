// Exponential backoff with jitter for reconnects and restarts.

import type { ReconnectPolicy } from '../boundary/worker-protocol.ts';

export class Backoff {
  private attempt = 0;

  constructor(
    private readonly policy: ReconnectPolicy,
    private readonly random: () => number = Math.random,
  ) {}

  /** the delay before the next attempt: initial × multiplier^n, capped, with ±20% jitter so peers spread out */
  next(): number {
    const { initialDelayMs, maxDelayMs, multiplier } = this.policy;
    const base = Math.min(maxDelayMs, initialDelayMs * multiplier ** this.attempt);
    this.attempt++;
    return Math.round(base * (0.8 + this.random() * 0.4));
  }

  reset(): void {
    this.attempt = 0;
  }

  get attempts(): number {
    return this.attempt;
  }
}
