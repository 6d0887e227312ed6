// Stream health per exchange from the gateway's status events (up / degraded / down, since, reason) and resync counts.

import { $, badge, byEx, el, fmtAge, fmtInt, fmtTime } from './util.js';
import { S, registerPanel } from './state.js';

const CLS = { up: 'ok', degraded: 'wait', down: 'bad' };
let dirty = false;

function render() {
  const body = $('streams').tBodies[0], rows = [];
  for (const ex of [...S.streams.keys()].sort(byEx)) {
    const s = S.streams.get(ex), tr = el('tr');
    tr.dataset.ex = ex;
    tr.dataset.state = s.stale ? 'unknown' : s.state;
    const name = el('th', null, ex); name.scope = 'row';
    const state = el('td', 'l');
    state.append(s.stale ? badge(`${s.state}?`, 'off') : badge(s.state, CLS[s.state] || 'off'));
    if (s.stale) state.title = 'last known: the page is not connected';
    const since = el('td', 'l', typeof s.since === 'number' ? fmtTime(s.since) : '');
    if (typeof s.since === 'number') since.title = `for ${fmtAge(Date.now() - s.since)}`;
    tr.append(name, state, since, el('td', 'l reason', s.reason ?? ''), el('td', null, fmtInt(S.resyncs.get(ex) ?? 0)));
    rows.push(tr);
  }
  if (!rows.length) { const tr = el('tr'), td = el('td', 'empty', 'no status yet'); td.colSpan = 5; tr.append(td); rows.push(tr); }
  body.replaceChildren(...rows);
}

registerPanel({
  event(ev) {
    if (ev.event === 'status' && typeof ev.exchange === 'string' && typeof ev.state === 'string') {
      S.streams.set(ev.exchange, { state: ev.state, since: ev.since, reason: typeof ev.reason === 'string' ? ev.reason : undefined });
      dirty = true;
    } else if (ev.event === 'resync' && typeof ev.exchange === 'string') {
      S.resyncs.set(ev.exchange, (S.resyncs.get(ev.exchange) ?? 0) + 1);
      dirty = true;
    } else if (ev.event === 'disconnected') {
      for (const s of S.streams.values()) s.stale = true;
      dirty = true;
    }
  },
  flush() {
    if (dirty) { dirty = false; render(); }
  },
});
