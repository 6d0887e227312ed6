// Recorded-format exchange frames for the pipeline benchmark, built with the simulators' own message builders,
// so they are byte for byte what a worker receives from the simulated (and, by design, the real) exchanges.

import * as binance from '../../sim/binance-events.ts';
import { depthItems, restLevels, tickerContent, transactionItem } from '../../sim/bithumb-legacy-messages.ts';
import { Market } from '../../sim/market.ts';
import { encode as upbitEncode, orderbookMessage, tickerMessage, tradeMessage } from '../../sim/upbit-messages.ts';
import type { Variant } from '../../sim/upbit-messages.ts';
import { BINANCE_RULES, BITHUMB_RULES, UPBIT_RULES } from '../../sim/venue-rules.ts';
import type { VenueRules } from '../../sim/venue-rules.ts';

/** One kind of frame, replayed through every path that can read it. */
export interface FrameSet {
  /** e.g. `binance trade` */
  kind: string;
  /** plugin id and plugin options of the gateway's mapper for these frames */
  plugin: string;
  options: Record<string, unknown>;
  symbols: string[];
  frames: string[];
  /** REST answers the mapper asks for (book snapshots), by request URL suffix → body */
  responses?: Map<string, string>;
  /** the record type these frames produce */
  ty: 'trade' | 'ticker' | 'orderbook';
  /** average price levels per frame (order books) */
  levels?: number;
  /** the same messages in Upbit's DEFAULT format, for mappers that read only that (tardis-dev) */
  defaultFrames?: string[];
}

const STEP_MS = 100;
const T0 = Date.UTC(2025, 0, 15, 3, 0, 0);

function markets(rules: VenueRules, quote: string, bases: string[], tradesPerStep: number): Market[] {
  return bases.map((base) => new Market({ base, quote, seed: 11, rules, tradesPerStep }, T0));
}

const BASES = ['BTC', 'ETH', 'XRP', 'SOL'];

/** Binance combined-stream frames: `@trade`, `@ticker`, `@depth@100ms` (with the REST snapshot that syncs the book). */
function binanceSets(n: number): FrameSet[] {
  const ms = markets(BINANCE_RULES, 'USDT', BASES, 1);
  const symbols = BASES.map((b) => `${b}/USDT`);
  const wrap = (stream: string, data: string) => `{"stream":"${stream}","data":${data}}`;
  const responses = new Map<string, string>();
  for (const m of ms) responses.set(`symbol=${m.base}USDT`, JSON.stringify(binance.depthSnapshot(m, 1000)));
  const trades: string[] = [];
  const tickers: string[] = [];
  const depth: string[] = [];
  let levels = 0;
  for (let i = 0; trades.length < n || depth.length < n; i++) {
    const now = T0 + (i + 1) * STEP_MS;
    for (const m of ms) {
      const code = `${m.base}USDT`;
      const lower = code.toLowerCase();
      const step = m.step(now);
      for (const t of binance.tradeEvents(code, step, now)) trades.push(wrap(`${lower}@trade`, t));
      depth.push(wrap(`${lower}@depth@100ms`, binance.depthUpdate(code, step, now)));
      levels += step.bids.length + step.asks.length;
      tickers.push(wrap(`${lower}@ticker`, binance.ticker(code, m, now)));
    }
  }
  const base = { plugin: 'binance', options: {}, symbols };
  return [
    { ...base, kind: 'binance trade', ty: 'trade', frames: trades.slice(0, n) },
    { ...base, kind: 'binance ticker', ty: 'ticker', frames: tickers.slice(0, n) },
    { ...base, kind: 'binance depth diff', ty: 'orderbook', frames: depth.slice(0, n), responses, levels: levels / depth.length },
  ];
}

/** Upbit-format frames (Upbit itself, or Bithumb v1 with its quirks): trade, ticker and N-level orderbook. */
function upbitSets(variant: Variant, n: number, depthLevels = 15): FrameSet[] {
  const ex = variant;
  const ms = markets(variant === 'upbit' ? UPBIT_RULES : BITHUMB_RULES, 'KRW', BASES, 1);
  const symbols = BASES.map((b) => `${b}/KRW`);
  const out = { trade: [] as string[], ticker: [] as string[], orderbook: [] as string[] };
  const def = { trade: [] as string[], ticker: [] as string[], orderbook: [] as string[] };
  for (let i = 0; out.trade.length < n; i++) {
    const now = T0 + (i + 1) * STEP_MS;
    for (const m of ms) {
      const code = `KRW-${m.base}`;
      const step = m.step(now);
      for (const t of step.trades) {
        const msg = tradeMessage(code, m, t, now, 'REALTIME', variant);
        out.trade.push(upbitEncode('trade', msg, 'SIMPLE'));
        def.trade.push(upbitEncode('trade', msg, 'DEFAULT'));
      }
      const tk = tickerMessage(code, m, now, 'REALTIME');
      out.ticker.push(upbitEncode('ticker', tk, 'SIMPLE'));
      def.ticker.push(upbitEncode('ticker', tk, 'DEFAULT'));
      const ob = orderbookMessage(code, m, depthLevels, step.tus, 'REALTIME', variant);
      out.orderbook.push(upbitEncode('orderbook', ob, 'SIMPLE'));
      def.orderbook.push(upbitEncode('orderbook', ob, 'DEFAULT'));
    }
  }
  const name = variant === 'upbit' ? 'upbit' : 'bithumb v1';
  const base = { plugin: ex, options: variant === 'bithumb' ? { api: 'v1' } : {}, symbols };
  return [
    { ...base, kind: `${name} trade`, ty: 'trade', frames: out.trade.slice(0, n), defaultFrames: def.trade.slice(0, n) },
    { ...base, kind: `${name} ticker`, ty: 'ticker', frames: out.ticker.slice(0, n), defaultFrames: def.ticker.slice(0, n) },
    {
      ...base,
      kind: `${name} orderbook ${depthLevels}`,
      ty: 'orderbook',
      frames: out.orderbook.slice(0, n),
      defaultFrames: def.orderbook.slice(0, n),
      levels: depthLevels,
    },
  ];
}

/** Bithumb legacy (`/pub/ws`): transaction, 24H ticker, and orderbookdepth diffs with the REST snapshot. */
function legacySets(n: number): FrameSet[] {
  const ms = markets(BITHUMB_RULES, 'KRW', BASES, 1);
  const symbols = BASES.map((b) => `${b}/KRW`);
  const responses = new Map<string, string>();
  for (const m of ms) {
    const code = `${m.base}_KRW`;
    const data = { timestamp: String(m.snapshotTms(T0)), payment_currency: 'KRW', order_currency: m.base, bids: restLevels(m, 'bid', 30), asks: restLevels(m, 'ask', 30) };
    responses.set(`/public/orderbook/${code}`, JSON.stringify({ status: '0000', data }));
  }
  const tx: string[] = [];
  const tk: string[] = [];
  const depth: string[] = [];
  let levels = 0;
  for (let i = 0; tx.length < n; i++) {
    const now = T0 + (i + 1) * STEP_MS;
    for (const m of ms) {
      const code = `${m.base}_KRW`;
      let prev = m.lastTrade.price;
      const step = m.step(now);
      const list = step.trades.map((t) => {
        const item = transactionItem(code, m, t, prev);
        prev = t.price;
        return item;
      });
      tx.push(JSON.stringify({ type: 'transaction', content: { list } }));
      tk.push(JSON.stringify({ type: 'ticker', content: tickerContent(code, m, '24H', now) }));
      const items = depthItems(code, m, step);
      levels += items.length;
      depth.push(JSON.stringify({ type: 'orderbookdepth', content: { list: items, datetime: String(step.tus) } }));
    }
  }
  const base = { plugin: 'bithumb', options: { api: 'legacy' }, symbols };
  return [
    { ...base, kind: 'bithumb legacy transaction', ty: 'trade', frames: tx.slice(0, n) },
    { ...base, kind: 'bithumb legacy ticker', ty: 'ticker', frames: tk.slice(0, n) },
    { ...base, kind: 'bithumb legacy orderbookdepth', ty: 'orderbook', frames: depth.slice(0, n), responses, levels: levels / Math.min(n, depth.length) },
  ];
}

/**
 * Frames as a worker holds them: decoded from the socket's bytes into flat strings (built ones are often
 * concatenations, which every reader would first have to flatten).
 */
function asReceived(set: FrameSet): FrameSet {
  const flat = (frames: string[]) => frames.map((f) => Buffer.from(f, 'utf8').toString('utf8'));
  return { ...set, frames: flat(set.frames), defaultFrames: set.defaultFrames && flat(set.defaultFrames) };
}

/** Every frame kind the gateway reads, `n` frames each. */
export function frameSets(n: number): FrameSet[] {
  return [...binanceSets(n), ...upbitSets('upbit', n), ...upbitSets('bithumb', n), ...legacySets(n)].map(asReceived);
}

/** Upbit order books at other depths, to separate the per-frame cost from the per-level cost. */
export function upbitDepthSets(n: number, depths: number[]): FrameSet[] {
  return depths.map((d) => asReceived(upbitSets('upbit', n, d)[2]!));
}
