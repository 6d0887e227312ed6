// The order book of the selected market: asks (best at the bottom) above bids.

import { $, el, fmtPrice, fmtSize, fmtTime, num } from './util.js';
import { S, registerPanel } from './state.js';

const BOOK_LEVELS = 10;
export function renderBook() {
  const body = $('book').tBodies[0], cap = $('book-caption'), sel = S.selected;
  if (!sel) return;
  const b = S.books.get(sel.k);
  cap.textContent = `${sel.ex} ${sel.cd}` + (b ? ` · ${fmtTime(b.tms)}` : '');
  if (!b || !Array.isArray(b.obu)) {
    const td = el('td', 'empty', 'no order book yet'); td.colSpan = 2;
    const tr = el('tr'); tr.append(td); body.replaceChildren(tr);
    return;
  }
  const units = b.obu.slice(0, BOOK_LEVELS).filter((u) => u && typeof u === 'object');
  let max = 0;
  for (const u of units) max = Math.max(max, num(u.as) || 0, num(u.bs) || 0);
  const line = (cls, p, s) => {
    const tr = el('tr', cls), pct = max ? Math.min(100, ((num(s) || 0) / max) * 100).toFixed(1) : 0;
    const colour = cls === 'ask' ? 'rgba(248,81,73,.18)' : 'rgba(63,185,80,.18)';
    tr.style.backgroundImage = `linear-gradient(to left, ${colour} ${pct}%, transparent ${pct}%)`; // depth bar, from numbers only
    tr.append(el('td', null, fmtPrice(p, sel.cd)), el('td', null, fmtSize(s)));
    return tr;
  };
  const rows = [];
  for (let i = units.length - 1; i >= 0; i--) if (num(units[i].ap) !== undefined) rows.push(line('ask', units[i].ap, units[i].as));
  const best = units[0] || {}, ap = num(best.ap), bp = num(best.bp);
  if (ap !== undefined && bp !== undefined) {
    const td = el('td', null, `spread ${fmtPrice(ap - bp, sel.cd)} (${(((ap - bp) / ap) * 100).toFixed(3)}%)`); td.colSpan = 2;
    const tr = el('tr', 'spread'); tr.append(td); rows.push(tr);
  }
  for (const u of units) if (num(u.bp) !== undefined) rows.push(line('bid', u.bp, u.bs));
  body.replaceChildren(...rows);
}


registerPanel({
  ingest(r) {
    if (r.ty !== 'orderbook') return;
    const k = String(r.ex ?? '?') + '|' + String(r.cd ?? '?');
    S.books.set(k, r);
    if (S.selected && S.selected.k === k) S.bookDirty = true;
  },
  event(ev) {
    if (ev.event === 'resync' && ev.type === 'orderbook' && S.selected && S.selected.k === ev.exchange + '|' + ev.symbol) S.bookDirty = true;
  },
  flush() {
    if (S.bookDirty) { S.bookDirty = false; renderBook(); }
  },
});
