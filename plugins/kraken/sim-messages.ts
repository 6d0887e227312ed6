// The simulated Kraken's v2 frames: ticker, trade and book (snapshot, and updates within a subscribed depth, each with
// Kraken's CRC32 checksum), written with every price and quantity at the pair's full precision.

import type { Trade } from '../../sim/market.ts';
import { crc32, KRAKEN_CHECKSUM_LEVELS, krakenField } from '../../sdk/index.ts';
import { LevelTexts } from '../../sim/level-text.ts';
import { QTY_DECIMALS, type SimPair } from './sim-markets.ts';

/** `2023-09-25T09:04:31.742648Z` from microseconds since epoch */
export function rfc3339Micros(us: number): string {
  const ms = Math.floor(us / 1000);
  return `${new Date(ms).toISOString().slice(0, 19)}.${String(us % 1_000_000).padStart(6, '0')}Z`;
}

export const rfc3339Ms = (ms: number): string => rfc3339Micros(ms * 1000);

const price = (p: SimPair, v: number): string => v.toFixed(p.priceDecimals);
const qty = (v: number): string => v.toFixed(QTY_DECIMALS);

/** one channel message; `data` is pre-serialized JSON (numbers as literals with their trailing zeros) */
const frame = (channel: string, type: 'snapshot' | 'update', data: string): string =>
  `{"channel":"${channel}","type":"${type}","data":[${data}]}`;

export function tickerFrame(p: SimPair, type: 'snapshot' | 'update', nowMs: number): string {
  const m = p.market;
  const s = m.stats;
  const last = m.lastTrade.price;
  const change = last - s.open;
  const pct = s.open > 0 ? Math.round((change / s.open) * 10_000) / 100 : 0;
  const vwap = s.volume > 0 ? s.quoteVolume / s.volume : last;
  const bid = m.book.bestBid();
  const ask = m.book.bestAsk();
  const data =
    `{"symbol":"${p.symbol}","bid":${price(p, bid)},"bid_qty":${qty(m.book.bids.get(bid) ?? 0)},` +
    `"ask":${price(p, ask)},"ask_qty":${qty(m.book.asks.get(ask) ?? 0)},"last":${price(p, last)},` +
    `"volume":${qty(s.volume)},"vwap":${price(p, vwap)},"low":${price(p, s.low)},"high":${price(p, s.high)},` +
    `"change":${price(p, change === 0 ? 0 : change)},"change_pct":${pct.toFixed(2)},"timestamp":"${rfc3339Ms(nowMs)}"}`;
  return frame('ticker', type, data);
}

export function tradeFrame(p: SimPair, trades: readonly Trade[]): string {
  const data = trades.map(
    (t) =>
      `{"symbol":"${p.symbol}","side":"${t.takerSide}","price":${price(p, t.price)},"qty":${qty(t.qty)},` +
      `"ord_type":"${t.id % 5 === 0 ? 'limit' : 'market'}","trade_id":${t.id},"timestamp":"${rfc3339Micros(t.tus)}"}`,
  );
  return frame('trade', 'update', data.join(','));
}

/** the best `depth` levels of a side, best first */
export function window(p: SimPair, side: 'bid' | 'ask', depth: number): Map<number, number> {
  const out = new Map<number, number>();
  for (const l of p.market.book.sorted(side, depth)) out.set(l.price, l.qty);
  return out;
}

export interface BookWindow {
  bids: Map<number, number>;
  asks: Map<number, number>;
}

export function currentWindow(p: SimPair, depth: number): BookWindow {
  return { bids: window(p, 'bid', depth), asks: window(p, 'ask', depth) };
}

/** each pair's checksum pieces: price then qty at full precision, '.' and leading zeros dropped (sdk krakenChecksum) */
const checksumTexts = new WeakMap<SimPair, LevelTexts>();

/** Kraken's CRC32 of a window's top 10 asks then top 10 bids (sdk krakenChecksum's rule), from cached level texts. */
function checksumOf(p: SimPair, w: BookWindow): number {
  let texts = checksumTexts.get(p);
  if (!texts) checksumTexts.set(p, (texts = new LevelTexts((pr, q) => krakenField(price(p, pr)) + krakenField(qty(q)))));
  let text = '';
  for (const side of [w.asks, w.bids]) {
    let n = 0;
    for (const [pr, q] of side) {
      if (n++ === KRAKEN_CHECKSUM_LEVELS) break;
      text += texts.text(pr, q);
    }
  }
  return crc32(text);
}

const levelsJson = (p: SimPair, levels: Iterable<[number, number]>): string =>
  [...levels].map(([pr, q]) => `{"price":${price(p, pr)},"qty":${qty(q)}}`).join(',');

export function bookSnapshotFrame(p: SimPair, w: BookWindow, nowMs: number): string {
  const data =
    `{"symbol":"${p.symbol}","bids":[${levelsJson(p, w.bids)}],"asks":[${levelsJson(p, w.asks)}],` +
    `"checksum":${checksumOf(p, w)},"timestamp":"${rfc3339Ms(nowMs)}"}`;
  return frame('book', 'snapshot', data);
}

/**
 * The update that turns a client's `before` window into `after`: changed and new levels with their quantity, levels
 * gone from the book with qty 0; a level merely pushed beyond the depth is not sent (the client truncates it).
 * Undefined when nothing in the window changed. `corrupt` flips the checksum (fault switch).
 */
export function bookUpdateFrame(p: SimPair, before: BookWindow, after: BookWindow, nowMs: number, corrupt = false): string | undefined {
  const side = (b: Map<number, number>, a: Map<number, number>, book: ReadonlyMap<number, number>): [number, number][] => {
    const out: [number, number][] = [];
    for (const [pr, q] of a) if (b.get(pr) !== q) out.push([pr, q]);
    for (const pr of b.keys()) if (!a.has(pr) && !book.has(pr)) out.push([pr, 0]);
    return out;
  };
  const bids = side(before.bids, after.bids, p.market.book.bids);
  const asks = side(before.asks, after.asks, p.market.book.asks);
  if (bids.length === 0 && asks.length === 0) return undefined;
  const checksum = (checksumOf(p, after) ^ (corrupt ? 0x5a5a : 0)) >>> 0;
  const data =
    `{"symbol":"${p.symbol}","bids":[${levelsJson(p, bids)}],"asks":[${levelsJson(p, asks)}],` +
    `"checksum":${checksum},"timestamp":"${rfc3339Ms(nowMs)}"}`;
  return frame('book', 'update', data);
}
