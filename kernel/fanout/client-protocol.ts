// Parses what clients send: connection query parameters and control messages (SPEC §4). Throws BAD_REQUEST.

import { GatewayError } from '../../sdk/errors.ts';
import type { Catalog, Filter } from '../filter.ts';
import { decode } from '../../boundary/codec.ts';
import type { ResumeEntry } from './resume.ts';
import { parseResume } from './resume.ts';
import type { Shape } from './shape.ts';
import { PLAIN, parseShape } from './shape.ts';

export type Format = 'json' | 'msgpack';

export interface ConnectOptions {
  format: Format;
  filter: Filter;
  snapshot: boolean;
  /** absent: plain (every record, full depth, one per frame) */
  shape?: Shape;
  /** send nothing (no snapshot, records or status) until the first subscribe: how a resuming client connects */
  wait?: boolean;
}

export type Control =
  | { method: 'subscribe'; filter: Filter; snapshot: boolean; shape: Shape; resume?: ResumeEntry[]; id?: string | number }
  | { method: 'ping'; id?: string | number };

/** the largest control message accepted, in bytes */
export const MAX_CONTROL_BYTES = 64 * 1024;

const QUERY_KEYS = new Set(['format', 'exchange', 'symbol', 'type', 'snapshot', 'depth', 'interval', 'batch', 'wait']);

function bool(name: string, v: unknown, fallback: boolean): boolean {
  if (v === undefined) return fallback;
  if (v === true || v === 'true') return true;
  if (v === false || v === 'false') return false;
  throw new GatewayError('BAD_REQUEST', `${name}: expected true or false, got ${JSON.stringify(v)}`);
}

/** `a,b,c` → list; absent → undefined (= all) */
function csv(params: URLSearchParams, name: string): string[] | undefined {
  const v = params.get(name);
  if (v === null) return undefined;
  return v.split(',').filter((s) => s !== '');
}

/** Filters from query parameters, shared by /ws/exchange and /api/snapshot. */
export function parseFilterQuery(params: URLSearchParams, catalog: Catalog, allowed: Set<string>): Filter {
  for (const k of params.keys()) {
    if (!allowed.has(k)) throw new GatewayError('BAD_REQUEST', `unknown query parameter "${k}" (known: ${[...allowed].join(', ')})`);
  }
  return catalog.filter({ exchange: csv(params, 'exchange'), symbol: csv(params, 'symbol'), type: csv(params, 'type') });
}

/** `maxDepth`: orderbook.depth, the most a client may ask for */
export function parseConnectQuery(params: URLSearchParams, catalog: Catalog, maxDepth = 200): ConnectOptions {
  const format = params.get('format') ?? 'json';
  if (format !== 'json' && format !== 'msgpack') {
    throw new GatewayError('BAD_REQUEST', `format: expected json or msgpack, got "${format}"`);
  }
  const filter = parseFilterQuery(params, catalog, QUERY_KEYS);
  const opt = (k: string) => params.get(k) ?? undefined;
  const shape = parseShape({ depth: opt('depth'), interval: opt('interval'), batch: opt('batch') }, maxDepth);
  return { format, filter, snapshot: bool('snapshot', opt('snapshot'), true), shape, wait: bool('wait', opt('wait'), false) };
}

/** Decodes a control frame: JSON text, or (for msgpack clients) a msgpack binary frame. */
export function decodeControl(data: string | Uint8Array, format: Format): unknown {
  const size = typeof data === 'string' ? data.length : data.byteLength;
  if (size > MAX_CONTROL_BYTES) throw new GatewayError('BAD_REQUEST', `control message too large (${size} bytes, max ${MAX_CONTROL_BYTES})`);
  if (typeof data === 'string') {
    try {
      return JSON.parse(data);
    } catch {
      throw new GatewayError('BAD_REQUEST', 'control message is not valid JSON');
    }
  }
  if (format !== 'msgpack') throw new GatewayError('BAD_REQUEST', 'binary control messages are accepted from msgpack clients only');
  try {
    return decode(data);
  } catch {
    throw new GatewayError('BAD_REQUEST', 'control message is not valid msgpack');
  }
}

const SUBSCRIBE_KEYS = new Set(['method', 'id', 'exchange', 'symbol', 'type', 'snapshot', 'depth', 'interval', 'batch', 'resume']);

/** `shaping`: the most depth allowed and the client's shape now (omitted shaping keys keep it) */
export function parseControl(msg: unknown, catalog: Catalog, shaping: { maxDepth: number; shape: Shape } = { maxDepth: 200, shape: PLAIN }): Control {
  if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) {
    throw new GatewayError('BAD_REQUEST', 'control message must be an object with a "method"');
  }
  const m = msg as Record<string, unknown>;
  const id = m.id;
  if (id !== undefined && typeof id !== 'string' && typeof id !== 'number') {
    throw new GatewayError('BAD_REQUEST', 'id: expected a string or a number');
  }
  switch (m.method) {
    case 'ping':
      return { method: 'ping', id };
    case 'subscribe': {
      for (const k of Object.keys(m)) {
        if (!SUBSCRIBE_KEYS.has(k)) throw new GatewayError('BAD_REQUEST', `subscribe: unknown field "${k}"`);
      }
      const filter = catalog.filter({ exchange: m.exchange, symbol: m.symbol, type: m.type });
      const shape = parseShape(m, shaping.maxDepth, shaping.shape);
      const resume = m.resume === undefined ? undefined : parseResume(m.resume, catalog, filter);
      return { method: 'subscribe', filter, snapshot: bool('snapshot', m.snapshot, true), shape, ...(resume ? { resume } : {}), id };
    }
    case undefined:
      throw new GatewayError('BAD_REQUEST', 'control message has no "method"');
    default:
      throw new GatewayError('BAD_REQUEST', `unknown method ${JSON.stringify(m.method)} (known: subscribe, ping)`);
  }
}
