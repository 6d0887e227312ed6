// The monitor page's shared state and its render loop: panels register here and are flushed once per animation frame.

export const S = {
  tickers: new Map(), books: new Map(), rows: new Map(), tickerEx: [], knownEx: new Set(), excluded: new Set(), sym: '',
  trades: [], pending: [], dirty: new Set(), bookDirty: false, exDirty: false, selected: null,
  streams: new Map(), resyncs: new Map(), gaps: 0, count: 0, frame: 0,
};
export const showEx = (ex) => !S.excluded.has(ex);
export const showSym = (cd) => !S.sym || cd.toUpperCase().includes(S.sym);

/**
 * A panel of the page (ticker table, trades, a premium board, a chart...): `ingest(record)` is called for every
 * record the page receives (records are untrusted: check types), `flush()` once per animation frame after records
 * came, and `event(ev)` (optional) for the gateway's control events (status, resync, gap).
 */
const panels = [];
export function registerPanel(panel) {
  panels.push(panel);
}

function flush() {
  S.frame = 0;
  for (const p of panels) p.flush?.();
}
export function schedule() {
  if (!S.frame) S.frame = requestAnimationFrame(flush);
}
export function dispatch(r) {
  for (const p of panels) p.ingest?.(r);
  schedule();
}
export function dispatchEvent(ev) {
  for (const p of panels) p.event?.(ev);
  schedule();
}
