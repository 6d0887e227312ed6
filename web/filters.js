// The exchange check boxes and the symbol filter: they hide rows and columns, they never change the subscription.

import { $, byEx, el } from './util.js';
import { S, registerPanel, showEx } from './state.js';
import { applyExColumns, rowVisible } from './tickers.js';
import { rebuildTrades } from './trades.js';

export function renderExFilters() {
  const fs = $('ex-filters'), legend = fs.querySelector('legend'), boxes = [];
  for (const ex of [...S.knownEx].sort(byEx)) {
    const label = el('label'), box = el('input');
    box.type = 'checkbox'; box.checked = showEx(ex); box.dataset.ex = ex;
    label.append(box, ' ' + ex);
    boxes.push(label);
  }
  fs.replaceChildren(legend, ...boxes);
}
function applyFilters() {
  applyExColumns();
  for (const [cd, row] of S.rows) row.tr.hidden = !rowVisible(cd, row);
  rebuildTrades();
}
$('ex-filters').addEventListener('change', (e) => {
  const ex = e.target.dataset.ex;
  if (!ex) return;
  if (e.target.checked) S.excluded.delete(ex); else S.excluded.add(ex);
  applyFilters();
});
$('sym-filter').addEventListener('input', (e) => { S.sym = e.target.value.trim().toUpperCase(); applyFilters(); });

registerPanel({
  ingest(r) {
    const ex = String(r.ex ?? '?');
    if (!S.knownEx.has(ex)) { S.knownEx.add(ex); S.exDirty = true; }
  },
  flush() {
    if (S.exDirty) { S.exDirty = false; renderExFilters(); }
  },
});
