// The TypeScript SDK against a live in-process gateway fed by the `feed` test plugin: typed records, callbacks and
// iterators in both formats, the latest pool, gaps on a new epoch, and resume after a cut connection.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { GatewayClient } from '../../clients/typescript/src/index.ts';
import type { GapEvent, GatewayRecord, TradeRecord } from '../../clients/typescript/src/index.ts';
import { TestClient, waitFor } from '../support/client.ts';
import { startFeedServer } from '../support/feed-server.ts';
import type { FeedServer } from '../support/feed-server.ts';
import { TEST_PLUGINS_DIR, startGateway } from '../support/gateway.ts';
import { startTcpProxy } from '../support/tcp-proxy.ts';
import { isRecord } from '../support/streams.ts';

const SYMBOLS = ['BTC/KRW', 'ETH/KRW'];

describe('TypeScript SDK against a live gateway', () => {
  let feed: FeedServer;
  let gw: Awaited<ReturnType<typeof startGateway>>;
  let pump: ReturnType<typeof setInterval> | undefined;
  let nextId = 1;
  const clients: GatewayClient[] = [];

  const push = (n = 1) => {
    for (let i = 0; i < n; i++) for (const sym of SYMBOLS) feed.push(JSON.stringify({ sym, p: 100 + (nextId % 50), q: 1, ts: Date.now(), id: String(nextId++) }));
  };
  const client = (opts: Partial<ConstructorParameters<typeof GatewayClient>[0]> = {}) => {
    const c = new GatewayClient({ url: gw.ws, reconnect: { initialDelayMs: 50, maxDelayMs: 300 }, ...opts });
    clients.push(c);
    return c;
  };

  before(async () => {
    feed = await startFeedServer();
    gw = await startGateway(
      { nodeId: 'sdk', exchanges: { feed: { url: feed.url, symbols: SYMBOLS, channels: ['trade'], reconnect: { initialDelayMs: 50, maxDelayMs: 200 } } } },
      { pluginsDir: TEST_PLUGINS_DIR },
    );
    await waitFor(() => feed.sockets.size === 1, 10_000, 'worker connection');
    push();
  });

  after(async () => {
    clearInterval(pump);
    for (const c of clients) c.close();
    await gw?.kernel.close();
    await feed?.close();
  });

  for (const format of ['json', 'msgpack'] as const) {
    it(`delivers typed ${format} records to callbacks and the async iterator, and keeps the latest per key`, { timeout: 60_000 }, async () => {
      const c = client({ format, exchange: 'feed', type: 'trade' });
      const seen: TradeRecord[] = [];
      c.on('trade', (t) => seen.push(t));
      await c.start();
      // the status comes once the gateway has joined this client to its stream: pushed trades then reach it
      await waitFor(() => c.status('feed'), 10_000, 'the status of feed');
      const it = c.records();
      const before = nextId;
      push(3);
      const got: GatewayRecord[] = [];
      for await (const r of it) {
        if (r.st !== 'SNAPSHOT') got.push(r);
        if (got.length === 6) break;
      }
      assert.deepEqual(got.map((r) => r.ty), Array(6).fill('trade'));
      const last = got.filter((r) => r.cd === 'ETH/KRW').at(-1) as TradeRecord;
      assert.equal(last.sid, String(nextId - 1));
      assert.ok(Number(last.sid) >= before);
      assert.equal(c.latest('feed', 'ETH/KRW', 'trade')?.sid, last.sid);
      assert.ok(seen.some((t) => t.sid === last.sid), 'the callback saw the same record');
      c.close();
      c.close();
      assert.equal(c.connected, false);
    });
  }

  it('tells the status of each exchange after connect, and reads batched frames when batch=true', async () => {
    const c = client({ exchange: 'feed', type: 'trade', batch: true, snapshot: false });
    const status = new Promise<{ exchange: string; state: string }>((r) => c.once('status', r));
    const subscribed: unknown[] = [];
    c.on('subscribed', (s) => subscribed.push(s));
    await c.start();
    assert.deepEqual(await status, { ...(await status), exchange: 'feed', state: 'up' });
    assert.equal(c.status('feed')?.state, 'up');
    const got: TradeRecord[] = [];
    c.on('trade', (t) => got.push(t));
    push(5);
    await waitFor(() => got.length >= 10, 10_000, 'batched trades');
    assert.equal(new Set(got.map((t) => t.sid)).size, got.length);
    assert.ok(c.trusted('feed', 'BTC/KRW', 'trade', { maxAgeMs: 60_000 }));
    c.close();
    assert.equal(c.trusted('feed', 'BTC/KRW', 'trade'), false);
  });

  it('reports an epoch gap when the upstream connection is re-established', async () => {
    const c = client({ exchange: 'feed', type: 'trade', snapshot: false });
    const gaps: GapEvent[] = [];
    c.on('gap', (g) => gaps.push(g));
    await c.start();
    push();
    await waitFor(() => c.latest('feed', 'BTC/KRW', 'trade') && c.latest('feed', 'ETH/KRW', 'trade'), 10_000, 'first trades');
    const oldEp = c.latest('feed', 'BTC/KRW', 'trade')!.ep;
    for (const s of feed.sockets) s.terminate();
    await waitFor(() => feed.sockets.size === 1, 10_000, 'worker reconnection');
    await waitFor(async () => {
      push();
      await new Promise((r) => setTimeout(r, 50));
      return gaps.length >= 2;
    }, 15_000, 'epoch gaps');
    const g = gaps.find((x) => x.cd === 'BTC/KRW')!;
    assert.equal(g.reason, 'epoch');
    assert.equal(g.from.ep, oldEp);
    assert.ok(g.to!.ep > oldEp);
    c.close();
  });

  it('resumes after its connection was cut for 3 s: exactly the trades a never-cut client saw, none lost or repeated', async () => {
    const proxy = await startTcpProxy(gw.kernel.port);
    const direct = await TestClient.connect(`${gw.ws}?snapshot=false&exchange=feed&type=trade`);
    const c = client({ url: `ws://127.0.0.1:${proxy.port}/ws/exchange`, exchange: 'feed', type: 'trade', snapshot: false });
    const got: TradeRecord[] = [];
    const gaps: GapEvent[] = [];
    c.on('trade', (t) => got.push(t));
    c.on('gap', (g) => gaps.push(g));
    const errors: string[] = [];
    c.on('error', (e) => errors.push(`${e.code}: ${e.message}`));
    const resumed = new Promise((resolve, reject) => {
      c.once('resumed', resolve);
      c.on('open', (o) => o.attempt > 0 && setTimeout(() => reject(new Error(`no "resumed" after the reconnect: ${errors.join('; ')}`)), 20_000));
    });
    try {
      await c.start();
      pump = setInterval(() => push(), 20);
      await waitFor(() => got.length >= 20, 10_000, 'trades before the cut');
      proxy.cut({ refuse: true });
      const cutAt = got.length;
      await new Promise((r) => setTimeout(r, 3000)); // the outage being simulated, not a wait for an event
      proxy.restore();
      const ev = (await resumed) as { recovered: unknown[]; lost: unknown[] };
      assert.equal(ev.lost.length, 0, JSON.stringify(ev));
      await waitFor(() => got.length > cutAt + 100, 20_000, 'trades after the resume');
      clearInterval(pump);
      pump = undefined;
      // a resume replays key by key: the newest trade is the highest id, not the last one received
      const endSid = Math.max(...got.map((r) => Number(r.sid)));
      const firstSid = Math.min(...got.map((r) => Number(r.sid)));
      await direct.next((f) => Number(f.sid) >= endSid, 10_000);
      const id = (r: { cd?: unknown; ep?: unknown; sq?: unknown }) => `${r.cd}|${r.ep}|${r.sq}`;
      const want = direct.frames.filter(isRecord).filter((f) => Number(f.sid) >= firstSid && Number(f.sid) <= endSid);
      // a resume replays key by key, so the order is compared within each key
      for (const cd of SYMBOLS) assert.deepEqual(got.filter((r) => r.cd === cd).map(id), want.filter((r) => r.cd === cd).map(id), cd);
      assert.ok(want.length > 150, `${want.length} trades compared`);
      assert.deepEqual(gaps, []);
    } finally {
      clearInterval(pump);
      pump = undefined;
      c.close();
      await direct.close();
      await proxy.close();
    }
  });
});
