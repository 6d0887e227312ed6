// The premium board of the monitor page: one row per base asset, one column group per pair (market exchange against
// reference), the USDT basis (pu) and the FX basis (pf) side by side, each cell coloured by the premium's size.
// A self-contained ES module: createPremiumBoard(container) returns { update(record), element }.

const PAIR_SEP = ' vs ';
/** a premium of this size (either sign) gets the strongest colour */
const FULL_SCALE = 0.05;

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined && text !== null) e.textContent = String(text);
  return e;
}
const num = (v) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** +1.23 % style text, or an en dash for an absent value */
export function formatPremium(v) {
  v = num(v);
  if (v === undefined) return '–';
  const p = v * 100;
  return (p > 0 ? '+' : p < 0 ? '−' : '') + Math.abs(p).toFixed(2) + '%';
}

/** background colour for a premium: red above parity, blue below, stronger with size; none when absent */
export function premiumColour(v) {
  v = num(v);
  if (v === undefined) return '';
  const a = Math.min(1, Math.abs(v) / FULL_SCALE);
  const alpha = (0.12 + 0.58 * a).toFixed(3);
  return v >= 0 ? `rgba(248, 81, 73, ${alpha})` : `rgba(88, 166, 255, ${alpha})`;
}

const STYLE = `
.pb-table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
.pb-table th, .pb-table td { padding: 3px 6px; text-align: right; white-space: nowrap; border-bottom: 1px solid #262d38; }
.pb-table th { color: #8b95a1; font-weight: 500; }
.pb-table th[scope=row] { text-align: left; color: #d6dde6; font-weight: 600; }
.pb-table th[scope=colgroup] { text-align: center; color: #d6dde6; font-weight: 600; border-left: 1px solid #262d38; }
.pb-table td.pb-pu { border-left: 1px solid #262d38; }
.pb-table td { color: #f0f3f6; font-weight: 600; }
.pb-table td.pb-none { color: #8b95a1; font-weight: 400; }
.pb-empty { color: #8b95a1; text-align: center; padding: 12px; }
.pb-note { color: #8b95a1; margin: 4px 0 0; font-size: 11px; }
`;

export function createPremiumBoard(container) {
  // a constructed style sheet: the page's CSP admits no injected <style> element
  if (!document.adoptedStyleSheets.some((s) => s.premiumBoard)) {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(STYLE);
    sheet.premiumBoard = true;
    document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
  }
  const table = el('table', 'pb-table');
  const thead = el('thead');
  const tbody = el('tbody');
  table.append(thead, tbody);
  const empty = el('p', 'pb-empty', 'waiting for premium records…');
  const note = el('p', 'pb-note', 'USDT: against the exchange’s own USDT/KRW · FX: against the USD/KRW rate · same-quote pairs are a plain ratio');
  container.replaceChildren(table, empty, note);
  /** pair ids in column order, e.g. "upbit vs binance" */
  const pairs = [];
  /** base → { tr, cells: Map(pair → { pu, pf }) } */
  const rows = new Map();
  const latest = new Map();

  function rebuildHead() {
    const top = el('tr');
    const sub = el('tr');
    const corner = el('th', null, 'Asset');
    corner.scope = 'col';
    corner.rowSpan = 2;
    top.append(corner);
    for (const p of pairs) {
      const th = el('th', null, p);
      th.scope = 'colgroup';
      th.colSpan = 2;
      top.append(th);
      for (const t of ['USDT', 'FX']) {
        const h = el('th', null, t);
        h.scope = 'col';
        sub.append(h);
      }
    }
    thead.replaceChildren(top, sub);
  }

  function row(base) {
    let r = rows.get(base);
    if (r) return r;
    r = { tr: el('tr'), cells: new Map() };
    r.tr.dataset.base = base;
    const th = el('th', null, base);
    th.scope = 'row';
    r.tr.append(th);
    rows.set(base, r);
    const after = [...rows.keys()].filter((b) => b > base).sort()[0];
    tbody.insertBefore(r.tr, after ? rows.get(after).tr : null);
    fill(r);
    return r;
  }

  /** makes sure a row has a cell pair for every known pair, in column order */
  function fill(r) {
    for (const p of pairs) {
      if (r.cells.has(p)) continue;
      const c = { pu: el('td', 'pb-pu pb-none', '–'), pf: el('td', 'pb-pf pb-none', '–') };
      c.pu.dataset.pair = p;
      c.pf.dataset.pair = p;
      r.cells.set(p, c);
    }
    const th = r.tr.firstChild;
    r.tr.replaceChildren(th, ...pairs.flatMap((p) => [r.cells.get(p).pu, r.cells.get(p).pf]));
  }

  function paint(cell, v, title) {
    cell.textContent = formatPremium(v);
    cell.style.backgroundColor = premiumColour(v);
    cell.classList.toggle('pb-none', num(v) === undefined);
    cell.title = title;
  }

  function update(r) {
    if (!r || r.ty !== 'premium' || typeof r.ex !== 'string' || typeof r.rex !== 'string' || typeof r.cd !== 'string') return;
    const pair = r.ex + PAIR_SEP + r.rex;
    if (!pairs.includes(pair)) {
      pairs.push(pair);
      rebuildHead();
      for (const x of rows.values()) fill(x);
    }
    const base = r.cd.split('/')[0];
    const cells = row(base).cells.get(pair);
    const facts = [`${r.ex} ${r.cd} ${r.tp ?? '?'}`, `${r.rex} ${r.rcd ?? ''} ${r.rtp ?? '?'}`];
    if (num(r.usdt) !== undefined) facts.push(`USDT ${r.usdt}`);
    if (num(r.fx) !== undefined) facts.push(`FX ${r.fx}`);
    paint(cells.pu, r.pu, facts.join(' · '));
    paint(cells.pf, r.pf, num(r.pf) === undefined && 'usdt' in r ? 'no FX rate (source down)' : facts.join(' · '));
    latest.set(pair + '|' + base, r);
    empty.hidden = true;
  }

  return { update, element: table, latest };
}
