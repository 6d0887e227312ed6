// The monitor page's entry module: one GatewayClient (the SDK, /web/sdk.js) feeds every panel; no other WebSocket code.

import { GatewayClient } from './sdk.js';
import { $, fmtInt } from './util.js';
import { S, dispatch, dispatchEvent } from './state.js';
import './tickers.js';
import './trades.js';
import './book.js';
import './filters.js';
import './streams.js';
import './derived.js';
import { poll } from './health.js';

/** Takes one record (already decoded) and hands it to every panel for the next animation frame. */
function ingest(r) {
  if (!r || typeof r !== 'object' || typeof r.ty !== 'string') return;
  S.count++;
  dispatch(r);
}
/** Takes one control event (status, resync, gap, disconnected). */
function event(ev) {
  if (!ev || typeof ev !== 'object' || typeof ev.event !== 'string') return;
  dispatchEvent(ev);
}

function setWs(text, cls) { const d = $('ws-status'); d.textContent = text; d.className = cls; }
let endpoint = '/ws/exchange';
async function loadInfo() {
  try {
    const info = await (await fetch('/ws/info', { cache: 'no-store' })).json();
    if (typeof info.endpoint === 'string' && info.endpoint.startsWith('/')) endpoint = info.endpoint;
    $('node').textContent = info.nodeId ?? '?'; $('mode').textContent = info.mode ?? '?'; $('role').textContent = info.role ?? '?';
  } catch { /* the gateway is down: the client's retry loop covers it */ }
}

await loadInfo();
// The full stream as JSON, snapshot first; on a reconnect the SDK resumes every key from its last (ep, sq).
const client = new GatewayClient({
  url: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${endpoint}`,
  reconnect: { initialDelayMs: 500, maxDelayMs: 10000, jitter: 0.4 },
});
client.on('record', ingest);
client.on('status', event);
client.on('resync', event);
client.on('gap', (g) => { S.gaps++; event({ event: 'gap', ...g }); });
client.on('open', () => { setWs('connected', 'ok'); loadInfo(); });
client.on('close', (e) => {
  setWs(e.reconnectInMs === undefined ? 'closed' : `reconnecting in ${(e.reconnectInMs / 1000).toFixed(1)} s`, 'bad');
  event({ event: 'disconnected' });
});
client.on('error', (e) => { if (e.code !== 'WEBSOCKET') console.warn('gateway:', e.code, e.message); });

let lastCount = 0;
setInterval(() => { $('rate').textContent = fmtInt(S.count - lastCount); lastCount = S.count; $('gaps').textContent = fmtInt(S.gaps); }, 1000);

// Test hook (test/web/monitor.test.ts): feeds records and events through the same path as the client's.
window.__monitor = { ingest, event, state: S, client };
client.start();
poll();
