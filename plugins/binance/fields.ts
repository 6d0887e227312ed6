// Strict readers for the fields of Binance frames: a missing or malformed field is BAD_FRAME, never a default.

import { badFrame } from '../../sdk/errors.ts';

export type Obj = Record<string, unknown>;

/** Binance writes prices, sizes and changes as plain decimal strings ("68250.01000000", "-1.234"). */
const DECIMAL_RE = /^-?\d{1,30}(\.\d{1,30})?$/;

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A decimal string field as a number. */
export function decimal(o: Obj, key: string, what: string): number {
  return decimalValue(o[key], `${what}.${key}`);
}

export function decimalValue(v: unknown, where: string): number {
  if (typeof v !== 'string' || !DECIMAL_RE.test(v)) throw badFrame(`${where}: expected a decimal string`);
  return noNegativeZero(Number(v));
}

/** A decimal string field that must be greater than zero (trade prices and sizes). */
export function positive(o: Obj, key: string, what: string): number {
  const n = decimal(o, key, what);
  if (!(n > 0)) throw badFrame(`${what}.${key}: expected a positive value`);
  return n;
}

/** An integer field: times in ms, update ids. */
export function integer(o: Obj, key: string, what: string): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
    throw badFrame(`${what}.${key}: expected a non-negative integer`);
  }
  return v;
}

export function text(o: Obj, key: string, what: string): string {
  const v = o[key];
  if (typeof v !== 'string' || v === '') throw badFrame(`${what}.${key}: expected a string`);
  return v;
}

export function bool(o: Obj, key: string, what: string): boolean {
  const v = o[key];
  if (typeof v !== 'boolean') throw badFrame(`${what}.${key}: expected true or false`);
  return v;
}

/**
 * A percent string as a fraction, without binary noise: the decimal point moves two places in the text, so
 * "2.345" becomes exactly Number("0.02345") rather than 2.345 / 100 = 0.023450000000000002.
 */
export function percentToFraction(o: Obj, key: string, what: string): number {
  const v = o[key];
  decimalValue(v, `${what}.${key}`);
  const s = v as string;
  const sign = s.startsWith('-') ? '-' : '';
  const [int = '', frac = ''] = s.slice(sign.length).split('.');
  const digits = (int.length < 2 ? '0'.repeat(2 - int.length) + int : int) + frac;
  const point = digits.length - frac.length - 2;
  return noNegativeZero(Number(`${sign}${digits.slice(0, point) || '0'}.${digits.slice(point)}`));
}

/** "-0.00" is a change of zero; -0 would survive msgpack and confuse clients comparing with 0. */
function noNegativeZero(n: number): number {
  return n === 0 ? 0 : n;
}

/** Price levels `[["68250.01","0.5"], ...]` as number pairs; sizes may be zero (a removal), prices may not. */
export function levels(o: Obj, key: string, what: string): [number, number][] {
  const v = o[key];
  if (!Array.isArray(v)) throw badFrame(`${what}.${key}: expected a list of [price, size]`);
  const out: [number, number][] = new Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const l: unknown = v[i];
    if (!Array.isArray(l) || l.length < 2) throw badFrame(`${what}.${key}[${i}]: expected [price, size]`);
    const price = decimalValue(l[0], `${what}.${key}[${i}] price`);
    const size = decimalValue(l[1], `${what}.${key}[${i}] size`);
    if (!(price > 0) || size < 0) throw badFrame(`${what}.${key}[${i}]: price must be positive, size not negative`);
    out[i] = [price, size];
  }
  return out;
}
