// The kernel with a minimal test plugin: workers, fan-out protocol, crash restart, isolation between exchanges.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TestClient, waitFor } from '../support/client.ts';
import { startFeedServer } from '../support/feed-server.ts';
import type { FeedServer } from '../support/feed-server.ts';
import { TEST_PLUGINS_DIR, startGateway } from '../support/gateway.ts';

describe('gateway kernel with the feed test plugin', () => {
  let feed: FeedServer;
  let gw: Awaited<ReturnType<typeof startGateway>>;

  before(async () => {
    feed = await startFeedServer();
    gw = await startGateway(
      {
        exchanges: {
          feed: { url: feed.url, symbols: ['BTC/KRW', 'ETH/KRW'], channels: ['trade'], reconnect: { initialDelayMs: 50, maxDelayMs: 200 } },
        },
      },
      { pluginsDir: TEST_PLUGINS_DIR },
    );
    await waitFor(() => feed.sockets.size === 1, 10_000, 'worker connection');
  });

  after(async () => {
    await gw.kernel.close();
    await feed.close();
  });

  it('sends the plugin subscription frames when the worker connects', async () => {
    await waitFor(() => feed.received.length > 0, 5000, 'subscription');
    assert.deepEqual(JSON.parse(feed.received[0]!), { subscribe: ['BTC/KRW', 'ETH/KRW'] });
  });

  it('delivers records with ep and sq increasing by one per key to JSON and msgpack clients', async () => {
    const json = await TestClient.connect(`${gw.ws}?snapshot=false`);
    const pack = await TestClient.connect(`${gw.ws}?format=msgpack&snapshot=false`);
    const ts = Date.now();
    for (let i = 0; i < 5; i++) feed.push(JSON.stringify({ sym: 'BTC/KRW', p: 100 + i, q: 1, ts: ts + i, id: String(i) }));
    const a = await json.collect((f) => f.ty === 'trade', 5);
    const b = await pack.collect((f) => f.ty === 'trade', 5);
    assert.deepEqual(a, b);
    assert.ok(pack.binary.every(Boolean));
    assert.ok(json.binary.every((x) => !x));
    const sq = a.map((r) => r.sq as number);
    for (let i = 1; i < sq.length; i++) assert.equal(sq[i], sq[i - 1]! + 1);
    assert.equal(a[0]!.ex, 'feed');
    assert.equal(typeof a[0]!.ep, 'number');
    assert.equal(typeof a[0]!.rtms, 'number');
    await json.close();
    await pack.close();
  });

  it('replays the latest record per key as SNAPSHOT on connect, then live records with greater sq', async () => {
    feed.push(JSON.stringify({ sym: 'ETH/KRW', p: 5, q: 1, ts: Date.now() }));
    await waitFor(() => gw.kernel.store.size >= 2, 5000, 'store');
    const c = await TestClient.connect(gw.ws);
    const snaps = await c.collect((f) => f.st === 'SNAPSHOT', 2);
    const btc = snaps.find((s) => s.cd === 'BTC/KRW')!;
    feed.push(JSON.stringify({ sym: 'BTC/KRW', p: 200, q: 1, ts: Date.now() }));
    const live = await c.next((f) => f.cd === 'BTC/KRW' && f.st === undefined);
    assert.equal(live.sq, (btc.sq as number) + 1);
    assert.equal(live.ep, btc.ep);
    await c.close();
  });

  it('filters by symbol and changes the filter with a subscribe control message', async () => {
    const c = await TestClient.connect(`${gw.ws}?symbol=ETH/KRW&snapshot=false`);
    feed.push(JSON.stringify({ sym: 'BTC/KRW', p: 1, q: 1, ts: Date.now() }));
    feed.push(JSON.stringify({ sym: 'ETH/KRW', p: 2, q: 1, ts: Date.now() }));
    await c.next((f) => f.cd === 'ETH/KRW');
    assert.ok(!c.frames.some((f) => f.cd === 'BTC/KRW'));
    c.send({ method: 'subscribe', symbol: 'BTC/KRW', snapshot: false, id: 7 });
    const ack = await c.next((f) => f.event === 'subscribed');
    assert.deepEqual(ack, { event: 'subscribed', exchange: null, symbol: ['BTC/KRW'], type: null, depth: 15, interval: null, batch: false, id: 7 });
    feed.push(JSON.stringify({ sym: 'BTC/KRW', p: 3, q: 1, ts: Date.now() }));
    await c.next((f) => f.cd === 'BTC/KRW' && f.tp === 3);
    await c.close();
  });

  it('answers bad control messages with BAD_REQUEST and keeps the connection open', async () => {
    const c = await TestClient.connect(`${gw.ws}?snapshot=false`);
    const bad = ['not json', '[]', '{"method":"fly"}', '{"method":"subscribe","exchange":[]}', '{"method":"subscribe","exchange":"nope"}',
      '{"method":"subscribe","symbol":"btc-krw"}', '{"method":"subscribe","symbol":"DOGE/KRW"}', '{"method":"subscribe","type":"candle"}',
      '{"method":"subscribe","extra":1}'];
    for (const m of bad) c.send(m);
    const errors = await c.collect((f) => f.event === 'error', bad.length);
    for (const e of errors) {
      assert.equal(e.code, 'BAD_REQUEST');
      assert.equal(typeof e.message, 'string');
      assert.equal('ty' in e, false);
    }
    assert.match(errors[4]!.message as string, /nope/);
    assert.match(errors[6]!.message as string, /DOGE\/KRW/);
    c.send({ method: 'ping' });
    const pong = await c.next((f) => f.event === 'pong');
    assert.equal(typeof pong.tms, 'number');
    await c.close();
  });

  it('refuses a WebSocket connection with a bad query with HTTP 400 naming the problem', async () => {
    await assert.rejects(TestClient.connect(`${gw.ws}?format=xml`), /400.*format/);
    await assert.rejects(TestClient.connect(`${gw.ws}?exchange=nope`), /400.*nope/);
  });

  it('counts malformed exchange frames and keeps the worker running', async () => {
    feed.push('{broken');
    feed.push('{"sym":"BTC/KRW"}');
    feed.push('x'.repeat(2 * 1024 * 1024));
    const c = await TestClient.connect(`${gw.ws}?snapshot=false`);
    feed.push(JSON.stringify({ sym: 'BTC/KRW', p: 9, q: 1, ts: Date.now() }));
    await c.next((f) => f.tp === 9);
    await waitFor(() => (gw.kernel.supervisors[0]!.connections[0]?.errors.BAD_FRAME ?? 0) >= 3, 5000, 'error count');
    const metrics = await (await fetch(`${gw.http}/metrics`)).text();
    assert.match(metrics, /gateway_exchange_errors_total\{code="BAD_FRAME",connection="main",exchange="feed"\} 3/);
    await c.close();
  });

  it('restarts a crashed worker with a new epoch and resumes the stream', async () => {
    const c = await TestClient.connect(`${gw.ws}?snapshot=false`);
    feed.push(JSON.stringify({ sym: 'BTC/KRW', p: 10, q: 1, ts: Date.now() }));
    const before = await c.next((f) => f.tp === 10);
    feed.push('crash');
    const sup = gw.kernel.supervisors[0]!;
    await waitFor(() => sup.restarts === 1 && sup.state === 'running' && feed.sockets.size === 1, 10_000, 'restart');
    await waitFor(() => sup.connections[0]?.state === 'open', 5000, 'reconnect');
    feed.push(JSON.stringify({ sym: 'BTC/KRW', p: 11, q: 1, ts: Date.now() }));
    const afterCrash = await c.next((f) => f.tp === 11);
    assert.ok((afterCrash.ep as number) > (before.ep as number));
    assert.equal(afterCrash.sq, 1);
    const health = (await (await fetch(`${gw.http}/api/ws/infra-health`)).json()) as { exchanges: { feed: { restarts: number; lastError: { message: string } } } };
    assert.equal(health.exchanges.feed.restarts, 1);
    assert.match(health.exchanges.feed.lastError.message, /crash requested/);
    await c.close();
  });
});
