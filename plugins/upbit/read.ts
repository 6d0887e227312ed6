// Strict readers for exchange JSON: a missing or malformed required value is BAD_FRAME, never a default.

import { badFrame } from '../../sdk/errors.ts';

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

/**
 * A finite JSON number, or undefined when the exchange left the field out. `null` counts as left out:
 * Upbit writes `null` for fields it has no value for, and a record never carries `null` (SPEC §3).
 */
export function optNumber(m: Json, key: string, ctx: string): number | undefined {
  const v = m[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw badFrame(`${ctx}: ${key} is ${clip(v)}, not a finite number`);
  return v === 0 ? 0 : v; // -0.0 (a change of zero) must not reach a record as -0
}

export function reqNumber(m: Json, key: string, ctx: string): number {
  const v = optNumber(m, key, ctx);
  if (v === undefined) throw badFrame(`${ctx}: ${key} is missing`);
  return v;
}

export function reqPositive(m: Json, key: string, ctx: string): number {
  const v = reqNumber(m, key, ctx);
  if (v <= 0) throw badFrame(`${ctx}: ${key} is ${v}, not positive`);
  return v;
}

/**
 * A trade id as an exact string. Integer ids in the raw text were quoted before parsing (see exact-ids.ts),
 * so a number still here was not a plain integer literal and cannot be trusted to be exact.
 */
export function readId(m: Json, key: string, ctx: string): string {
  const v = m[key];
  if (typeof v === 'string' && v.length > 0 && v.length <= 64) return v;
  throw badFrame(`${ctx}: ${key} is ${clip(v)}, not an exact id`);
}
