// Strict readers for Bybit's JSON fields (decimal strings, integer ms, level lists). Kept in one file so that the
// SDK's shared readers (sdk/readers.ts, being written) can replace it without touching the mapper's logic.

import { badFrame } from '../../sdk/index.ts';

export type Obj = Record<string, unknown>;

/** Bybit writes prices and sizes as plain decimal strings: "16578.50", "0.001", "-0.0196". */
const DECIMAL_RE = /^-?\d{1,30}(\.\d{1,30})?$/;

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** "-0.00" is zero: -0 would survive msgpack and confuse clients comparing with 0 */
const noNegativeZero = (n: number): number => (n === 0 ? 0 : n);

export function decimalValue(v: unknown, where: string): number {
  if (typeof v !== 'string' || !DECIMAL_RE.test(v)) throw badFrame(`${where}: expected a decimal string`);
  return noNegativeZero(Number(v));
}

export function decimal(o: Obj, key: string, what: string): number {
  return decimalValue(o[key], `${what}.${key}`);
}

/** a decimal field that may be missing (absent in the record) but, when present, must be well formed */
export function optionalDecimal(o: Obj, key: string, what: string): number | undefined {
  return o[key] === undefined ? undefined : decimal(o, key, what);
}

/** a decimal field that must be greater than zero (trade prices and sizes) */
export function positive(o: Obj, key: string, what: string): number {
  const n = decimal(o, key, what);
  if (!(n > 0)) throw badFrame(`${what}.${key}: expected a positive value`);
  return n;
}

/** a non-negative safe integer: times in ms, update ids */
export function integer(o: Obj, key: string, what: string): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw badFrame(`${what}.${key}: expected a non-negative integer`);
  return v;
}

export function text(o: Obj, key: string, what: string): string {
  const v = o[key];
  if (typeof v !== 'string' || v === '') throw badFrame(`${what}.${key}: expected a non-empty string`);
  return v;
}

/** `[["16493.50","0.006"], ...]` as number pairs; a size may be 0 (a deletion in a delta), a price may not */
export function levels(o: Obj, key: string, what: string): [number, number][] {
  const v = o[key];
  if (!Array.isArray(v)) throw badFrame(`${what}.${key}: expected a list of [price, size]`);
  const out: [number, number][] = new Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const level: unknown = v[i];
    if (!Array.isArray(level) || level.length < 2) throw badFrame(`${what}.${key}[${i}]: expected [price, size]`);
    const price = decimalValue(level[0], `${what}.${key}[${i}][0]`);
    const size = decimalValue(level[1], `${what}.${key}[${i}][1]`);
    if (!(price > 0) || size < 0) throw badFrame(`${what}.${key}[${i}]: price must be positive and size not negative`);
    out[i] = [price, size];
  }
  return out;
}
