// Strict field readers for exchange frames: after JSON.parse, a plugin reads each field once through these.
//
// Every reader takes (object, key, what): `what` names the frame for the error ("binance trade", "upbit ticker
// KRW-BTC"), so a BAD_FRAME error reads `upbit ticker KRW-BTC: tp is "x", not a number`. A required field that is
// missing or malformed throws BAD_FRAME (badFrame, sdk/errors.ts), never a default; an `opt*` reader gives undefined
// where the exchange left the field out, which is absent or `null` (a record never carries null, SPEC §3).
//
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
//   quoteIds(frame, keys) + exactId   exact id strings: integer ids beyond 2^53 keep every digit
//   levels                            [[price, size], ...] lists (Binance, OKX, Bybit books) as number pairs
//   eachItem(list, fn)                every item of a list frame tried; the first failure rethrown after the rest
//
// Numbers never come back as -0 ("-0.00" is a change of zero; -0 would survive msgpack and confuse clients).
// Decimal strings are plain: optional minus, digits, optional fraction; no exponent, no '+', no spaces, at most 30
// digits on each side of the point. Symbol <-> code tables are in sdk/symbols.ts.

import { badFrame } from './errors.ts';

export type Json = Record<string, unknown>;

export function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A short, safe description of a value for error messages (frames can be megabytes of hostile text). */
export function clip(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === null || v === undefined) return String(v);
  return Array.isArray(v) ? 'an array' : 'an object';
}

const DECIMAL = /^-?[0-9]{1,30}(?:\.[0-9]{1,30})?$/;

/** absent or null: the exchange left the field out */
const absent = (v: unknown): v is undefined | null => v === undefined || v === null;

/**
 * Which JSON type carries an exchange's numbers: 'either' (the default) takes a JSON number or a decimal string;
 * 'number' or 'string' refuses the other, for an exchange that documents one and where the other means a changed
 * or broken feed (Upbit sends numbers, Binance decimal strings).
 */
export type NumberForm = 'either' | 'number' | 'string';

/** a JSON number or a decimal string (as `form` allows) as a number; NaN for anything else */
function toNumber(v: unknown, form: NumberForm = 'either'): number {
  if (typeof v === 'number') return form !== 'string' && Number.isFinite(v) ? v + 0 : NaN; // `+ 0` turns -0 into 0
  if (typeof v === 'string' && form !== 'number' && DECIMAL.test(v)) return Number(v) + 0;
  return NaN;
}

function fail(what: string, key: string, v: unknown, expected: string): never {
  throw badFrame(`${what}: ${key} is ${clip(v)}, not ${expected}`);
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

const quoteCache = new Map<string, RegExp>();

/**
 * The frame text with every integer literal under one of `keys` turned into a string, so `JSON.parse` keeps all its
 * digits: JSON.parse turns 9007199254740993 into 9007199254740992, and Node 20 gives a reviver no source text. Only a
 * member spelled exactly `"<key>":` followed by a JSON integer is touched; such a key cannot appear unescaped inside
 * a JSON string, so string contents are left alone. A float or a negative number stays a number (and `exactId` rejects it).
 * Call it on the raw text before JSON.parse; frames without these keys come back unchanged.
 */
export function quoteIds(frame: string, keys: readonly string[]): string {
  const cacheKey = keys.join('\u0000');
  let re = quoteCache.get(cacheKey);
  if (!re) {
    const names = keys.map((k) => k.replace(/[^A-Za-z0-9_]/g, (c) => `\\${c}`)).join('|');
    re = new RegExp(`"(${names})"(\\s*:\\s*)(0|[1-9][0-9]*)(?=\\s*[,}\\]])`, 'g');
    quoteCache.set(cacheKey, re);
  }
  return frame.replace(re, '"$1"$2"$3"');
}

/**
 * An exact id as a string: a string of 1 to 64 characters as sent, or a non-negative safe integer (below 2^53, so
 * JSON.parse kept it exact) in decimal. Anything else is refused: a float, a negative number, or an integer beyond
 * 2^53 that reached JSON.parse unquoted (quote such ids in the text first: quoteIds, or re-parse the rare frame that
 * has one, as Binance's plugin does).
 */
export function exactId(o: Json, key: string, what: string): string {
  const v = o[key];
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return String(v);
  if (typeof v !== 'string' || v.length === 0 || v.length > 64) fail(what, key, v, 'an exact id');
  return v;
}

export function optExactId(o: Json, key: string, what: string): string | undefined {
  return absent(o[key]) ? undefined : exactId(o, key, what);
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
