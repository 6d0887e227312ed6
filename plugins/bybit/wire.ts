// Bybit spot v5 transport: endpoints, market codes, topic names, subscribe frames and how topics share connections.

import { GatewayError, marketCode as sdkMarketCode, symbolTable as sdkSymbolTable } from '../../sdk/index.ts';
import type { CodeFormat, PluginConfig, RecordType, SymbolTable } from '../../sdk/index.ts';

export const DEFAULT_URL = 'wss://stream.bybit.com/v5/public/spot';
export const DEFAULT_REST_URL = 'https://api.bybit.com';

/** Spot: at most 10 topics in the `args` of one subscribe request (Bybit "Connect" page). */
export const MAX_ARGS_PER_REQUEST = 10;
/** The `args` of one public connection may not exceed 21,000 characters in total (same page). */
export const MAX_ARGS_CHARS_PER_CONNECTION = 21_000;
/** The book depths the spot `orderbook.{depth}.{symbol}` topic offers. */
export const SPOT_BOOK_DEPTHS = [1, 50, 200, 1000] as const;
/** Bybit recommends a `ping` every 20 s; without ping or data a connection is cut after 10 minutes. */
export const PING_INTERVAL_MS = 20_000;
export const PING_FRAME = '{"op":"ping"}';

/**
 * The keep-alive period: option `pingIntervalMs` (1 s to 5 min; default 20 s, Bybit's advice). Bybit cuts a silent
 * connection after 10 minutes, so anything up to a few minutes is safe; tests use a short one.
 */
export function pingInterval(options: Record<string, unknown>): number {
  const v = options.pingIntervalMs;
  if (v === undefined) return PING_INTERVAL_MS;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1000 || v > 300_000) {
    throw new GatewayError('CONFIG_INVALID', `exchanges.bybit.pingIntervalMs: expected an integer from 1000 to 300000, got ${JSON.stringify(v)}`);
  }
  return v;
}

/** Bybit writes a market as base and quote joined: `BTC/USDT` → `BTCUSDT` (its `symbol`, `s`). */
export const BYBIT_CODE: CodeFormat = (base, quote) => base + quote;

export const marketCode = (symbol: string): string => sdkMarketCode(symbol, BYBIT_CODE);

/**
 * The configured symbols and their codes. Codes have no separator, so only this table leads back: guessing the quote
 * from the code would misread e.g. `BTCUSDC` against `USD`. Throws when two symbols would share a code.
 */
export const symbolTable = (symbols: readonly string[]): SymbolTable => sdkSymbolTable(symbols, BYBIT_CODE, 'Bybit');

/** The smallest spot book depth that holds `n` levels (1000 for anything deeper than 200). */
export function bookDepth(n: number): number {
  return SPOT_BOOK_DEPTHS.find((d) => d >= n) ?? SPOT_BOOK_DEPTHS[SPOT_BOOK_DEPTHS.length - 1]!;
}

/** A symbol's topics for the configured channels, in a fixed order: tickers, publicTrade, orderbook. */
export function symbolTopics(symbol: string, channels: readonly RecordType[], depth: number): string[] {
  const code = marketCode(symbol);
  const topics: string[] = [];
  if (channels.includes('ticker')) topics.push(`tickers.${code}`);
  if (channels.includes('trade')) topics.push(`publicTrade.${code}`);
  if (channels.includes('orderbook')) topics.push(`orderbook.${bookDepth(depth)}.${code}`);
  return topics;
}

/** characters a topic adds to the `args` array: the string, its quotes and a comma */
const argChars = (topic: string): number => topic.length + 3;

/**
 * Topics grouped into connections whose `args` stay within MAX_ARGS_CHARS_PER_CONNECTION. A symbol's topics stay
 * on one connection, so one socket's trouble (a reconnect, a new `ep`) touches a symbol's keys together.
 */
export function topicGroups(config: PluginConfig, maxChars = MAX_ARGS_CHARS_PER_CONNECTION): string[][] {
  const groups: string[][] = [];
  let current: string[] = [];
  let chars = 0;
  for (const symbol of new Set(config.symbols)) {
    const topics = symbolTopics(symbol, config.channels, config.depth);
    const size = topics.reduce((n, t) => n + argChars(t), 0);
    if (chars + size > maxChars && current.length > 0) {
      groups.push(current);
      current = [];
      chars = 0;
    }
    current.push(...topics);
    chars += size;
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

/** The subscribe requests of one connection, of at most MAX_ARGS_PER_REQUEST topics each, by `req_id`. */
export function subscribeRequests(topics: readonly string[]): Map<string, string[]> {
  const requests = new Map<string, string[]>();
  for (let i = 0; i < topics.length; i += MAX_ARGS_PER_REQUEST) {
    requests.set(`sub-${i / MAX_ARGS_PER_REQUEST + 1}`, topics.slice(i, i + MAX_ARGS_PER_REQUEST));
  }
  return requests;
}

/** `{"req_id":"sub-1","op":"subscribe","args":[..]}` frames of at most MAX_ARGS_PER_REQUEST topics each. */
export function subscribeFrames(topics: readonly string[]): string[] {
  return [...subscribeRequests(topics)].map(([reqId, args]) => subscribeFrame(reqId, args));
}

export const subscribeFrame = (reqId: string, args: readonly string[]): string => JSON.stringify({ req_id: reqId, op: 'subscribe', args });

/**
 * When a request of several topics fails (one unknown or delisted symbol may spoil it), each of its topics is asked
 * for again on its own, so the others are not lost; `one-<topic>` requests are never split further.
 */
export const singleRequestId = (topic: string): string => `one-${topic}`;

/** The two frames that make Bybit send a fresh snapshot of one book topic: unsubscribe, then subscribe again. */
export function resubscribeFrames(topic: string): string[] {
  return [
    JSON.stringify({ req_id: `resync-${topic}`, op: 'unsubscribe', args: [topic] }),
    JSON.stringify({ req_id: `resync-${topic}`, op: 'subscribe', args: [topic] }),
  ];
}

/** `GET /v5/market/instruments-info?category=spot`: every spot market (spot has no pagination). */
export function instrumentsUrl(restUrl: string): string {
  return `${restUrl.replace(/\/+$/, '')}/v5/market/instruments-info?category=spot`;
}
