// Candle intervals and time windows: `<n>s`, `<n>m`, `<n>h` or `1d` (SPEC §3a), parsed to milliseconds.

import { GatewayError } from '../../sdk/errors.ts';

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DAY_MS = 86_400_000;

/** `<n><unit>` to ms, or undefined when malformed */
export function durationMs(text: string): number | undefined {
  const m = /^([1-9][0-9]{0,5})([smhd])$/.exec(text);
  if (!m) return undefined;
  return Number(m[1]) * UNIT_MS[m[2]!]!;
}

/** A candle interval: `<n>s|m|h` dividing a day, or `1d`. Throws CONFIG_INVALID / BAD_REQUEST naming it. */
export function intervalMs(text: string, code: 'CONFIG_INVALID' | 'BAD_REQUEST' = 'BAD_REQUEST'): number {
  const ms = durationMs(text);
  if (ms === undefined || ms > DAY_MS || DAY_MS % ms !== 0 || (text.endsWith('d') && text !== '1d')) {
    throw new GatewayError(code, `interval: "${text}" is not an interval that divides a day (e.g. 1s, 5s, 1m, 5m, 15m, 1h, 4h, 1d)`);
  }
  return ms;
}

/** the UTC-aligned start of the interval holding `tms` */
export function intervalStart(tms: number, ms: number): number {
  return Math.floor(tms / ms) * ms;
}
