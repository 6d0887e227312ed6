// OKX's transport: endpoints, instrument ids, which book channel serves a depth, and the subscribe frames.

import { GatewayError, marketCode as codeOf } from '../../sdk/index.ts';
import type { CodeFormat, PluginConfig, RecordType } from '../../sdk/index.ts';

export const DEFAULT_URL = 'wss://ws.okx.com:8443/ws/v5/public';
export const DEFAULT_REST_URL = 'https://www.okx.com';

/** OKX closes a connection that received nothing for 30 s; the text frame "ping" (answered "pong") keeps it open. */
export const PING_FRAME = 'ping';
export const PONG_FRAME = 'pong';
export const KEEPALIVE_MS = 15_000;

/** A subscribe request's args may total at most 64 KB of JSON; we stay well below it per frame. */
export const MAX_FRAME_BYTES = 32 * 1024;
/**
 * Subscriptions per connection. OKX publishes no per-connection cap for public channels; 480 subscribe requests per
 * hour per connection is the binding limit, so a resubscription budget is kept by spreading large sets.
 */
export const DEFAULT_MAX_ARGS_PER_CONNECTION = 600;

/** The snapshot-only five-level channel is used up to this depth; beyond it the 400-level incremental `books`. */
export const BOOKS5_MAX_DEPTH = 5;

export type BookChannel = 'books' | 'books5';
export type OkxChannel = 'tickers' | 'trades' | BookChannel;

export interface SubscribeArg {
  channel: OkxChannel;
  instId: string;
}

/** OKX's spot `instId`: `BTC/USDT` → `BTC-USDT`. */
export const INST_ID: CodeFormat = (base, quote) => `${base}-${quote}`;

export function marketCode(symbol: string): string {
  return codeOf(symbol, INST_ID);
}

/**
 * The book channel for a configuration: option `book: books | books5` wins; otherwise `books5` when the configured
 * depth is at most 5 (it pushes whole five-level books, nothing to synchronize), `books` above.
 */
export function bookChannel(config: PluginConfig): BookChannel {
  const opt = config.options.book;
  if (opt === 'books' || opt === 'books5') return opt;
  if (opt !== undefined) {
    throw new GatewayError('CONFIG_INVALID', `exchanges.${config.id}.book must be "books" or "books5", got ${JSON.stringify(opt)}`);
  }
  return config.depth <= BOOKS5_MAX_DEPTH ? 'books5' : 'books';
}

/** Record type → OKX channel, in a fixed order. */
export function channelsFor(config: PluginConfig): [RecordType, OkxChannel][] {
  const all: [RecordType, OkxChannel][] = [
    ['ticker', 'tickers'],
    ['trade', 'trades'],
    ['orderbook', bookChannel(config)],
  ];
  return all.filter(([ty]) => config.channels.includes(ty));
}

/** Every (channel, instId) of a configuration, a market's channels together. */
export function subscribeArgs(config: PluginConfig): SubscribeArg[] {
  const channels = channelsFor(config);
  const args: SubscribeArg[] = [];
  for (const symbol of new Set(config.symbols)) {
    const instId = marketCode(symbol);
    for (const [, channel] of channels) args.push({ channel, instId });
  }
  return args;
}

/** Groups args into connections of at most `max`, never splitting one market's channels. */
export function connectionGroups(args: SubscribeArg[], max: number): SubscribeArg[][] {
  const groups: SubscribeArg[][] = [];
  let current: SubscribeArg[] = [];
  for (let i = 0; i < args.length; ) {
    let j = i;
    while (j < args.length && args[j]!.instId === args[i]!.instId) j++;
    const market = args.slice(i, j);
    if (current.length > 0 && current.length + market.length > max) {
      groups.push(current);
      current = [];
    }
    current.push(...market);
    i = j;
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

export function opFrame(op: 'subscribe' | 'unsubscribe', args: readonly SubscribeArg[]): string {
  return JSON.stringify({ op, args });
}

/** Subscribe frames for one connection, each below MAX_FRAME_BYTES. */
export function subscribeFrames(args: readonly SubscribeArg[]): string[] {
  const frames: string[] = [];
  let batch: SubscribeArg[] = [];
  let bytes = 0;
  for (const arg of args) {
    const size = JSON.stringify(arg).length + 1;
    if (batch.length > 0 && bytes + size > MAX_FRAME_BYTES) {
      frames.push(opFrame('subscribe', batch));
      batch = [];
      bytes = 0;
    }
    batch.push(arg);
    bytes += size;
  }
  if (batch.length > 0) frames.push(opFrame('subscribe', batch));
  return frames;
}

const base = (restUrl: string): string => restUrl.replace(/\/+$/, '');

/** The REST book a `books` subscription synchronizes with when the stream sends no snapshot of its own. */
export function bookSnapshotUrl(restUrl: string, instId: string): string {
  return `${base(restUrl)}/api/v5/market/books?instId=${encodeURIComponent(instId)}&sz=400`;
}

export function instrumentsUrl(restUrl: string): string {
  return `${base(restUrl)}/api/v5/public/instruments?instType=SPOT`;
}

/** option `pingIntervalMs`: how often the text "ping" goes out; below OKX's 30 s idle cut and the default 20 s stall timeout. Default 15 s. */
export function keepAliveMs(config: PluginConfig): number {
  const v = config.options.pingIntervalMs;
  if (v === undefined) return KEEPALIVE_MS;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 100 || v >= 30_000) {
    throw new GatewayError('CONFIG_INVALID', `exchanges.${config.id}.pingIntervalMs must be an integer from 100 to 29999 (ms)`);
  }
  return v;
}

/** `max` from option `maxArgsPerConnection` (a positive integer) or the default. */
export function maxArgsPerConnection(config: PluginConfig): number {
  const v = config.options.maxArgsPerConnection;
  if (v === undefined) return DEFAULT_MAX_ARGS_PER_CONNECTION;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
    throw new GatewayError('CONFIG_INVALID', `exchanges.${config.id}.maxArgsPerConnection must be a positive integer`);
  }
  return v;
}
