// The `derived:` section of config.yaml (docs/configuration.md, docs/derived.md): premium pairs, FX source,
// candles, history. Absent, or with no premium pair and no candles: no derived stage runs.

import { z } from 'zod';
import { durationMs, intervalMs } from './interval.ts';

const exchangeId = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'expected a lower-case exchange id');
const currency = z.string().regex(/^[A-Z0-9]{1,20}$/, 'expected a currency code in upper case, e.g. USDT');

/**
 * Dunamu's (Upbit's operator) public USD/KRW quote, the rate Upbit's own pages and most Korean premium monitors use;
 * the answer is an array whose first element holds `basePrice`.
 */
export const DEFAULT_FX_URL = 'https://quotation-api-cdn.dunamu.com/v1/forex/recent?codes=FRX.KRWUSD';
export const DEFAULT_FX_PATH = '0.basePrice';

const validInterval = z.string().refine(
  (s) => {
    try {
      intervalMs(s);
      return true;
    } catch {
      return false;
    }
  },
  { message: 'expected an interval that divides a day: <n>s, <n>m, <n>h or 1d (e.g. 1s, 1m, 5m, 1h)' },
);

export const derivedSchema = z.strictObject({
  /** at most one record per derived key per this many ms (open candles, premium recomputations) */
  minIntervalMs: z.number().int().min(0).max(60_000).default(250),
  /** run the stage in a thread of its own rather than in the main thread (the default; docs/derived.md, "How it runs") */
  thread: z.boolean().default(false),
  premium: z
    .array(
      z.strictObject({
        exchange: exchangeId,
        reference: exchangeId,
        /** the quote of the reference symbols; default: the quote most of the reference's symbols use */
        referenceQuote: currency.optional(),
      }),
    )
    .default([]),
  fx: z
    .strictObject({
      url: z.string().refine((u) => /^https?:\/\//.test(u), { message: 'expected an http:// or https:// URL' }).default(DEFAULT_FX_URL),
      /** where the rate sits in the JSON answer: dot-separated keys, array indexes as numbers */
      path: z.string().min(1).default(DEFAULT_FX_PATH),
      intervalMs: z.number().int().min(100).default(60_000),
      /** a rate older than this (no successful poll since) is not used: `pf` is absent; 0 = 3 × intervalMs */
      maxAgeMs: z.number().int().min(0).default(0),
      timeoutMs: z.number().int().min(100).default(5000),
      /** the currency the rate is quoted in: pf is computed for markets in this quote */
      quote: currency.default('KRW'),
    })
    .prefault({}),
  candles: z
    .strictObject({
      intervals: z.array(validInterval).min(1, 'expected at least one interval').default(['1m']),
      /** exchanges whose trades make candles; default: every enabled exchange */
      exchanges: z.array(exchangeId).min(1).optional(),
    })
    .optional(),
  history: z
    .strictObject({
      /** one premium sample per key per this many ms is kept */
      premiumSampleMs: z.number().int().min(100).default(1000),
      /** premium samples older than this are dropped (Redis and memory) */
      premiumRetention: z.string().refine((s) => durationMs(s) !== undefined, { message: 'expected a duration such as 24h' }).default('24h'),
      /** closed candles kept per key and interval */
      candles: z.number().int().min(1).max(100_000).default(1440),
      /** Redis key prefix of the history sorted sets (when redis.enabled) */
      redisPrefix: z.string().min(1).default('gateway:history'),
    })
    .prefault({}),
});

export type DerivedConfig = z.infer<typeof derivedSchema>;
