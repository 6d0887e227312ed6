// Every configurable limit, each refused and counted in metrics: connections per client address, total clients,
// control-message rate (RATE_LIMITED then 1008), keys per subscription, HTTP body size, the Origin allow-list;
// and the monitor page's security headers.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect } from 'node:net';
import { TestClient, waitFor } from '../support/client.ts';
import { startFeedServer } from '../support/feed-server.ts';
import type { FeedServer } from '../support/feed-server.ts';
import { TEST_PLUGINS_DIR, startGateway } from '../support/gateway.ts';

function refusal(url: string, opts: Parameters<typeof TestClient.connect>[1] = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  return TestClient.connect(url, opts).then(
    (c) => {
      void c.close();
      throw new Error('expected the upgrade to be refused');
    },
    (err: { status?: number; body?: string }) => ({ status: err.status ?? 0, body: err.body ? (JSON.parse(err.body) as Record<string, unknown>) : {} }),
  );
}

const from = (ip: string) => ({ headers: { 'x-forwarded-for': ip } });

describe('limits', () => {
  let feed: FeedServer;
  let gw: Awaited<ReturnType<typeof startGateway>>;
  const metric = (reason: string, where = 'ws') => {
    const m = new RegExp(`gateway_security_refusals_total\\{reason="${reason}",where="${where}"\\} (\\d+)`).exec(gw.kernel.metrics.render());
    return m ? Number(m[1]) : 0;
  };

  before(async () => {
    feed = await startFeedServer();
    gw = await startGateway(
      {
        server: { host: '127.0.0.1', port: 0, trustProxy: ['127.0.0.1'], allowedOrigins: ['http://good.example'] },
        limits: { connectionsPerIp: 3, clients: 6, controlPerSecond: 2, controlBurst: 5, keysPerSubscription: 3, httpBodyBytes: 1024, authTimeoutMs: 1500 },
        exchanges: { feed: { url: feed.url, symbols: ['BTC/KRW', 'ETH/KRW'], channels: ['trade'], reconnect: { initialDelayMs: 50, maxDelayMs: 200 } } },
      },
      { pluginsDir: TEST_PLUGINS_DIR },
    );
    await waitFor(() => feed.sockets.size === 1, 10_000, 'worker connection');
  });

  after(async () => {
    await gw?.kernel.close();
    await feed?.close();
  });

  it('refuses a connection over limits.connectionsPerIp with 429 and frees the slot when one closes', async () => {
    const open = await Promise.all([1, 2, 3].map(() => TestClient.connect(gw.ws, from('198.51.100.1'))));
    const r = await refusal(gw.ws, from('198.51.100.1'));
    assert.equal(r.status, 429);
    assert.equal(r.body.error, 'LIMIT_EXCEEDED');
    const other = await TestClient.connect(gw.ws, from('198.51.100.2'));
    assert.equal(metric('ip_limit'), 1);
    await open[0]!.close();
    const again = await waitFor(() => TestClient.connect(gw.ws, from('198.51.100.1')).catch(() => undefined), 10_000, 'a freed slot');
    await Promise.all([...open.slice(1), other, again].map((c) => c!.close()));
  });

  it('refuses a connection over limits.clients with 503', async () => {
    await waitFor(() => /gateway_ws_open_connections 0/.test(gw.kernel.metrics.render()), 10_000, 'all closed');
    const open = await Promise.all([1, 2, 3, 4, 5, 6].map((i) => TestClient.connect(gw.ws, from(`203.0.113.${i}`))));
    const r = await refusal(gw.ws, from('203.0.113.99'));
    assert.equal(r.status, 503);
    assert.equal(metric('client_limit'), 1);
    await Promise.all(open.map((c) => c.close()));
    await waitFor(() => /gateway_ws_open_connections 0/.test(gw.kernel.metrics.render()), 10_000, 'all closed');
  });

  it('answers a control-message flood with RATE_LIMITED and close 1008, while another client keeps receiving', async () => {
    const flooder = await TestClient.connect(`${gw.ws}?snapshot=false`);
    const calm = await TestClient.connect(`${gw.ws}?snapshot=false`);
    for (let i = 0; i < 50; i++) flooder.send({ method: 'ping', id: i });
    await flooder.closed();
    assert.equal(flooder.closeCode, 1008);
    const err = flooder.frames.find((f) => f.event === 'error');
    assert.equal(err?.code, 'RATE_LIMITED');
    assert.ok(flooder.frames.filter((f) => f.event === 'pong').length <= 5, 'no more answers than the burst allows');
    assert.equal(metric('rate_limited'), 1);
    feed.push(JSON.stringify({ sym: 'BTC/KRW', p: 42, q: 1, ts: Date.now() }));
    await calm.next((f) => f.tp === 42);
    calm.send({ method: 'ping', id: 'still' });
    await calm.next((f) => f.event === 'pong' && f.id === 'still');
    await calm.close();
  });

  it('refuses more than limits.keysPerSubscription values, on connect (400) and in subscribe (error, connection kept)', async () => {
    const r = await refusal(`${gw.ws}?symbol=BTC/KRW,ETH/KRW&type=trade&exchange=feed`);
    assert.equal(r.status, 400);
    assert.equal(r.body.error, 'LIMIT_EXCEEDED');
    const c = await TestClient.connect(`${gw.ws}?snapshot=false`);
    c.send({ method: 'subscribe', symbol: Array.from({ length: 4 }, (_, i) => `X${i}/KRW`), id: 'big' });
    const err = await c.next((f) => f.event === 'error');
    assert.equal(err.code, 'LIMIT_EXCEEDED');
    assert.equal(err.id, 'big');
    c.send({ method: 'subscribe', symbol: ['BTC/KRW'], type: 'trade', snapshot: false, id: 'ok' });
    await c.next((f) => f.event === 'subscribed' && f.id === 'ok');
    assert.ok(metric('too_many_keys') >= 2);
    await c.close();
  });

  it('refuses an HTTP body over limits.httpBodyBytes with 413', async () => {
    const res = await fetch(`${gw.http}/api/subscriptions`, { method: 'POST', body: JSON.stringify({ exchange: 'feed', add: ['A'.repeat(2000)] }) });
    assert.equal(res.status, 413);
    assert.equal(((await res.json()) as { error: string }).error, 'PAYLOAD_TOO_LARGE');
    assert.equal(metric('body_too_large', 'http'), 1);
    assert.match(gw.kernel.metrics.render(), /gateway_http_responses_total\{code="413"\} 1/);
  });

  it('admits browsers only from server.allowedOrigins; clients without Origin are not browsers and pass', async () => {
    const r = await refusal(gw.ws, { headers: { origin: 'http://evil.example' } });
    assert.equal(r.status, 403);
    assert.equal(metric('origin'), 1);
    const good = await TestClient.connect(gw.ws, { headers: { origin: 'http://good.example' } });
    const none = await TestClient.connect(gw.ws);
    // the gateway's own monitor page is always allowed
    const own = await TestClient.connect(gw.ws, { headers: { origin: `http://127.0.0.1:${gw.kernel.port}` } });
    await Promise.all([good.close(), none.close(), own.close()]);
  });

  it('closes a TCP connection that sends no complete request within limits.authTimeoutMs; open WebSockets stay', async () => {
    const ws = await TestClient.connect(`${gw.ws}?snapshot=false`);
    const started = Date.now();
    const idle = connect({ host: '127.0.0.1', port: gw.kernel.port });
    let answer = '';
    idle.on('data', (d) => (answer += d.toString()));
    idle.on('error', () => {});
    await once(idle, 'close');
    assert.ok(Date.now() - started >= 1400, 'not before the timeout');
    assert.match(answer, /^HTTP\/1\.1 408/);
    assert.match(gw.kernel.metrics.render(), /gateway_http_protocol_errors_total\{code="ERR_HTTP_REQUEST_TIMEOUT"\} 1/);
    ws.send({ method: 'ping', id: 'alive' });
    await ws.next((f) => f.event === 'pong' && f.id === 'alive');
    await ws.close();
  });

  it('serves the monitor page with a CSP, nosniff, frame-ancestors and Referrer-Policy', async () => {
    const res = await fetch(`${gw.http}/`);
    assert.equal(res.status, 200);
    const csp = res.headers.get('content-security-policy') ?? '';
    assert.match(csp, /default-src 'self'/);
    // the page's scripts are same-origin modules (web/*.js); its one inline style block is allowed by its hash
    assert.match(csp, /script-src 'self'(;| 'sha256-)/, 'scripts from the page\'s own origin only');
    assert.match(csp, /style-src 'self' 'sha256-[A-Za-z0-9+/=]+'/, 'inline blocks are allowed by hash, not unsafe-inline');
    assert.ok(!csp.includes('unsafe-inline'));
    assert.match(csp, /frame-ancestors 'none'/);
    assert.match(csp, new RegExp(`connect-src 'self' ws://127\\.0\\.0\\.1:${gw.kernel.port}`));
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(res.headers.get('referrer-policy'), 'no-referrer');
    assert.equal(res.headers.get('x-frame-options'), 'DENY');
    assert.equal((await fetch(`${gw.http}/health`)).headers.get('x-content-type-options'), 'nosniff');
  });
});
