// The OKX simulator's payloads, built from the market model as OKX writes them (every number a decimal string).

import { crc32, OKX_CHECKSUM_LEVELS, toInt32 } from '../../sdk/index.ts';
import { LevelTexts, perMarket } from '../../sim/level-text.ts';
import type { Market, StepResult } from '../../sim/market.ts';
import type { LevelChange } from '../../sim/order-book.ts';


/** sizes without trailing zeros, as OKX sends them ("0.5", "12") */
export function sizeText(market: Market, qty: number): string {
  const s = qty.toFixed(market.qtyDecimals);
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
}

const priceText = (market: Market, price: number): string => market.grid.format(price);

/** OKX book levels: [price, size, "0" (deprecated liquidations), number of orders] */
function levelJson(market: Market, price: number, qty: number): [string, string, string, string] {
  const orders = qty === 0 ? 0 : 1 + (Math.round(price * 977 + qty * 131) % 7);
  return [priceText(market, price), qty === 0 ? '0' : sizeText(market, qty), '0', String(orders)];
}

const changes = (market: Market, list: LevelChange[]) => list.map(([p, q]) => levelJson(market, p, q));

function top(market: Market, side: 'bid' | 'ask', n: number) {
  return market.book.sorted(side, n).map((l) => levelJson(market, l.price, l.qty));
}

/** each market's `price:size` texts, the pieces of OKX's checksum string */
const checksumTexts = perMarket((m) => new LevelTexts((p, q) => `${priceText(m, p)}:${sizeText(m, q)}`));

/**
 * The CRC-32 of the market's current top 25 levels, as OKX computes it (sdk okxChecksum's rule: bid and ask levels
 * interleaved, `price:size`, joined by ':'), from cached level texts.
 */
export function bookChecksum(market: Market): number {
  const texts = checksumTexts(market);
  const bids = market.book.view('bid');
  const asks = market.book.view('ask');
  const n = Math.min(OKX_CHECKSUM_LEVELS, Math.max(bids.length, asks.length));
  const parts: string[] = [];
  for (let i = 0; i < n; i++) {
    if (i < bids.length) parts.push(texts.text(bids[i]!, market.book.bids.get(bids[i]!)!));
    if (i < asks.length) parts.push(texts.text(asks[i]!, market.book.asks.get(asks[i]!)!));
  }
  return toInt32(crc32(parts.join(':')));
}

const arg = (channel: string, instId: string) => ({ channel, instId });

export function booksSnapshot(instId: string, market: Market, tms: number, withChecksum: boolean): string {
  const data = {
    asks: top(market, 'ask', 400),
    bids: top(market, 'bid', 400),
    ts: String(tms),
    checksum: withChecksum ? bookChecksum(market) : 0,
    prevSeqId: -1,
    seqId: market.updateId,
  };
  return JSON.stringify({ arg: arg('books', instId), action: 'snapshot', data: [data] });
}

/** one step's level changes; prevSeqId is the seqId of the update before (the step before's last update id) */
export function booksUpdate(instId: string, market: Market, step: StepResult, checksum: number): string {
  const data = {
    asks: changes(market, step.asks),
    bids: changes(market, step.bids),
    ts: String(step.tms),
    checksum,
    prevSeqId: step.firstUpdateId - 1,
    seqId: step.lastUpdateId,
  };
  return JSON.stringify({ arg: arg('books', instId), action: 'update', data: [data] });
}

export function books5(instId: string, market: Market, tms: number): string {
  const data = { asks: top(market, 'ask', 5), bids: top(market, 'bid', 5), instId, ts: String(tms), seqId: market.updateId };
  return JSON.stringify({ arg: arg('books5', instId), data: [data] });
}

/** REST GET /api/v5/market/books */
export function restBook(market: Market, sz: number, tms: number): string {
  const data = { asks: top(market, 'ask', sz), bids: top(market, 'bid', sz), ts: String(tms), seqId: market.updateId };
  return JSON.stringify({ code: '0', msg: '', data: [data] });
}

export function trades(instId: string, market: Market, step: StepResult): string | undefined {
  if (step.trades.length === 0) return undefined;
  const data = step.trades.map((t) => ({
    instId,
    tradeId: String(t.id),
    px: priceText(market, t.price),
    sz: sizeText(market, t.qty),
    side: t.takerSide,
    ts: String(t.tms),
    count: '1',
    source: '0',
    seqId: t.id,
  }));
  return JSON.stringify({ arg: arg('trades', instId), data });
}

export function ticker(instId: string, market: Market, tms: number): string {
  const s = market.stats;
  const last = market.lastTrade;
  const bid = market.book.bestBid();
  const ask = market.book.bestAsk();
  const p = (x: number) => priceText(market, x);
  const data = {
    instType: 'SPOT',
    instId,
    last: p(last.price),
    lastSz: sizeText(market, last.qty),
    askPx: p(ask),
    askSz: sizeText(market, market.book.asks.get(ask)!),
    bidPx: p(bid),
    bidSz: sizeText(market, market.book.bids.get(bid)!),
    open24h: p(s.open),
    high24h: p(s.high),
    low24h: p(s.low),
    // the simulated day opens where the rolling 24 h window does: good enough for a feed nobody maps from
    sodUtc0: p(s.prevClose),
    sodUtc8: p(s.prevClose),
    volCcy24h: s.quoteVolume.toFixed(4),
    vol24h: sizeText(market, s.volume),
    ts: String(tms),
  };
  return JSON.stringify({ arg: arg('tickers', instId), data: [data] });
}
