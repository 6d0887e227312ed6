// Recent trades: newest first, new rows prepended, old rows dropped.

import { $, el, fmtPrice, fmtSize, fmtTime, pad } from './util.js';
import { S, registerPanel, showEx, showSym } from './state.js';

const MAX_TRADES = 30, TRADE_BUFFER = 300;
const tradeVisible = (t) => showEx(String(t.ex)) && showSym(String(t.cd));
function tradeRow(t) {
  const side = t.ab === 'BID' ? 'bid' : t.ab === 'ASK' ? 'ask' : '';
  const tr = el('tr', side + (t.st === 'SNAPSHOT' ? ' snap' : ''));
  tr.dataset.ex = String(t.ex); tr.dataset.cd = String(t.cd);
  const time = el('td', 'l', fmtTime(t.tms ?? t.rtms));
  if (time.textContent) time.append(el('span', 'ms', '.' + pad(new Date(t.tms ?? t.rtms).getMilliseconds(), 3)));
  tr.append(time, el('td', 'l name', t.ex), el('td', 'l name', t.cd), el('td', 'tp', fmtPrice(t.tp, t.cd)), el('td', null, fmtSize(t.tv)), el('td', 'side', side.toUpperCase()));
  return tr;
}
function flushTrades() {
  const body = $('trades').tBodies[0], fresh = S.pending.filter(tradeVisible).slice(-MAX_TRADES), frag = document.createDocumentFragment();
  S.pending = [];
  for (let i = fresh.length - 1; i >= 0; i--) frag.append(tradeRow(fresh[i]));
  body.prepend(frag);
  while (body.rows.length > MAX_TRADES) body.lastElementChild.remove();
}
export function rebuildTrades() {
  S.pending = [];
  const rows = [];
  for (let i = S.trades.length - 1; i >= 0 && rows.length < MAX_TRADES; i--) if (tradeVisible(S.trades[i])) rows.push(tradeRow(S.trades[i]));
  $('trades').tBodies[0].replaceChildren(...rows);
}


registerPanel({
  ingest(r) {
    if (r.ty !== 'trade') return;
    // A reconnect without resume replays the latest trade per key: skip the ones already shown.
    if (r.st === 'SNAPSHOT' && S.trades.some((t) => t.ex === r.ex && t.cd === r.cd && t.ep === r.ep && t.sq === r.sq)) return;
    S.trades.push(r);
    if (S.trades.length > TRADE_BUFFER) S.trades.splice(0, S.trades.length - TRADE_BUFFER);
    S.pending.push(r);
  },
  flush() {
    if (S.pending.length) flushTrades();
  },
});
