// Binance's transport: endpoints, symbol codes, stream names and how streams are spread over connections.

import { marketCode as codeOf, symbolTable as tableOf } from '../../sdk/index.ts';
import type { CodeFormat, PluginConfig, RecordType, SymbolTable } from '../../sdk/index.ts';

export const DEFAULT_URL = 'wss://stream.binance.com:9443';
export const DEFAULT_REST_URL = 'https://api.binance.com';

/** Binance refuses a connection that asks for more streams than this. */
export const MAX_STREAMS_PER_CONNECTION = 1024;

/**
 * The longest combined-stream URL Binance accepts: about 8,000 characters (8,004 measured by client authors; not in
 * Binance's documentation), so a connection carries far fewer than 1024 streams in its URL. Kept a little under.
 */
export const MAX_URL_CHARS = 7900;

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
 * Streams grouped into connections of at most MAX_STREAMS_PER_CONNECTION whose combined-stream URL (on
 * `config.url`) stays within MAX_URL_CHARS. A symbol's streams stay on one connection, so one socket's trouble (a
 * reconnect, a new `ep`) touches a symbol's keys together.
 */
export function streamGroups(config: PluginConfig, max = MAX_STREAMS_PER_CONNECTION, maxUrlChars = MAX_URL_CHARS): string[][] {
  const groups: string[][] = [];
  let current: string[] = [];
  const base = combinedStreamUrl(config.url, []).length;
  let chars = base;
  for (const symbol of new Set(config.symbols)) {
    const streams = symbolStreams(symbol, config.channels);
    const more = streams.reduce((n, s) => n + s.length + 1, 0);
    if ((current.length + streams.length > max || chars + more - 1 > maxUrlChars) && current.length > 0) {
      groups.push(current);
      current = [];
      chars = base;
    }
    current.push(...streams);
    chars += more;
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
