// How long to stay away after an exchange refuses us (HTTP 429/418 on the upgrade, close 1008): shaped by the length
// of the window the exchange counts connection attempts in, and by its Retry-After when it sends one.

import type { ExchangeLimits } from '../sdk/plugin.ts';

export interface PushbackPolicy {
  /** the exchange's limit window (ms): 1000 for per-second limits, 300 000 for Binance's per-5-minute count */
  windowMs: number;
  /** never back off less than an ordinary reconnect would (the reconnect policy's initialDelayMs) */
  floorMs: number;
  /** growth per consecutive refusal (the reconnect policy's multiplier) */
  multiplier: number;
}

/** a first wait is at most this share of a long window (Binance: 300 s / 40 = 7.5 s) */
const LONG_WINDOW_SHARE = 40;
/** ... and at least this long, or one window if that is shorter */
const MIN_FIRST_MS = 1000;
/** repeated refusals of a short window may hold us back this many first waits (Upbit, Bithumb: 4 s) */
const SHORT_WINDOW_CAP_FACTOR = 4;
/** a Retry-After beyond this is taken as this (a broken header must not park an exchange for days) */
export const RETRY_AFTER_MAX_MS = 3_600_000;
/** spread peers that were told the same Retry-After: up to this share later, never earlier */
const RETRY_AFTER_SPREAD = 0.1;

/**
 * The window a plugin's limits count connection attempts in: `windowMs` when declared, else the longest connection
 * window (`connectsPerWindow`), else one second for `connectsPerSecond`; `fallbackMs` when it declares none.
 */
export function limitWindowMs(limits: ExchangeLimits | undefined, fallbackMs: number): number {
  if (limits?.windowMs) return limits.windowMs;
  if (limits?.connectsPerWindow) return limits.connectsPerWindow.windowMs;
  if (limits?.connectsPerSecond) return 1000;
  return fallbackMs;
}

/**
 * Consecutive refusals k = 1, 2, … wait `first × multiplier^(k-1)`, at most `cap`, with jitter that only shortens
 * (80-100 %), so the cap is never exceeded:
 * - first = one window, but for a long window a fortieth of it, and at least one second: a count over a window has
 *   room again after one window at the latest, and usually much sooner when the window is long;
 * - cap = one window, or four first waits when the window is shorter than that: waiting longer than the window is
 *   never needed for the count to clear, while a per-second exchange that keeps refusing (other clients on the IP,
 *   or an exchange escalating to bans: Upbit's 418, Bithumb's 10-minute block) is given a few seconds, not hammered.
 * A Retry-After replaces the schedule: the wait is what the exchange says (up to 10 % later to spread peers, never
 * earlier), and the refusal still counts towards the next wait's growth.
 */
export class Pushback {
  private refusals = 0;

  constructor(
    private readonly policy: PushbackPolicy,
    private readonly random: () => number = Math.random,
  ) {}

  get firstMs(): number {
    const { windowMs, floorMs } = this.policy;
    return Math.max(floorMs, Math.min(windowMs, Math.max(MIN_FIRST_MS, windowMs / LONG_WINDOW_SHARE)));
  }

  get capMs(): number {
    return Math.max(this.policy.windowMs, SHORT_WINDOW_CAP_FACTOR * this.firstMs);
  }

  /** the wait before the next attempt after a refusal (with the exchange's Retry-After, if it sent one) */
  next(retryAfterMs?: number): number {
    const k = this.refusals++;
    if (retryAfterMs !== undefined) {
      const told = Math.min(RETRY_AFTER_MAX_MS, Math.max(0, retryAfterMs));
      return Math.round(told * (1 + this.random() * RETRY_AFTER_SPREAD));
    }
    const base = Math.min(this.capMs, this.firstMs * this.policy.multiplier ** k);
    return Math.round(base * (0.8 + this.random() * 0.2));
  }

  /** after a healthy period: the next refusal starts from the first wait again */
  reset(): void {
    this.refusals = 0;
  }

  /** consecutive refusals so far */
  get count(): number {
    return this.refusals;
  }
}
