// The ticker table: one row per market, one column group per exchange; only changed cells are touched.

import { $, byEx, byMarket, el, fmtPct, fmtPrice, fmtSize, fmtVol, num } from './util.js';
import { S, registerPanel, showEx, showSym } from './state.js';
import { renderBook } from './book.js';

function flushTickers() {
  let grow = false;
  for (const k of S.dirty) { const ex = k.slice(0, k.indexOf('|')); if (!S.tickerEx.includes(ex)) { S.tickerEx.push(ex); grow = true; } }
  if (grow) { S.tickerEx.sort(byEx); rebuildTable(); }
  for (const k of S.dirty) {
    const r = S.tickers.get(k), i = k.indexOf('|'), ex = k.slice(0, i), cd = k.slice(i + 1);
    const row = S.rows.get(cd) || addRow(cd), c = row.cells.get(ex);
    if (!row.exs.has(ex)) { row.exs.add(ex); row.tr.hidden = !rowVisible(cd, row); }
    const tp = num(r.tp);
    c.price.textContent = fmtPrice(tp, cd);
    if (c.tp !== undefined && tp !== undefined && tp !== c.tp && r.st !== 'SNAPSHOT') flash(c.price, tp > c.tp);
    c.tp = tp;
    const [pct, cls] = fmtPct(r.scr);
    c.chg.textContent = pct;
    c.chg.className = 'chg ' + cls;
    c.vol.textContent = fmtVol(r.atp24h);
    c.vol.title = num(r.atv24h) === undefined ? '' : `24 h base volume ${fmtSize(r.atv24h)}`;
  }
  S.dirty.clear();
  $('tickers-empty').hidden = S.rows.size > 0;
}
function flash(cell, up) {
  if (cell.animate) cell.animate([{ backgroundColor: up ? 'rgba(63,185,80,.4)' : 'rgba(248,81,73,.4)' }, { backgroundColor: 'transparent' }], { duration: 600, easing: 'ease-out' });
}
function rebuildTable() {
  const table = $('tickers');
  for (const cg of table.querySelectorAll('colgroup')) cg.remove();
  const head = table.tHead, top = el('tr'), sub = el('tr'), first = el('colgroup');
  table.insertBefore(first, head);
  const m = el('th', 'l', 'Market'); m.scope = 'col'; m.rowSpan = 2; top.append(m);
  for (const ex of S.tickerEx) {
    const cg = el('colgroup'); cg.span = 3; table.insertBefore(cg, head);
    const th = el('th', null, ex); th.scope = 'colgroup'; th.colSpan = 3; th.dataset.ex = ex; top.append(th);
    for (const [t, cls] of [['Price', ''], ['Chg', ''], ['Vol 24h', 'vol']]) { const h = el('th', cls, t); h.scope = 'col'; h.dataset.ex = ex; sub.append(h); }
  }
  head.replaceChildren(top, sub);
  const cds = [...S.rows.keys()];
  S.rows.clear();
  table.tBodies[0].replaceChildren();
  for (const cd of cds.sort(byMarket)) addRow(cd);
  for (const k of S.tickers.keys()) S.dirty.add(k);
  applyExColumns();
}
function addRow(cd) {
  const tr = el('tr'), row = { tr, cells: new Map(), exs: new Set() };
  tr.dataset.cd = cd;
  tr.tabIndex = 0;
  const th = el('th', null, cd); th.scope = 'row'; tr.append(th);
  for (const ex of S.tickerEx) {
    const c = { price: el('td', 'price'), chg: el('td', 'chg'), vol: el('td', 'vol'), tp: undefined };
    for (const td of [c.price, c.chg, c.vol]) { td.dataset.ex = ex; td.hidden = !showEx(ex); tr.append(td); }
    row.cells.set(ex, c);
    const t = S.tickers.get(ex + '|' + cd);
    if (t) row.exs.add(ex);
  }
  tr.hidden = !rowVisible(cd, row);
  if (S.selected && S.selected.cd === cd) tr.classList.add('sel');
  const body = $('tickers').tBodies[0];
  const before = [...S.rows.keys()].filter((o) => byMarket(o, cd) > 0).sort(byMarket)[0];
  body.insertBefore(tr, before ? S.rows.get(before).tr : null);
  S.rows.set(cd, row);
  return row;
}
export const rowVisible = (cd, row) => showSym(cd) && (row.exs.size === 0 || [...row.exs].some(showEx));
export function applyExColumns() {
  for (const node of $('tickers').querySelectorAll('[data-ex]')) node.hidden = !showEx(node.dataset.ex);
}

// Clicking a cell selects that exchange's market; the market name (or Enter) picks the first visible exchange.
function select(tr, ex) {
  const cd = tr.dataset.cd, row = S.rows.get(cd);
  ex = ex || [...S.tickerEx].find((e) => showEx(e) && row.exs.has(e));
  if (!ex) return;
  for (const r of S.rows.values()) r.tr.classList.remove('sel');
  tr.classList.add('sel');
  S.selected = { ex, cd, k: ex + '|' + cd };
  renderBook();
}
$('tickers').addEventListener('click', (e) => {
  const tr = e.target.closest('tbody tr'), td = e.target.closest('td[data-ex]');
  if (tr) select(tr, td && td.dataset.ex);
});
$('tickers').addEventListener('keydown', (e) => {
  if ((e.key === 'Enter' || e.key === ' ') && e.target.matches('tbody tr')) { e.preventDefault(); select(e.target); }
});


registerPanel({
  ingest(r) {
    if (r.ty !== 'ticker') return;
    const k = String(r.ex ?? '?') + '|' + String(r.cd ?? '?');
    S.tickers.set(k, r);
    S.dirty.add(k);
  },
  flush() {
    if (S.dirty.size) flushTickers();
  },
});
