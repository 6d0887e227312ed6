// Exchange epoch times to integer ms by digit width (s, ms, µs, ns): part of the SDK's field readers (sdk/readers.ts).

import { absent, fail } from './read-core.ts';
import type { Json } from './read-core.ts';

/** The unit of an epoch time, named by its digit count from 2001-09-09 to 2286-11-20: 10, 13, 16 or 19 digits. */
export type TimeUnit = 's' | 'ms' | 'us' | 'ns';
export const TIME_UNITS: readonly TimeUnit[] = ['s', 'ms', 'us', 'ns'];
const WIDTH: Record<TimeUnit, number> = { s: 10, ms: 13, us: 16, ns: 19 };

/**
 * ms since epoch of an integer epoch time (a JSON number or a digit string) whose unit is told by the width of its
 * integer part, or undefined when the width names none of `units` (all four unless told). The width is the rule,
 * not a comparison with any clock: in the years above every ms time has 13 digits, every µs time 16. Finer units are
 * floored to ms; a digit string is cut exactly (no float division), so 19-digit ns strings lose nothing before the
 * cut. A JSON number's fraction (a ms time sent as 1706498658830.5) is floored too.
 */
export function msFromEpoch(v: unknown, units: readonly TimeUnit[] = TIME_UNITS): number | undefined {
  if (typeof v === 'string') {
    const n = v.length;
    if (n < 10 || n > 19) return undefined;
    for (let i = 0; i < n; i++) {
      const c = v.charCodeAt(i);
      if (c < 48 || c > 57) return undefined;
    }
    if (v.charCodeAt(0) === 48) return undefined; // a leading zero: no width we know
    const unit = unitOf(n, units);
    if (unit === undefined) return undefined;
    return unit === 's' ? Number(v) * 1000 : Number(v.slice(0, 13));
  }
  if (typeof v !== 'number' || !(v >= 1e9) || v >= 1e19) return undefined;
  const unit = unitOf(digitCount(v), units);
  if (unit === undefined) return undefined;
  if (unit === 's') return Math.floor(v * 1000);
  if (unit === 'ms') return Math.floor(v);
  const whole = Math.floor(v);
  if (unit === 'us') return (whole - (whole % 1000)) / 1000; // exact: µs times are below 2^53
  return Math.floor(whole / 1_000_000); // ns numbers are beyond 2^53 anyway: send them as strings to be exact
}

/** integer digits of a number >= 1 (exact at the powers of ten, unlike log10) */
function digitCount(v: number): number {
  let d = 1;
  for (let p = 10; p <= v && d < 20; p *= 10) d++;
  return d;
}

function unitOf(width: number, units: readonly TimeUnit[]): TimeUnit | undefined {
  for (const u of units) if (WIDTH[u] === width) return u;
  return undefined;
}

/** An epoch time field as integer ms (msFromEpoch's rule); `units` limits the widths accepted. */
export function timeMs(o: Json, key: string, what: string, units: readonly TimeUnit[] = TIME_UNITS): number {
  const v = o[key];
  const ms = msFromEpoch(v, units);
  if (ms === undefined) fail(what, key, v, `a time in ${units.map((u) => `${u} (${WIDTH[u]} digits)`).join(', ')}`);
  return ms;
}

export function optTimeMs(o: Json, key: string, what: string, units: readonly TimeUnit[] = TIME_UNITS): number | undefined {
  return absent(o[key]) ? undefined : timeMs(o, key, what, units);
}
