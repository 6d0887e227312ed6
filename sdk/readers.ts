// Strict field readers for exchange frames: after JSON.parse, a plugin reads each field once through these.
//
// Every reader takes (object, key, what): `what` names the frame for the error ("binance trade", "upbit ticker
// KRW-BTC"), so a BAD_FRAME error reads `upbit ticker KRW-BTC: tp is "x", not a number`. A required field that is
// missing or malformed throws BAD_FRAME (badFrame, sdk/errors.ts), never a default; an `opt*` reader gives undefined
// where the exchange left the field out, which is absent or `null` (a record never carries null, SPEC §3).
//
//   parseJson(text, what)             JSON.parse with a BAD_FRAME naming the frame when the text is not JSON
//   isObject(v)                       a plain JSON object (not null, not an array)
//   clip(v)                           a short, safe description of a value for an error message
//   num / optNum                      a finite number: a JSON number or a decimal string ("68250.01", "-1.5");
//                                     an optional last argument (NumberForm) refuses one of the two
//   positive / optPositive            ... that is > 0 (prices and sizes of trades)
//   nonNegative / optNonNegative      ... that is >= 0 (book sizes, volumes)
//   integer / optInteger              a non-negative safe integer JSON number (update ids, sequence numbers)
//   str / optStr                      a non-empty string
//   bool                              true or false
//   oneOf(o, key, values, what)       a string out of a fixed list ('ASK' | 'BID')
//   percentToFraction / optPercent... a percent (number or decimal string) as a fraction, without binary noise
//   timeMs / optTimeMs                an epoch time in s, ms, µs or ns, told by its digit count, as integer ms
//   msFromEpoch(v, units?)            the same rule on a bare value, undefined where it does not apply
//   exactId / optExactId              an exact id string (a string, or an integer JSON.parse kept exact)
//   quoteIds(frame, keys)             the text with integer ids quoted, so ids beyond 2^53 keep every digit
//   needsQuotedIds(value, keys)       whether a parsed frame holds such an id (then parse the quoted text again)
//   levels                            [[price, size], ...] lists (Binance, OKX, Bybit books) as number pairs
//   eachItem(list, fn)                every item of a list frame tried; the first failure rethrown after the rest
//
// Numbers never come back as -0 ("-0.00" is a change of zero; -0 would survive msgpack and confuse clients).
// Decimal strings are plain: optional minus, digits, optional fraction; no exponent, no '+', no spaces, at most 30
// digits on each side of the point. Times live in epoch-time.ts, ids in exact-ids.ts (re-exported here); symbol <->
// code tables in sdk/symbols.ts.

import { badFrame } from './errors.ts';
import { absent, fail } from './read-core.ts';
import type { Json } from './read-core.ts';

export { clip } from './read-core.ts';
export type { Json } from './read-core.ts';
export * from './epoch-time.ts';
export * from './exact-ids.ts';

/** A frame's or REST answer's text parsed as JSON; BAD_FRAME `<what>: not JSON (...)` when it is not. */
export function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw Object.assign(badFrame(`${what}: not JSON (${(cause as Error).message.slice(0, 80)})`), { cause });
  }
}

export function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const DECIMAL = /^-?[0-9]{1,30}(?:\.[0-9]{1,30})?$/;

/**
 * Which JSON type carries an exchange's numbers: 'either' (the default) takes a JSON number or a decimal string;
 * 'number' or 'string' refuses the other, for an exchange that documents one and where the other means a changed
 * or broken feed (Upbit sends numbers, Binance decimal strings).
 */
export type NumberForm = 'either' | 'number' | 'string';

/** a JSON number or a decimal string (as `form` allows) as a number; NaN for anything else */
function toNumber(v: unknown, form: NumberForm = 'either'): number {
  if (typeof v === 'number') return form !== 'string' && Number.isFinite(v) ? v + 0 : NaN; // `+ 0` turns -0 into 0
  if (typeof v === 'string' && form !== 'number') return decimalString(v);
  return NaN;
}

const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

/**
 * A plain decimal string as the double Number() gives, or NaN. Up to 15 significant digits the digits are an exact
 * integer M < 2^53 and 10^k is exact, so M / 10^k, one correctly rounded division, is Number()'s value; longer
 * strings go to Number() after the DECIMAL check. (Twice as fast as the regular expression + Number().)
 */
function decimalString(v: string): number {
  const n = v.length;
  const neg = n > 0 && v.charCodeAt(0) === 45;
  let i = neg ? 1 : 0;
  let m = 0;
  const intStart = i;
  for (; i < n; i++) {
    const c = v.charCodeAt(i) - 48;
    if (c < 0 || c > 9) break;
    m = m * 10 + c;
  }
  let digits = i - intStart;
  if (digits === 0) return NaN;
  let frac = 0;
  if (i < n) {
    if (v.charCodeAt(i) !== 46) return NaN;
    const fracStart = ++i;
    for (; i < n; i++) {
      const c = v.charCodeAt(i) - 48;
      if (c < 0 || c > 9) return NaN;
      m = m * 10 + c;
    }
    frac = i - fracStart;
    if (frac === 0) return NaN;
    digits += frac;
  }
  if (digits > 15) return DECIMAL.test(v) ? Number(v) + 0 : NaN;
  const x = frac === 0 ? m : m / POW10[frac]!;
  return neg && x !== 0 ? -x : x;
}

/** A finite number, sent as a JSON number or a decimal string (`form` can refuse one of the two). */
export function num(o: Json, key: string, what: string, form?: NumberForm): number {
  const v = o[key];
  const x = toNumber(v, form);
  if (x !== x) fail(what, key, v, absent(v) ? 'present' : form === 'number' ? 'a JSON number' : form === 'string' ? 'a decimal string' : 'a number');
  return x;
}

export function optNum(o: Json, key: string, what: string, form?: NumberForm): number | undefined {
  return absent(o[key]) ? undefined : num(o, key, what, form);
}

/** A number greater than zero: a trade's price and size. */
export function positive(o: Json, key: string, what: string, form?: NumberForm): number {
  const x = num(o, key, what, form);
  if (!(x > 0)) fail(what, key, o[key], 'positive');
  return x;
}

export function optPositive(o: Json, key: string, what: string, form?: NumberForm): number | undefined {
  return absent(o[key]) ? undefined : positive(o, key, what, form);
}

/** A number that is not negative: a book level's size (0 removes it), a volume. */
export function nonNegative(o: Json, key: string, what: string, form?: NumberForm): number {
  const x = num(o, key, what, form);
  if (x < 0) fail(what, key, o[key], 'zero or more');
  return x;
}

export function optNonNegative(o: Json, key: string, what: string, form?: NumberForm): number | undefined {
  return absent(o[key]) ? undefined : nonNegative(o, key, what, form);
}

/** A non-negative safe integer sent as a JSON number: update ids, sequence numbers, plain ms times. */
export function integer(o: Json, key: string, what: string): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) fail(what, key, v, 'a non-negative integer');
  return v + 0;
}

export function optInteger(o: Json, key: string, what: string): number | undefined {
  return absent(o[key]) ? undefined : integer(o, key, what);
}

/** A non-empty string (at most `max` characters, 256 unless told). */
export function str(o: Json, key: string, what: string, max = 256): string {
  const v = o[key];
  if (typeof v !== 'string' || v.length === 0 || v.length > max) fail(what, key, v, 'a string');
  return v;
}

export function optStr(o: Json, key: string, what: string, max = 256): string | undefined {
  return absent(o[key]) ? undefined : str(o, key, what, max);
}

export function bool(o: Json, key: string, what: string): boolean {
  const v = o[key];
  if (typeof v !== 'boolean') fail(what, key, v, 'true or false');
  return v;
}

/** One string out of a fixed list: `oneOf(m, 'ab', ['ASK', 'BID'] as const, what)`. */
export function oneOf<T extends string>(o: Json, key: string, values: readonly T[], what: string): T {
  const v = o[key];
  if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) fail(what, key, v, values.join(' or '));
  return v as T;
}

const SIGNED = /^(-?)([0-9]{1,30})(?:\.([0-9]{1,30}))?$/;

/**
 * A percent as a fraction: "-0.52" → -0.0052, "2.345" → 0.02345. The decimal point moves two places in the text,
 * because dividing by 100 adds binary noise (2.345 / 100 = 0.023450000000000002). A JSON number is read through its
 * shortest decimal text (String(n)); one that only has an exponent form (1e-7) is not a percent we read.
 */
export function percentToFraction(o: Json, key: string, what: string): number {
  const v = o[key];
  const m = typeof v === 'string' || typeof v === 'number' ? SIGNED.exec(String(v)) : null;
  if (!m) fail(what, key, v, 'a percentage');
  const int = m[2]!;
  const digits = int + (m[3] ?? '');
  const point = int.length - 2;
  const body = point > 0 ? `${digits.slice(0, point)}.${digits.slice(point)}` : `0.${'0'.repeat(-point)}${digits}`;
  return Number(`${m[1]}${body}`) + 0;
}

export function optPercentToFraction(o: Json, key: string, what: string): number | undefined {
  return absent(o[key]) ? undefined : percentToFraction(o, key, what);
}

/**
 * Book levels `[[price, size, ...], ...]` (numbers or decimal strings; extra elements ignored) as number pairs.
 * Prices must be positive; sizes zero or more (0 removes a level in a diff).
 */
export function levels(o: Json, key: string, what: string, form?: NumberForm): [number, number][] {
  const v = o[key];
  if (!Array.isArray(v)) fail(what, key, v, 'a list of [price, size]');
  const out: [number, number][] = new Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const l: unknown = v[i];
    if (!Array.isArray(l) || l.length < 2) fail(what, `${key}[${i}]`, l, '[price, size]');
    const price = toNumber(l[0], form);
    const size = toNumber(l[1], form);
    if (!(price > 0)) fail(what, `${key}[${i}] price`, l[0], 'a positive number');
    if (!(size >= 0)) fail(what, `${key}[${i}] size`, l[1], 'a number, zero or more');
    out[i] = [price, size];
  }
  return out;
}

/**
 * Calls `fn` for every item of a list frame (Upbit's _LIST formats, Bithumb's transaction lists): each item is a
 * message of its own, so a bad one does not drop the others. The first failure is rethrown once all were tried.
 */
export function eachItem<T>(list: readonly T[], fn: (item: T, index: number) => void): void {
  let failure: { err: unknown } | undefined;
  for (let i = 0; i < list.length; i++) {
    try {
      fn(list[i]!, i);
    } catch (err) {
      failure ??= { err };
    }
  }
  if (failure) throw failure.err;
}
