// Fills in a simulator's options from the caller's and the exchange's own defaults.

import type { ServerLimits } from './sim-server.ts';
import type { Activity } from './market-set.ts';
import type { SimOptions } from './sim-types.ts';

export interface ResolvedOptions {
  limits: ServerLimits;
  seed: number;
  intervalMs: number;
  tradesPerStep: number;
  activity: Activity;
  /** skewed activity's busier-minute factor (SimOptions.peak) */
  peak: number;
}

export interface ExchangeDefaults {
  pingIntervalMs: number;
  idleTimeoutMs: number;
  maxMessagesPerSecond: number;
}

export function resolveOptions(options: SimOptions, defaults: ExchangeDefaults): ResolvedOptions {
  const intervalMs = options.intervalMs ?? 100;
  if (!(intervalMs >= 1)) throw new RangeError(`intervalMs must be at least 1, got ${intervalMs}`);
  return {
    limits: {
      host: options.host ?? '127.0.0.1',
      port: options.port ?? 0,
      pingIntervalMs: options.pingIntervalMs ?? defaults.pingIntervalMs,
      // Binance drops a client after a minute without a pong; longer when pings are rarer than that.
      pongTimeoutMs: Math.max(60_000, 3 * (options.pingIntervalMs ?? 0)),
      idleTimeoutMs: options.idleTimeoutMs ?? defaults.idleTimeoutMs,
      maxMessagesPerSecond: defaults.maxMessagesPerSecond,
    },
    seed: options.seed ?? 1,
    intervalMs,
    // At most 400, so every trade of a step gets its own microsecond inside the step's millisecond.
    tradesPerStep: Math.min(400, Math.max(0, Math.floor(options.tradesPerStep ?? 1))),
    activity: options.activity ?? 'uniform',
    peak: Math.max(1, options.peak ?? 1),
  };
}
