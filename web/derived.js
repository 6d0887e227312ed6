// The monitor page's cross-exchange panel (docs/derived.md): shown when the gateway runs the derived stage, it feeds
// premium records to the premium board and candle records to the chart, which follows the selected market.

import { createCandleChart } from './candle-chart.js';
import { createPremiumBoard } from './premium-board.js';
import { S, registerPanel } from './state.js';

const derived = await fetch('/api/derived', { cache: 'no-store' }).then((r) => (r.ok ? r.json() : null)).catch(() => null);
if (derived) {
  const board = derived.premium.length ? createPremiumBoard(document.getElementById('premium')) : null;
  const chart = derived.candles.intervals.length ? createCandleChart(document.getElementById('chart'), { intervals: derived.candles.intervals }) : null;
  document.getElementById('premium-section').hidden = !board;
  document.getElementById('chart-section').hidden = !chart;
  // the chart starts on the first premium market (or nothing), then follows the market clicked in the ticker table
  const first = derived.premium[0];
  if (chart && first) chart.show(first.exchange, first.symbol);
  let shown = null;
  registerPanel({
    ingest(r) {
      if (r.ty === 'premium') board?.update(r);
      else if (r.ty === 'candle') chart?.update(r);
    },
    flush() {
      if (chart && S.selected && S.selected !== shown) {
        shown = S.selected;
        void chart.show(shown.ex, shown.cd);
      }
    },
  });
  // test hook (test/web/derived.test.ts)
  window.__derived = { board, chart };
}
