// Kraken spot WebSocket v2 transport: endpoints, market codes, subscribe/unsubscribe frames and connection splitting.

import { GatewayError, marketCode as sdkMarketCode, symbolTable } from '../../sdk/index.ts';
import type { CodeFormat, PluginConfig, RecordType, SymbolTable } from '../../sdk/index.ts';

export const DEFAULT_URL = 'wss://ws.kraken.com/v2';
export const DEFAULT_REST_URL = 'https://api.kraken.com';

/** the depths the `book` channel accepts */
export const BOOK_DEPTHS = [10, 25, 100, 500, 1000] as const;

/**
 * Symbols per connection. Kraken publishes no per-connection cap; 250 keeps one socket's trouble (a reconnect, a new
 * `ep`) to a bounded share of the universe and each snapshot burst moderate. Option `symbolsPerConnection`.
 */
export const SYMBOLS_PER_CONNECTION = 250;
/** symbols per subscribe frame: keeps each request and its burst of acknowledgements small */
export const SYMBOLS_PER_FRAME = 50;

/** Kraken v2 writes markets as the unified symbol does (`BTC/USD`, `DOGE/USD`): the code is the symbol itself. */
export const KRAKEN_CODE: CodeFormat = (base, quote) => `${base}/${quote}`;

export const marketCode = (symbol: string): string => sdkMarketCode(symbol, KRAKEN_CODE);

/** the smallest depth Kraken offers that covers N levels (N above 1000: 1000) */
export function bookDepth(n: number): number {
  return BOOK_DEPTHS.find((d) => d >= n) ?? 1000;
}

const CHANNEL: Record<RecordType, string> = { ticker: 'ticker', trade: 'trade', orderbook: 'book' };

/** The params of one channel's subscription (without symbols). Trades without the 50-trade history snapshot. */
function channelParams(ty: RecordType, depth: number): Record<string, unknown> {
  if (ty === 'orderbook') return { channel: 'book', depth: bookDepth(depth), snapshot: true };
  if (ty === 'trade') return { channel: 'trade', snapshot: false };
  return { channel: 'ticker', snapshot: true };
}

export function subscribeFrame(ty: RecordType, symbols: readonly string[], depth: number, reqId: number): string {
  return JSON.stringify({ method: 'subscribe', params: { ...channelParams(ty, depth), symbol: symbols }, req_id: reqId });
}

export function unsubscribeFrame(ty: RecordType, symbols: readonly string[], depth: number, reqId: number): string {
  const params: Record<string, unknown> = { channel: CHANNEL[ty], symbol: symbols };
  if (ty === 'orderbook') params.depth = bookDepth(depth);
  return JSON.stringify({ method: 'unsubscribe', params, req_id: reqId });
}

/** pair precisions for the checksum (price_precision, qty_precision) come from the `instrument` channel */
export const INSTRUMENT_FRAME = JSON.stringify({ method: 'subscribe', params: { channel: 'instrument', snapshot: true }, req_id: 1 });

export const PING_FRAME = JSON.stringify({ method: 'ping' });

/** Every frame one connection sends on open: instruments first (when books are wanted), then each channel in batches. */
export function subscribeFrames(config: PluginConfig, symbols: readonly string[]): string[] {
  const frames: string[] = [];
  if (config.channels.includes('orderbook')) frames.push(INSTRUMENT_FRAME);
  let reqId = 2;
  for (const ty of ['ticker', 'trade', 'orderbook'] as const) {
    if (!config.channels.includes(ty)) continue;
    for (let i = 0; i < symbols.length; i += SYMBOLS_PER_FRAME) {
      frames.push(subscribeFrame(ty, symbols.slice(i, i + SYMBOLS_PER_FRAME), config.depth, reqId++));
    }
  }
  return frames;
}

/** the configured symbols, validated once, in tables of at most `symbolsPerConnection` (one per connection) */
export function symbolGroups(config: PluginConfig): SymbolTable[] {
  const per = Number(config.options.symbolsPerConnection ?? SYMBOLS_PER_CONNECTION);
  if (!Number.isInteger(per) || per < 1) {
    throw new GatewayError('CONFIG_INVALID', `exchanges.${config.id}.symbolsPerConnection: expected a positive integer`);
  }
  const all = symbolTable(config.symbols, KRAKEN_CODE, 'kraken').symbols;
  const groups: SymbolTable[] = [];
  for (let i = 0; i < all.length; i += per) groups.push(symbolTable(all.slice(i, i + per), KRAKEN_CODE, 'kraken'));
  return groups;
}
