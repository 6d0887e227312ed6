// Binance's transport: endpoints, symbol codes, stream names and how streams are spread over connections.

import { marketCode as codeOf, symbolTable as tableOf } from '../../sdk/index.ts';
import type { CodeFormat, PluginConfig, RecordType, SymbolTable } from '../../sdk/index.ts';

export const DEFAULT_URL = 'wss://stream.binance.com:9443';
export const DEFAULT_REST_URL = 'https://api.binance.com';

/** Binance refuses a connection that asks for more streams than this. */
export const MAX_STREAMS_PER_CONNECTION = 1024;

/** Fixed order, so the URL does not change when config lists channels differently. */
const STREAM_SUFFIX: [RecordType, string][] = [
  ['ticker', '@ticker'],
  ['trade', '@trade'],
  ['orderbook', '@depth@100ms'],
];

/** `BTC/USDT` → `BTCUSDT` (Binance's `s`). */
const BASE_QUOTE: CodeFormat = (base, quote) => base + quote;

export function marketCode(symbol: string): string {
  return codeOf(symbol, BASE_QUOTE);
}

/**
 * Market code ↔ unified symbol for the configured symbols. Binance's codes have no separator, so the only safe way
 * back is this table (guessing the quote currency would misread e.g. "BTCUSDC" against "USD"); two symbols that
 * share a code are refused.
 */
export function symbolTable(symbols: readonly string[]): SymbolTable {
  return tableOf(symbols, BASE_QUOTE, 'Binance');
}

/** The streams of one symbol, for the configured channels: `btcusdt@ticker`, `btcusdt@trade`, `btcusdt@depth@100ms`. */
export function symbolStreams(symbol: string, channels: readonly RecordType[]): string[] {
  const lower = marketCode(symbol).toLowerCase();
  return STREAM_SUFFIX.filter(([ty]) => channels.includes(ty)).map(([, suffix]) => lower + suffix);
}

/**
 * Streams grouped into connections of at most MAX_STREAMS_PER_CONNECTION. A symbol's streams stay on one
 * connection, so one socket's trouble (a reconnect, a new `ep`) touches a symbol's keys together.
 */
export function streamGroups(config: PluginConfig, max = MAX_STREAMS_PER_CONNECTION): string[][] {
  const groups: string[][] = [];
  let current: string[] = [];
  for (const symbol of new Set(config.symbols)) {
    const streams = symbolStreams(symbol, config.channels);
    if (current.length + streams.length > max && current.length > 0) {
      groups.push(current);
      current = [];
    }
    current.push(...streams);
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

/** The combined-stream URL: every frame then arrives wrapped as `{"stream":..,"data":..}`. */
export function combinedStreamUrl(baseUrl: string, streams: readonly string[]): string {
  return `${baseUrl.replace(/\/+$/, '')}/stream?streams=${streams.join('/')}`;
}

/** The REST snapshot a diff book synchronizes against; 1000 levels covers any configured depth (at most 200). */
export function depthSnapshotUrl(restUrl: string, code: string): string {
  return `${restUrl.replace(/\/+$/, '')}/api/v3/depth?symbol=${code}&limit=1000`;
}
