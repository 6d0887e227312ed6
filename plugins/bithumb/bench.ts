// Benchmark frames of the Bithumb plugin (bench/lib/frames.ts finds this file): v1 (the Upbit format with Bithumb's
// quirks) and legacy `/pub/ws` transaction, 24H ticker and orderbookdepth diffs with the REST snapshot.

import { BASES, benchMarkets, STEP_MS, T0 } from '../../bench/lib/frame-set.ts';
import type { FrameSet } from '../../bench/lib/frame-set.ts';
import { BITHUMB_RULES } from '../../sim/venue-rules.ts';
import { upbitFormatSets } from '../_upbit-format/sim-bench.ts';
import { depthItems, restLevels, tickerContent, transactionItem } from './sim-legacy-messages.ts';

function legacySets(n: number): FrameSet[] {
  const ms = benchMarkets(BITHUMB_RULES, 'KRW', BASES, 1);
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

export default (n: number): FrameSet[] => [...upbitFormatSets('bithumb', n), ...legacySets(n)];
