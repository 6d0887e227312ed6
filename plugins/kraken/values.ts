// Field readers for Kraken v2 frames read by raw-json.ts: decimals with their literal text, exact ids, RFC 3339 times.
// (Kept in one file so the SDK's readers can replace it once they exist: sdk/readers.ts.)

import { badFrame } from '../../sdk/index.ts';
import { RawNumber } from './raw-json.ts';
import type { RawValue } from './raw-json.ts';

export type Obj = { [key: string]: RawValue };

export function isObj(v: RawValue | undefined): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof RawNumber);
}

export function obj(o: Obj, key: string, what: string): Obj {
  const v = o[key];
  if (!isObj(v)) throw badFrame(`${what}.${key}: expected an object`);
  return v;
}

export function list(o: Obj, key: string, what: string): RawValue[] {
  const v = o[key];
  if (!Array.isArray(v)) throw badFrame(`${what}.${key}: expected an array`);
  return v;
}

export function text(o: Obj, key: string, what: string): string {
  const v = o[key];
  if (typeof v !== 'string') throw badFrame(`${what}.${key}: expected a string`);
  return v;
}

/** -0 becomes 0 (records never carry -0) */
const noNegZero = (n: number): number => (n === 0 ? 0 : n);

const DECIMAL_RE = /^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/**
 * A decimal as number and literal. Kraken v2 sends JSON numbers; a quoted decimal (its own checksum guide decodes
 * numbers as strings) is accepted too.
 */
export function decimalText(o: Obj, key: string, what: string): { value: number; text: string } {
  const v = o[key];
  if (v instanceof RawNumber) return { value: noNegZero(v.value), text: v.text };
  if (typeof v === 'string' && DECIMAL_RE.test(v)) return { value: noNegZero(Number(v)), text: v };
  throw badFrame(`${what}.${key}: expected a decimal number`);
}

export function decimal(o: Obj, key: string, what: string): number {
  const d = decimalText(o, key, what);
  if (!Number.isFinite(d.value)) throw badFrame(`${what}.${key}: not finite`);
  return d.value;
}

export function optionalDecimal(o: Obj, key: string, what: string): number | undefined {
  return o[key] === undefined || o[key] === null ? undefined : decimal(o, key, what);
}

export function positive(o: Obj, key: string, what: string): number {
  const v = decimal(o, key, what);
  if (!(v > 0)) throw badFrame(`${what}.${key}: expected a positive number`);
  return v;
}

/**
 * Percentage points → fraction by moving the decimal point in the literal (-0.17 → -0.0017 exactly, where
 * dividing by 100 in binary floating point would not round-trip).
 */
export function percentFraction(o: Obj, key: string, what: string): number | undefined {
  if (o[key] === undefined || o[key] === null) return undefined;
  const d = decimalText(o, key, what);
  const n = Number(`${d.text}e-2`);
  if (!Number.isFinite(n)) throw badFrame(`${what}.${key}: not finite`);
  return noNegZero(n);
}

/** A non-negative integer id exactly as written (ids are compared and stored as strings, never through a float). */
export function exactId(o: Obj, key: string, what: string): string {
  const v = o[key];
  const t = v instanceof RawNumber ? v.text : typeof v === 'string' ? v : undefined;
  if (t === undefined || !/^\d{1,30}$/.test(t)) throw badFrame(`${what}.${key}: expected a non-negative integer`);
  return t;
}

export function integer(o: Obj, key: string, what: string): number {
  const v = o[key];
  if (!(v instanceof RawNumber) || !Number.isSafeInteger(v.value)) throw badFrame(`${what}.${key}: expected an integer`);
  return v.value;
}

const RFC3339_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;

/** RFC 3339 (`2023-09-25T09:04:31.742648Z`) → integer ms since epoch, sub-millisecond digits floored. */
export function rfc3339Ms(o: Obj, key: string, what: string): number {
  const v = o[key];
  const m = typeof v === 'string' ? RFC3339_RE.exec(v) : null;
  if (!m) throw badFrame(`${what}.${key}: expected an RFC 3339 time`);
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const ms = Number(((frac ?? '') + '000').slice(0, 3));
  let t = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms);
  if (zone !== 'Z') {
    const sign = zone!.startsWith('-') ? -1 : 1;
    t -= sign * (Number(zone!.slice(1, 3)) * 60 + Number(zone!.slice(4, 6))) * 60_000;
  }
  if (!Number.isFinite(t)) throw badFrame(`${what}.${key}: not a valid time`);
  return t;
}
