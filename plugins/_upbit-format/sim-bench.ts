// Benchmark frames in the Upbit format (Upbit itself, or Bithumb v1 with its quirks): trade, ticker and an N-level
// orderbook, in SIMPLE and DEFAULT, built by the shared simulator's message builders. Used by the plugins' bench.ts.

import { BASES, benchMarkets, STEP_MS, T0 } from '../../bench/lib/frame-set.ts';
import type { FrameSet } from '../../bench/lib/frame-set.ts';
import { BITHUMB_RULES, UPBIT_RULES } from '../../sim/venue-rules.ts';
import { encode, orderbookMessage, tickerMessage, tradeMessage } from './sim-messages.ts';
import type { Variant } from './sim-messages.ts';

export function upbitFormatSets(variant: Variant, n: number, depthLevels = 15): FrameSet[] {
  const ms = benchMarkets(variant === 'upbit' ? UPBIT_RULES : BITHUMB_RULES, 'KRW', BASES, 1);
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
        out.trade.push(encode('trade', msg, 'SIMPLE'));
        def.trade.push(encode('trade', msg, 'DEFAULT'));
      }
      const tk = tickerMessage(code, m, now, 'REALTIME');
      out.ticker.push(encode('ticker', tk, 'SIMPLE'));
      def.ticker.push(encode('ticker', tk, 'DEFAULT'));
      const ob = orderbookMessage(code, m, depthLevels, step.tus, 'REALTIME', variant);
      out.orderbook.push(encode('orderbook', ob, 'SIMPLE'));
      def.orderbook.push(encode('orderbook', ob, 'DEFAULT'));
    }
  }
  const name = variant === 'upbit' ? 'upbit' : 'bithumb v1';
  const base = { plugin: variant, options: variant === 'bithumb' ? { api: 'v1' } : {}, symbols };
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
