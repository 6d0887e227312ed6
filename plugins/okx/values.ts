// Field readers for OKX frames (every number arrives as a decimal string). Kept in one file so the SDK's readers
// (sdk/readers.ts, once merged) can replace it.

import { badFrame } from '../../sdk/index.ts';

export type Obj = Record<string, unknown>;

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const DECIMAL = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?$/;

/** A decimal string (or JSON number) as a number; "-0.0" reads as 0. */
export function decimal(o: Obj, key: string, what: string): number {
  const v = o[key];
  const n = typeof v === 'string' && DECIMAL.test(v) ? Number(v) : typeof v === 'number' ? v : NaN;
  if (!Number.isFinite(n)) throw badFrame(`${what}: ${key} is not a decimal (${JSON.stringify(v)?.slice(0, 40)})`);
  return n === 0 ? 0 : n;
}

/** Like decimal(), but an absent or empty field ("") gives undefined: OKX sends "" where it has no value. */
export function optionalDecimal(o: Obj, key: string, what: string): number | undefined {
  const v = o[key];
  if (v === undefined || v === '') return undefined;
  return decimal(o, key, what);
}

/** A millisecond time sent as a string of digits. */
export function msTime(o: Obj, key: string, what: string): number {
  const v = o[key];
  if (typeof v === 'string' && /^[0-9]{1,16}$/.test(v)) return Number(v);
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return v;
  throw badFrame(`${what}: ${key} is not a time in ms`);
}

/** An integer id (seqId, prevSeqId) sent as a JSON number; -1 is allowed (a snapshot's prevSeqId). */
export function seq(o: Obj, key: string, what: string): number {
  const v = o[key];
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= -1) return v;
  if (typeof v === 'string' && /^-?[0-9]{1,16}$/.test(v)) return Number(v);
  throw badFrame(`${what}: ${key} is not an integer sequence id`);
}

export function text(o: Obj, key: string, what: string): string {
  const v = o[key];
  if (typeof v !== 'string' || v.length === 0) throw badFrame(`${what}: ${key} is missing`);
  return v;
}

/** An exact id string: digits only, never through a float. */
export function idString(o: Obj, key: string, what: string): string {
  const v = o[key];
  if (typeof v === 'string' && /^[0-9]{1,40}$/.test(v)) return v;
  throw badFrame(`${what}: ${key} is not an id`);
}

export function array(o: Obj, key: string, what: string): unknown[] {
  const v = o[key];
  if (!Array.isArray(v)) throw badFrame(`${what}: ${key} is not an array`);
  return v;
}

/** One book level `[price, size, "0", orders]` with the original price and size text kept for the checksum. */
export interface Level {
  price: number;
  size: number;
  /** `price:size` exactly as sent */
  key: string;
}

export function levels(o: Obj, key: string, what: string): Level[] {
  return array(o, key, what).map((l) => {
    if (!Array.isArray(l) || l.length < 2 || typeof l[0] !== 'string' || typeof l[1] !== 'string') {
      throw badFrame(`${what}: ${key} has a malformed level`);
    }
    const [p, s] = l as [string, string];
    if (!DECIMAL.test(p) || !DECIMAL.test(s)) throw badFrame(`${what}: ${key} has a level that is not decimal`);
    const price = Number(p);
    const size = Number(s);
    if (!(price > 0) || !(size >= 0) || !Number.isFinite(price) || !Number.isFinite(size)) {
      throw badFrame(`${what}: ${key} has an out-of-range level`);
    }
    return { price, size: size === 0 ? 0 : size, key: `${p}:${s}` };
  });
}

const PLAIN = /^-?[0-9]+(?:\.[0-9]+)?$/;

/** a - b for two decimals, exactly when both are plain decimal strings (scaled to integers); never -0. */
export function decimalDiff(a: unknown, b: unknown): number {
  if (typeof a !== 'string' || typeof b !== 'string' || !PLAIN.test(a) || !PLAIN.test(b)) {
    const d = Number(a) - Number(b);
    return d === 0 ? 0 : d;
  }
  const scale = Math.max(fractionDigits(a), fractionDigits(b));
  const d = toScaled(a, scale) - toScaled(b, scale);
  if (d === 0n) return 0;
  return Number(d) / 10 ** scale;
}

function fractionDigits(s: string): number {
  const i = s.indexOf('.');
  return i < 0 ? 0 : s.length - i - 1;
}

function toScaled(s: string, scale: number): bigint {
  const neg = s.startsWith('-');
  const body = neg ? s.slice(1) : s;
  const [int, frac = ''] = body.split('.');
  const v = BigInt((int ?? '0') + frac.padEnd(scale, '0'));
  return neg ? -v : v;
}
