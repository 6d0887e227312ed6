// Per-client shaping (SPEC §4a): order books cut to `depth` units, state keys conflated to one record per
// `interval`, and a send-turn's records in one `batch` frame. Parsed from query parameters or `subscribe`.

import { exactSum } from '../../sdk/decimal-sum.ts';
import { GatewayError } from '../../sdk/errors.ts';
import type { BookUnit } from '../../sdk/model.ts';

export interface Shape {
  /** orderbook units per record; null = as published (orderbook.depth) */
  depth: number | null;
  /** at most one record per state key per this many ms; null = every record */
  intervalMs: number | null;
  /** one array frame per send-turn */
  batch: boolean;
}

export const PLAIN: Shape = { depth: null, intervalMs: null, batch: false };

export const MIN_INTERVAL_MS = 100;
export const MAX_INTERVAL_MS = 60_000;

/** keys whose newest record is all a client needs (conflated, and replayed as a snapshot on resume) */
const STATE_TYPES = new Set(['ticker', 'orderbook', 'premium', 'candle']);

export function isStateType(ty: string): boolean {
  return STATE_TYPES.has(ty);
}

function integer(name: string, v: unknown, min: number, max: number): number {
  const n = typeof v === 'string' && /^\d{1,9}$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
    throw new GatewayError('BAD_REQUEST', `${name}: expected an integer from ${min} to ${max}, got ${JSON.stringify(v)}`);
  }
  return n;
}

/**
 * The shape after applying `raw` (query strings, or values from `subscribe`) to `current`: an absent key keeps its
 * current value, null resets it.
 */
export function parseShape(raw: { depth?: unknown; interval?: unknown; batch?: unknown }, maxDepth: number, current: Shape = PLAIN): Shape {
  const next = { ...current };
  if (raw.depth === null) next.depth = null;
  else if (raw.depth !== undefined) {
    const d = integer('depth', raw.depth, 1, maxDepth);
    next.depth = d === maxDepth ? null : d;
  }
  if (raw.interval === null) next.intervalMs = null;
  else if (raw.interval !== undefined) next.intervalMs = integer('interval', raw.interval, MIN_INTERVAL_MS, MAX_INTERVAL_MS);
  if (raw.batch === null) next.batch = false;
  else if (raw.batch !== undefined) {
    if (raw.batch === true || raw.batch === 'true') next.batch = true;
    else if (raw.batch === false || raw.batch === 'false') next.batch = false;
    else throw new GatewayError('BAD_REQUEST', `batch: expected true or false, got ${JSON.stringify(raw.batch)}`);
  }
  return next;
}

/** the shape as `subscribed` reports it */
export function describeShape(s: Shape, maxDepth: number): { depth: number; interval: number | null; batch: boolean } {
  return { depth: s.depth ?? maxDepth, interval: s.intervalMs, batch: s.batch };
}

export function shapeId(s: Shape): string {
  return `${s.depth ?? '-'}/${s.intervalMs ?? '-'}/${s.batch ? 'b' : '-'}`;
}

/** an orderbook record cut to its best `depth` units, tas/tbs summed over the cut (a new object) */
export function cutBook<R extends { obu: BookUnit[]; tas?: number; tbs?: number }>(record: R, depth: number): R {
  if (record.obu.length <= depth) return record;
  const obu = record.obu.slice(0, depth);
  // the same exact decimal sum as the pipeline's, so a cut book's totals match a book published at that depth
  return { ...record, obu, tas: exactSum(obu, 'as'), tbs: exactSum(obu, 'bs') };
}
