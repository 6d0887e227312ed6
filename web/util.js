// Shared helpers of the monitor page: DOM building (text only, never markup), sorting and number formatting.
// Everything from the wire is untrusted: it reaches the DOM only through textContent, never innerHTML.

export const EX_ORDER = ['binance', 'upbit', 'bithumb'];
const FIAT_NO_DECIMALS = new Set(['KRW', 'JPY', 'IDR', 'VND']);
export const $ = (id) => document.getElementById(id);
export function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined && text !== null) e.textContent = String(text);
  return e;
}
export const num = (v) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
export const exRank = (ex) => { const i = EX_ORDER.indexOf(ex); return i < 0 ? EX_ORDER.length : i; };
export const byEx = (a, b) => exRank(a) - exRank(b) || (a < b ? -1 : a > b ? 1 : 0);
const QUOTE_RANK = ['KRW', 'USDT', 'USDC', 'USD', 'BTC'];
export function byMarket(a, b) {
  const [ab, aq = ''] = a.split('/'), [bb, bq = ''] = b.split('/');
  if (ab !== bb) return ab < bb ? -1 : 1;
  const ra = QUOTE_RANK.indexOf(aq) >>> 0, rb = QUOTE_RANK.indexOf(bq) >>> 0; // unknown quotes sort last
  return ra - rb || (aq < bq ? -1 : aq > bq ? 1 : 0);
}

// ---- number formatting (Intl formatters are costly to build, so they are cached) ----
const fmtCache = new Map();
export function nf(opts) {
  const k = JSON.stringify(opts);
  let f = fmtCache.get(k);
  if (!f) fmtCache.set(k, (f = new Intl.NumberFormat('en-US', opts)));
  return f;
}
export function fmtPrice(v, cd) {
  v = num(v);
  if (v === undefined) return '';
  const quote = String(cd).split('/')[1] || '', a = Math.abs(v);
  if (FIAT_NO_DECIMALS.has(quote)) return a >= 100 ? nf({ maximumFractionDigits: 0 }).format(v) : nf({ maximumSignificantDigits: 4 }).format(v);
  if (a >= 1000) return nf({ minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(v);
  if (a >= 1) return nf({ minimumFractionDigits: 2, maximumFractionDigits: 4 }).format(v);
  return nf({ minimumFractionDigits: 2, maximumSignificantDigits: 4 }).format(v);
}
export const fmtSize = (v) => (num(v) === undefined ? '' : nf({ maximumSignificantDigits: 6 }).format(v));
export const fmtVol = (v) => (num(v) === undefined ? '' : nf({ notation: 'compact', maximumFractionDigits: 2 }).format(v));
export const fmtInt = (v) => (num(v) === undefined ? '–' : nf({ maximumFractionDigits: 0 }).format(v));
export function fmtPct(scr) {
  scr = num(scr);
  if (scr === undefined) return ['', 'flat'];
  const p = scr * 100;
  return [(p > 0 ? '+' : '') + p.toFixed(2) + '%', p > 0 ? 'up' : p < 0 ? 'down' : 'flat'];
}
export const pad = (n, w = 2) => String(n).padStart(w, '0');
export function fmtTime(ms) {
  if (num(ms) === undefined) return '';
  const d = new Date(ms);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}
export function fmtAge(ms) {
  if (num(ms) === undefined) return 'never';
  return ms < 1000 ? `${Math.round(ms)} ms` : ms < 120000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 60000)} min`;
}

export function badge(text, cls) { return el('span', 'badge ' + cls, text); }

