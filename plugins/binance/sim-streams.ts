// Binance stream names and symbols: what a client may ask for, parsed once into a typed reference.

import { QUOTES } from '../../sim/reference-prices.ts';

export type StreamKind = 'trade' | 'aggTrade' | 'ticker' | 'miniTicker' | 'bookTicker' | 'depth' | 'partial';

export interface StreamRef {
  /** the name exactly as the client wrote it; echoed in combined frames */
  name: string;
  /** upper case, as in payloads: BTCUSDT */
  symbol: string;
  base: string;
  quote: string;
  kind: StreamKind;
  /** push cadence: 100 rides the market step, 1000 the one-second timer */
  speedMs: 100 | 1000;
  /** partial book depth */
  levels: number;
  /** `eventKey`, computed once */
  key: string;
  /** `name` as a JSON string, for the combined wrapper */
  nameJson: string;
}

const STREAM = /^([a-z0-9]{2,20})@(trade|aggTrade|ticker|miniTicker|bookTicker|depth(5|10|20)?(@100ms|@1000ms)?)$/;
/** Streams pushed on the one-second timer whatever their name says. */
const SECOND_KINDS = new Set<StreamKind>(['ticker', 'miniTicker']);

/** BTCUSDT → BTC/USDT; undefined when no known quote ends it or nothing is left for the base. */
export function parseSymbol(symbol: string): { base: string; quote: string } | undefined {
  if (!/^[A-Z0-9]{3,20}$/.test(symbol)) return undefined;
  // one-letter bases exist (WUSDT, TUSDT)
  const quote = QUOTES.find((q) => symbol.endsWith(q) && symbol.length - q.length >= 1);
  return quote ? { base: symbol.slice(0, -quote.length), quote } : undefined;
}

export function parseStream(name: string): StreamRef | undefined {
  const m = STREAM.exec(name);
  if (!m) return undefined;
  const symbol = m[1]!.toUpperCase();
  const pair = parseSymbol(symbol);
  if (!pair) return undefined;
  const channel = m[2]!;
  const levels = m[3] ? Number(m[3]) : 0;
  const kind: StreamKind = channel.startsWith('depth') ? (levels ? 'partial' : 'depth') : (channel as StreamKind);
  // Plain `<s>@depth` is the 1000 ms diff stream; partial books default to 1000 ms too.
  const speedMs = SECOND_KINDS.has(kind) || !m[4] || m[4] === '@1000ms' ? 1000 : 100;
  const fast = kind === 'trade' || kind === 'aggTrade' || kind === 'bookTicker';
  const ref = { name, symbol, ...pair, kind, speedMs: fast ? 100 : speedMs, levels } as const;
  return { ...ref, key: eventKey(ref), nameJson: JSON.stringify(name) };
}

/** One key per distinct payload, shared by every name that carries it. */
export function eventKey(ref: Pick<StreamRef, 'symbol' | 'kind' | 'levels' | 'speedMs'>): string {
  return `${ref.symbol}:${ref.kind}:${ref.levels}:${ref.speedMs}`;
}
