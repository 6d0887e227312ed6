// Benchmark frames of the Binance plugin (bench/lib/frames.ts finds this file): combined-stream `@trade`,
// `@ticker` and `@depth@100ms`, with the REST snapshot that syncs the book, built by the simulator's own builders.

import { BASES, benchMarkets, STEP_MS, T0 } from '../../bench/lib/frame-set.ts';
import type { FrameSet } from '../../bench/lib/frame-set.ts';
import { BINANCE_RULES } from '../../sim/venue-rules.ts';
import * as binance from './sim-events.ts';

export default function binanceSets(n: number): FrameSet[] {
  const ms = benchMarkets(BINANCE_RULES, 'USDT', BASES, 1);
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
