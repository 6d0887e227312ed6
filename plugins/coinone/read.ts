// Strict readers for Coinone's JSON (decimal strings, ms times, string ids); replaced by sdk/readers.ts once it exists.

import { badFrame } from '../../sdk/index.ts';

export type Json = Record<string, unknown>;

export function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** a short, safe description of a value for error messages */
export function clip(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === null || v === undefined) return String(v);
  return Array.isArray(v) ? 'an array' : 'an object';
}

const DECIMAL = /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;

/**
 * A decimal the exchange writes as a string (or a JSON number): undefined when absent or null (Coinone writes null
 * for a best price that does not exist), BAD_FRAME when malformed. `-0` becomes 0.
 */
export function optDecimal(m: Json, key: string, ctx: string): number | undefined {
  const v = m[key];
  if (v === undefined || v === null) return undefined;
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.length <= 40 && DECIMAL.test(v) ? Number(v) : NaN;
  if (!Number.isFinite(n)) throw badFrame(`${ctx}: ${key} is ${clip(v)}, not a decimal`);
  return n === 0 ? 0 : n;
}

export function reqPositive(m: Json, key: string, ctx: string): number {
  const v = optDecimal(m, key, ctx);
  if (v === undefined) throw badFrame(`${ctx}: ${key} is missing`);
  if (v <= 0) throw badFrame(`${ctx}: ${key} is ${v}, not positive`);
  return v;
}

/** a time in ms since epoch (13 digits), as a JSON number */
export function reqMs(m: Json, key: string, ctx: string): number {
  const v = m[key];
  if (typeof v === 'number' && Number.isInteger(v) && v >= 1e12 && v < 1e13) return v;
  throw badFrame(`${ctx}: ${key} is ${clip(v)}, not a time in ms`);
}

/** an id written as a string of digits (kept exact, never through a float) */
export function reqDigits(m: Json, key: string, ctx: string): string {
  const v = m[key];
  if (typeof v === 'string' && /^\d{1,40}$/.test(v)) return v;
  throw badFrame(`${ctx}: ${key} is ${clip(v)}, not an id of digits`);
}

/** a > b for ids of digits without leading zeros, compared exactly */
export function idAfter(a: string, b: string): boolean {
  return a.length !== b.length ? a.length > b.length : a > b;
}
