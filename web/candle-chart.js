// The candle chart of the monitor page: loads a market's closed candles from /api/history, then follows the live
// candle records. Drawn with TradingView's lightweight-charts, served by the gateway from node_modules.
// A self-contained ES module: createCandleChart(container, { intervals }) returns { show(ex, cd, iv?), update(record) }.

import { CandlestickSeries, HistogramSeries, createChart } from '/vendor/lightweight-charts.mjs';

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined && text !== null) e.textContent = String(text);
  return e;
}
const num = (v) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const HISTORY_LIMIT = 500;

/** a candle record as the chart's bar and volume point (time in UTC seconds) */
function bar(r) {
  return { time: r.tms / 1000, open: r.op, high: r.hp, low: r.lp, close: r.tp };
}
function volume(r) {
  return { time: r.tms / 1000, value: r.catv, color: r.tp >= r.op ? 'rgba(63,185,80,.45)' : 'rgba(248,81,73,.45)' };
}
const valid = (r) => r && r.ty === 'candle' && [r.tms, r.op, r.hp, r.lp, r.tp, r.catv].every((v) => num(v) !== undefined);

export function createCandleChart(container, opts = {}) {
  const intervals = Array.isArray(opts.intervals) && opts.intervals.length ? opts.intervals : ['1m'];
  const head = el('div', 'cc-head');
  head.style.cssText = 'display:flex;gap:8px;align-items:center;margin-bottom:6px;color:#8b95a1';
  const title = el('span', 'cc-title', 'select a market');
  title.style.cssText = 'color:#d6dde6;font-weight:600';
  const buttons = el('span', 'cc-intervals');
  const status = el('span', 'cc-status');
  const credit = el('a', 'cc-credit', 'Charts by TradingView');
  credit.href = 'https://www.tradingview.com/';
  credit.target = '_blank';
  credit.rel = 'noopener';
  credit.style.cssText = 'margin-left:auto;color:#8b95a1;font-size:11px';
  head.append(title, buttons, status, credit);
  const box = el('div', 'cc-box');
  box.style.cssText = 'height:280px;position:relative';
  container.replaceChildren(head, box);

  const chart = createChart(box, {
    autoSize: true,
    // the library's own logo injects a <style> element, which the page's CSP refuses: the attribution its licence
    // asks for is the text link in the header instead
    layout: { background: { color: '#161b22' }, textColor: '#8b95a1', attributionLogo: false },
    grid: { vertLines: { color: '#1f2630' }, horzLines: { color: '#1f2630' } },
    timeScale: { timeVisible: true, secondsVisible: true },
    rightPriceScale: { borderColor: '#262d38' },
  });
  const candles = chart.addSeries(CandlestickSeries, {
    upColor: '#3fb950', downColor: '#f85149', borderVisible: false, wickUpColor: '#3fb950', wickDownColor: '#f85149',
  });
  const volumes = chart.addSeries(HistogramSeries, { priceFormat: { type: 'volume' }, priceScaleId: 'vol' });
  chart.priceScale('vol').applyOptions({ scaleMargins: { top: 0.8, bottom: 0 } });

  const state = { ex: undefined, cd: undefined, iv: intervals[0], lastTime: 0, bars: 0, loading: 0, pending: [] };

  function renderButtons() {
    buttons.replaceChildren(
      ...intervals.map((iv) => {
        const b = el('button', 'cc-iv', iv);
        b.type = 'button';
        b.dataset.iv = iv;
        b.style.cssText = `background:${iv === state.iv ? '#1f2b3a' : 'transparent'};color:#d6dde6;border:1px solid #262d38;border-radius:4px;padding:0 6px;cursor:pointer`;
        b.addEventListener('click', () => show(state.ex, state.cd, iv));
        return b;
      }),
    );
  }

  /** decimals that suit the market's price level (KRW markets in whole won, cheap coins with more digits) */
  function fitPrecision(price) {
    const precision = price >= 1000 ? 0 : price >= 1 ? 2 : price >= 0.01 ? 4 : 8;
    candles.applyOptions({ priceFormat: { type: 'price', precision, minMove: 1 / 10 ** precision } });
    state.precisionSet = true;
  }

  function apply(r) {
    if (!state.precisionSet) fitPrecision(r.tp);
    const t = r.tms / 1000;
    if (t < state.lastTime) return; // older than what is drawn
    candles.update(bar(r));
    volumes.update(volume(r));
    if (t > state.lastTime) state.bars++;
    state.lastTime = t;
  }

  /** shows a market: its history first, then the live records (those arriving meanwhile are applied after) */
  async function show(ex, cd, iv = state.iv) {
    if (!ex || !cd) return;
    Object.assign(state, { ex, cd, iv, lastTime: 0, bars: 0, pending: [], precisionSet: false });
    const token = ++state.loading;
    title.textContent = `${ex} ${cd}`;
    renderButtons();
    status.textContent = 'loading…';
    candles.setData([]);
    volumes.setData([]);
    let history = [];
    try {
      const q = new URLSearchParams({ type: 'candle', exchange: ex, symbol: cd, interval: iv, limit: String(HISTORY_LIMIT) });
      const res = await fetch(`/api/history?${q}`, { cache: 'no-store' });
      if (res.ok) history = await res.json();
      else status.textContent = `history: ${res.status}`;
    } catch {
      status.textContent = 'history unavailable';
    }
    if (token !== state.loading) return;
    const rows = Array.isArray(history) ? history.filter(valid) : [];
    if (rows.length) fitPrecision(rows[rows.length - 1].tp);
    candles.setData(rows.map(bar));
    volumes.setData(rows.map(volume));
    state.bars = rows.length;
    state.lastTime = rows.length ? rows[rows.length - 1].tms / 1000 : 0;
    const pending = state.pending;
    state.pending = undefined;
    for (const r of pending) apply(r);
    status.textContent = `${rows.length} closed from history`;
    chart.timeScale().scrollToRealTime();
  }

  function update(r) {
    if (!valid(r) || r.ex !== state.ex || r.cd !== state.cd || r.iv !== state.iv) return;
    if (state.pending) state.pending.push(r);
    else apply(r);
  }

  renderButtons();
  return { show, update, chart, series: candles, state };
}
