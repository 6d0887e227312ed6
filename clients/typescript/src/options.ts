// Client options, their defaults and checks, and the connection URL they make (SPEC §4, §4a).

import type { BackoffOptions } from './backoff.ts';
import type { RecordType } from './records.ts';
import type { WebSocketConstructor } from './transport.ts';

export interface ClientOptions {
  /** the gateway's WebSocket endpoint, e.g. `ws://127.0.0.1:8080/ws/exchange` (a `http(s)://host` base gets the path added) */
  url: string;
  format?: 'json' | 'msgpack';
  exchange?: string | string[];
  symbol?: string | string[];
  type?: RecordType | RecordType[];
  /** send the latest record of every matching key on the first connect (default true) */
  snapshot?: boolean;
  /** cut order books to the best N units */
  depth?: number;
  /** conflate state keys to at most one record per key per interval (100 to 60000 ms) */
  interval?: number;
  /** ask for batched array frames */
  batch?: boolean;
  /** reconnect after a drop (default true) */
  reconnect?: boolean | BackoffOptions;
  /** on reconnect, resume every key from its last (ep, sq) (default true); false re-snapshots instead */
  resume?: boolean;
  /** ping after this long without a frame, ms (default 15000; 0 = never) */
  pingIntervalMs?: number;
  /** drop the connection when nothing arrives this long after a ping, ms (default 10000) */
  pongTimeoutMs?: number;
  /** the WebSocket constructor; default: the global one, else the `ws` package */
  WebSocket?: WebSocketConstructor;
  /** values an async iterator may hold before it fails with QUEUE_OVERFLOW (default 100000) */
  maxQueue?: number;
}

const list = <T extends string>(v: T | T[] | undefined): T[] | undefined => (v === undefined ? undefined : Array.isArray(v) ? v : [v]);

export interface Resolved {
  base: string;
  format: 'json' | 'msgpack';
  filter: { exchange?: string[]; symbol?: string[]; type?: string[] };
  shape: { depth?: number; interval?: number; batch?: boolean };
  snapshot: boolean;
  reconnect: false | BackoffOptions;
  resume: boolean;
  pingIntervalMs: number;
  pongTimeoutMs: number;
  maxQueue: number;
}

export function resolveOptions(o: ClientOptions): Resolved {
  if (typeof o.url !== 'string' || !/^(wss?|https?):\/\//.test(o.url)) throw new TypeError(`url: expected ws://, wss://, http:// or https://, got ${String(o.url)}`);
  let base = o.url.replace(/^http/, 'ws');
  if (!/\/ws\/exchange(\?|$)/.test(base)) base = base.replace(/\/?$/, '/ws/exchange');
  if (o.format !== undefined && o.format !== 'json' && o.format !== 'msgpack') throw new TypeError(`format: expected json or msgpack, got ${String(o.format)}`);
  if (o.depth !== undefined && !(Number.isInteger(o.depth) && o.depth >= 1)) throw new TypeError(`depth: expected an integer ≥ 1, got ${o.depth}`);
  if (o.interval !== undefined && !(Number.isInteger(o.interval) && o.interval >= 100 && o.interval <= 60_000)) {
    throw new TypeError(`interval: expected an integer from 100 to 60000, got ${o.interval}`);
  }
  const shape: Resolved['shape'] = {};
  if (o.depth !== undefined) shape.depth = o.depth;
  if (o.interval !== undefined) shape.interval = o.interval;
  if (o.batch) shape.batch = true;
  const filter: Resolved['filter'] = {};
  const ex = list(o.exchange), sy = list(o.symbol), ty = list(o.type);
  if (ex) filter.exchange = ex;
  if (sy) filter.symbol = sy;
  if (ty) filter.type = ty;
  return {
    base,
    format: o.format ?? 'json',
    filter,
    shape,
    snapshot: o.snapshot ?? true,
    reconnect: o.reconnect === false ? false : o.reconnect === true || o.reconnect === undefined ? {} : o.reconnect,
    resume: o.resume ?? true,
    pingIntervalMs: o.pingIntervalMs ?? 15_000,
    pongTimeoutMs: o.pongTimeoutMs ?? 10_000,
    maxQueue: o.maxQueue ?? 100_000,
  };
}

/** the URL of one connection attempt; `wait`: nothing until the first subscribe (a resuming connection) */
export function connectUrl(r: Resolved, snapshot: boolean, wait = false): string {
  const q = new URLSearchParams();
  if (r.format !== 'json') q.set('format', r.format);
  for (const [k, v] of Object.entries(r.filter)) q.set(k, v.join(','));
  if (wait) q.set('wait', 'true');
  else if (!snapshot) q.set('snapshot', 'false');
  for (const [k, v] of Object.entries(r.shape)) q.set(k, String(v));
  const s = q.toString();
  return s ? `${r.base}${r.base.includes('?') ? '&' : '?'}${s}` : r.base;
}
