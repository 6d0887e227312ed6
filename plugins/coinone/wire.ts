// Coinone's public WebSocket v2 on the wire: endpoints, market codes, subscribe and PING frames, field names, limits.

import { GatewayError, marketCode as codeOf } from '../../sdk/index.ts';
import type { CodeFormat, ExchangeLimits, RecordType } from '../../sdk/index.ts';

export const DEFAULT_URL = 'wss://stream.coinone.co.kr';
export const DEFAULT_REST_URL = 'https://api.coinone.co.kr';

/**
 * The server closes a connection 30 minutes after the last PING request (documented for the private socket; we
 * assume the same for the public one). A PING every 30 s keeps far inside that and shows a dead link early.
 */
export const KEEP_ALIVE_MS = 30_000;
export const PING_FRAME = '{"request_type":"PING"}';
/** the idle limit the PING must beat */
const IDLE_CLOSE_MS = 30 * 60_000;

/** plugin option `keepAliveMs`: how often to send PING (default 30 s; 1 s to 29 min) */
export function keepAliveOf(options: Record<string, unknown>): number {
  const v = options.keepAliveMs;
  if (v === undefined) return KEEP_ALIVE_MS;
  if (typeof v === 'number' && Number.isInteger(v) && v >= 1000 && v < IDLE_CLOSE_MS) return v;
  throw new GatewayError('CONFIG_INVALID', `exchanges.coinone.keepAliveMs must be an integer from 1000 to ${IDLE_CLOSE_MS - 1}, got ${JSON.stringify(v)}`);
}

/**
 * Not published for the public socket (the private one allows 20 connections per account). One connection carries
 * every subscription; reconnects are paced to 2 attempts a second and subscribe frames to 20 a second.
 */
export const LIMITS: ExchangeLimits = { connectsPerSecond: 2, sendsPerSecond: 20, windowMs: 1000 };

/** the channel names Coinone uses for our record types */
export const CHANNELS: Readonly<Record<RecordType, 'TICKER' | 'TRADE' | 'ORDERBOOK'>> = {
  ticker: 'TICKER',
  trade: 'TRADE',
  orderbook: 'ORDERBOOK',
};

export type WireFormat = 'SHORT' | 'DEFAULT';

/** plugin option `format`: `short` (default, about half the bytes) or `default` (long field names) */
export function formatOf(options: Record<string, unknown>): WireFormat {
  const f = options.format;
  if (f === undefined || f === 'short' || f === 'SHORT') return 'SHORT';
  if (f === 'default' || f === 'DEFAULT') return 'DEFAULT';
  throw new GatewayError('CONFIG_INVALID', `exchanges.coinone.format must be short or default, got ${JSON.stringify(f)}`);
}

/** `BTC/KRW` → `KRW-BTC` (quote then target, the order of Coinone's own paths `/orderbook/KRW/BTC`) */
export const CODE: CodeFormat = (base, quote) => `${quote}-${base}`;

export const marketCode = (symbol: string): string => codeOf(symbol, CODE);

/** one subscribe request: Coinone takes one channel and one market per frame */
export function subscribeFrame(channel: RecordType, quote: string, target: string, format: WireFormat): string {
  const req: Record<string, unknown> = {
    request_type: 'SUBSCRIBE',
    channel: CHANNELS[channel],
    topic: { quote_currency: quote, target_currency: target },
  };
  if (format === 'SHORT') req.format = 'SHORT';
  return JSON.stringify(req);
}

/** Field names of a data message in each format (the docs' "Short field" column). */
export interface FieldNames {
  responseType: string;
  channel: string;
  data: string;
  quote: string;
  target: string;
  time: string;
  id: string;
  asks: string;
  bids: string;
  price: string;
  qty: string;
  sellerMaker: string;
  quoteVolume: string;
  targetVolume: string;
  high: string;
  low: string;
  first: string;
  last: string;
  yesterdayLast: string;
}

export const DEFAULT_NAMES: FieldNames = {
  responseType: 'response_type', channel: 'channel', data: 'data', quote: 'quote_currency', target: 'target_currency',
  time: 'timestamp', id: 'id', asks: 'asks', bids: 'bids', price: 'price', qty: 'qty', sellerMaker: 'is_seller_maker',
  quoteVolume: 'quote_volume', targetVolume: 'target_volume', high: 'high', low: 'low', first: 'first', last: 'last',
  yesterdayLast: 'yesterday_last',
};

export const SHORT_NAMES: FieldNames = {
  responseType: 'r', channel: 'c', data: 'd', quote: 'qc', target: 'tc', time: 't', id: 'i', asks: 'a', bids: 'b',
  price: 'p', qty: 'q', sellerMaker: 'sm', quoteVolume: 'qv', targetVolume: 'tv', high: 'hi', low: 'lo', first: 'fi',
  last: 'la', yesterdayLast: 'yla',
};
