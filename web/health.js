// The infrastructure and per-connection panel, polled from /api/ws/infra-health.

import { $, badge, byEx, el, fmtAge, fmtInt, fmtTime, num } from './util.js';
import { S } from './state.js';
import { renderExFilters } from './filters.js';

const POLL_MS = 2000;
function infraBadge(name, v) {
  if (!v || typeof v !== 'object') return badge(name + ' ?', 'off');
  const label = name === 'bus' && v.kind ? `bus ${v.kind}` : name;
  if (v.enabled === false) return badge(label + ' off', 'off');
  return badge(label + (v.healthy ? ' ok' : ' down'), v.healthy ? 'ok' : 'bad');
}
function renderStatus(h) {
  $('infra').replaceChildren(...['bus', 'kafka', 'zookeeper', 'redis'].map((n) => infraBadge(n, h[n])), badge(`clients ${fmtInt(h.clients)}`, 'off'));
  const exs = h.exchanges && typeof h.exchanges === 'object' ? h.exchanges : {};
  for (const ex of Object.keys(exs)) if (!S.knownEx.has(ex)) { S.knownEx.add(ex); S.exDirty = true; }
  if (S.exDirty) { S.exDirty = false; renderExFilters(); }
  const table = el('table'), head = el('tr'), body = el('tbody');
  for (const t of ['Exchange', 'Status', 'Worker', 'Conn.', 'State', 'Epoch', 'Msgs', 'Reconn.', 'Errors', 'Last msg']) {
    const th = el('th', 'l', t); th.scope = 'col'; head.append(th);
  }
  const thead = el('thead'); thead.append(head); table.append(thead, body);
  for (const ex of Object.keys(exs).sort(byEx)) {
    const e = exs[ex] || {}, conns = Array.isArray(e.connections) && e.connections.length ? e.connections : [{}];
    conns.forEach((c, i) => {
      const tr = el('tr');
      tr.dataset.ex = ex;
      if (i === 0) {
        const name = el('th', null, ex); name.scope = 'row'; name.rowSpan = conns.length;
        const st = el('td', 'l'); st.rowSpan = conns.length;
        st.append(badge(e.connected ? 'connected' : 'disconnected', e.connected ? 'ok' : 'bad'), badge(e.healthy ? 'healthy' : 'unhealthy', e.healthy ? 'ok' : 'wait'));
        if (e.lastError) st.title = `${e.lastError.code}: ${e.lastError.message}`;
        const w = el('td', 'l', `${e.worker ?? '?'}` + (e.restarts ? ` (${e.restarts} restarts)` : '')); w.rowSpan = conns.length;
        tr.append(name, st, w);
      }
      const errs = c.errors && typeof c.errors === 'object' ? Object.entries(c.errors) : [];
      const errTd = el('td', errs.some(([, n]) => n > 0) ? 'bad' : null, fmtInt(errs.reduce((s, [, n]) => s + (num(n) || 0), 0)));
      errTd.title = errs.map(([k, n]) => `${k}: ${n}`).join(', ');
      const ep = el('td', null, num(c.ep) ? fmtTime(c.ep) : '–'); ep.title = num(c.ep) ? `ep ${c.ep}` : '';
      tr.append(el('td', 'l', c.name ?? '–'), el('td', 'l ' + (c.state === 'open' ? 'ok' : 'wait'), c.state ?? '–'), ep,
        el('td', null, fmtInt(c.messages)), el('td', null, fmtInt(c.reconnects)), errTd, el('td', null, c.name ? fmtAge(c.lastMessageAgeMs) : '–'));
      body.append(tr);
    });
  }
  if (!body.rows.length) { const tr = el('tr'), td = el('td', 'empty', 'no exchanges enabled'); td.colSpan = 10; tr.append(td); body.append(tr); }
  $('status').replaceChildren(table);
}
export async function poll() {
  try {
    const res = await fetch('/api/ws/infra-health', { cache: 'no-store' });
    renderStatus(await res.json());
  } catch {
    $('infra').replaceChildren(badge('gateway unreachable', 'bad'));
  }
  setTimeout(poll, POLL_MS);
}

