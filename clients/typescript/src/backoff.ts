// Reconnect delays: exponential from initialDelayMs to maxDelayMs, with "full jitter" spread so clients do not return in step.

export interface BackoffOptions {
  /** first delay, ms (default 250) */
  initialDelayMs?: number;
  /** the cap, ms (default 10000) */
  maxDelayMs?: number;
  /** fraction of each delay that is random (0 = none, 1 = full jitter; default 0.5) */
  jitter?: number;
}

export class Backoff {
  private attempt = 0;
  private readonly initial: number;
  private readonly max: number;
  private readonly jitter: number;

  constructor(opts: BackoffOptions = {}, private readonly random: () => number = Math.random) {
    this.initial = Math.max(0, opts.initialDelayMs ?? 250);
    this.max = Math.max(this.initial, opts.maxDelayMs ?? 10_000);
    this.jitter = Math.min(1, Math.max(0, opts.jitter ?? 0.5));
  }

  /** the delay before the next attempt; each call doubles the base up to the cap */
  next(): number {
    const base = Math.min(this.max, this.initial * 2 ** Math.min(this.attempt, 30));
    this.attempt++;
    return Math.round(base * (1 - this.jitter) + base * this.jitter * this.random());
  }

  /** after a connection that delivered: start from the initial delay again */
  reset(): void {
    this.attempt = 0;
  }
}
