// OKX end to end: the plugin in a real gateway (worker thread, sockets) against the OKX simulator. Records are
// exact, sequences step by one, JSON equals msgpack; checksum corruption resyncs one key; keep-alive, error events,
// notices; drops, stalls and refused upgrades reconnect; books synchronize over REST when the stream sends no snapshot.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { TestClient, waitFor, type Frame } from '../../test/support/client.ts';
import { startGateway } from '../../test/support/gateway.ts';
import { assertSequences, isRecord } from '../../test/support/streams.ts';
import { assertChecksumResync, assertFollowsListings, assertSameInBothFormats, FAST_RESILIENCE, itRecoversFromFaults, waitEveryKey } from '../../test/support/live.ts';
import sim from './sim.ts';
import { startOkxSim, type OkxSimHandle } from './sim-protocol.ts';

type Gateway = Awaited<ReturnType<typeof startGateway>>;
const SYMBOLS = ['BTC/USDT', 'ETH/USDT'];

/** The book a direct client of the simulator rebuilds: the top N after each update, by the update's time. */
async function rawBooks(url: string, instId: string, depth: number) {
  const ws = new WebSocket(url);
  await new Promise((r, j) => (ws.once('open', r), ws.once('error', j)));
  const bids = new Map<number, number>();
  const asks = new Map<number, number>();
  const tops = new Map<number, string>();
  const trades = new Map<string, Frame>();
  ws.on('message', (data: Buffer) => {
    const m = JSON.parse(data.toString('utf8')) as { arg?: { channel: string }; action?: string; data?: Record<string, unknown>[] };
    if (!m.data) return;
    if (m.arg?.channel === 'trades') for (const t of m.data) trades.set(t.tradeId as string, t);
    if (m.arg?.channel !== 'books') return;
    const d = m.data[0]!;
    if (m.action === 'snapshot') (bids.clear(), asks.clear());
    for (const [p, s] of d.bids as string[][]) Number(s) === 0 ? bids.delete(Number(p)) : bids.set(Number(p), Number(s));
    for (const [p, s] of d.asks as string[][]) Number(s) === 0 ? asks.delete(Number(p)) : asks.set(Number(p), Number(s));
    const b = [...bids].sort((x, y) => y[0] - x[0]).slice(0, depth);
    const a = [...asks].sort((x, y) => x[0] - y[0]).slice(0, depth);
    const obu = Array.from({ length: Math.max(a.length, b.length) }, (_, i) => ({
      ...(a[i] ? { ap: a[i]![0], as: a[i]![1] } : {}),
      ...(b[i] ? { bp: b[i]![0], bs: b[i]![1] } : {}),
    }));
    tops.set(Number(d.ts), JSON.stringify(obu));
  });
  ws.send(JSON.stringify({ op: 'subscribe', args: [{ channel: 'books', instId }, { channel: 'trades', instId }] }));
  return { tops, trades, close: () => ws.terminate() };
}

describe('okx through a real gateway', () => {
  let h: OkxSimHandle;
  let gw: Gateway;
  let json: TestClient;
  const stats = () => gw.kernel.supervisors.find((s) => s.id === 'okx')!.connections[0]!;

  before(async () => {
    h = await sim.start({ seed: 11, intervalMs: 50, idleTimeoutMs: 2000 });
    const section = { ...sim.config(h), symbols: SYMBOLS, pingIntervalMs: 300, ...FAST_RESILIENCE };
    gw = await startGateway({ orderbook: { depth: 10 }, exchanges: { okx: section } });
    json = await TestClient.connect(`${gw.ws}?snapshot=false`);
  });

  after(async () => {
    await json?.close();
    await gw?.kernel.close();
    await h?.close();
  });

  it('delivers every channel with exact values, sq stepping by one, and the same records in JSON and msgpack', async () => {
    const raw = await rawBooks(h.url, 'BTC-USDT', 10);
    const pack = await TestClient.connect(`${gw.ws}?format=msgpack&snapshot=false`);
    try {
      await waitFor(() => SYMBOLS.every((cd) => ['ticker', 'trade', 'orderbook'].every((ty) => json.frames.some((f) => f.ty === ty && f.cd === cd))), 15_000, 'every key');
      const start = json.frames.length;
      await json.collect((f) => f.ty === 'orderbook' && f.cd === 'BTC/USDT', json.frames.filter((f) => f.ty === 'orderbook' && f.cd === 'BTC/USDT').length + 40, 20_000);
      let books = 0;
      let trades = 0;
      for (const f of json.frames.slice(start)) {
        assert.equal(f.ex, 'okx');
        if (f.cd !== 'BTC/USDT') continue;
        assert.equal(f.mc, 'BTC-USDT');
        if (f.ty === 'orderbook') {
          const top = raw.tops.get(f.tms as number);
          if (top === undefined) continue;
          assert.deepEqual(f.obu, JSON.parse(top), `book at ${f.tms}`);
          books++;
        }
        if (f.ty === 'trade') {
          const t = raw.trades.get(f.sid as string);
          if (!t) continue;
          assert.deepEqual([f.tp, f.tv, f.ab, f.tms], [Number(t.px), Number(t.sz), t.side === 'sell' ? 'ASK' : 'BID', Number(t.ts)]);
          trades++;
        }
      }
      assert.ok(books >= 20, `${books} books compared`);
      assert.ok(trades >= 10, `${trades} trades compared`);
      assertSequences(json.frames.filter(isRecord), json);
      assertSameInBothFormats(json.frames, pack.frames, 20);
      const ticker = json.frames.find((f) => f.ty === 'ticker')!;
      for (const k of ['tp', 'op', 'hp', 'lp', 'scp', 'scr', 'atv24h', 'atp24h']) assert.equal(typeof ticker[k], 'number', k);
      assert.equal('pcp' in ticker, false, 'OKX sends no previous close');
    } finally {
      raw.close();
      await pack.close();
    }
  });

  it('resynchronizes one book after a checksum mismatch: a resync event, a resubscription, then a correct book', async () => {
    await assertChecksumResync(json, h, 'okx', (sent, cd) => {
      const instId = cd.replace('/', '-');
      assert.ok(sent.some((m) => m.op === 'unsubscribe' && m.args[0].channel === 'books' && m.args[0].instId === instId));
      assert.ok(sent.some((m) => m.op === 'subscribe' && m.args[0].channel === 'books' && m.args[0].instId === instId));
    });
    assert.equal(stats().reconnects, 0, 'the connection stayed');
  });

  it('keeps the connection alive with "ping" text frames through the exchange\'s idle cut', async () => {
    const reconnects = stats().reconnects;
    await waitFor(() => h.received().filter((t) => t === 'ping').length >= 10, 15_000, 'ten pings');
    assert.equal(stats().reconnects, reconnects, 'never cut for idleness (2 s here)');
    assert.equal(stats().errors.BAD_FRAME ?? 0, 0, 'every "pong" was understood');
  });

  it('counts error events, rolls over on a service-upgrade notice, and keeps data flowing', async () => {
    const errors = stats().errors.EXCHANGE_ERROR ?? 0;
    h.sendRaw(JSON.stringify({ event: 'error', code: '60012', msg: 'Invalid request: {"op":"sub"}', connId: 'x' }));
    await waitFor(() => (stats().errors.EXCHANGE_ERROR ?? 0) > errors, 5000, 'error counted');
    const rollovers = stats().rollovers;
    const ep = stats().ep;
    h.sendRaw(JSON.stringify({ event: 'notice', code: '64008', msg: 'The connection will soon be closed for a service upgrade. Please reconnect.', connId: 'x' }));
    await waitFor(() => stats().rollovers > rollovers && stats().ep > ep, 15_000, 'rolled over');
    const n = json.frames.length;
    await json.next((f) => f.ty === 'trade' && (f.ep as number) > ep, 10_000, n);
  });

  itRecoversFromFaults({
    sim: () => h,
    stats,
    flowsAfter: (ep) => waitEveryKey(() => json.frames, 'okx', SYMBOLS, ep),
    refuse: { status: 429, retryAfterS: 1, times: 2, seen: 2, count: () => h.upgrades().filter((u) => u.status === 429).length },
    around() {
      const total = h.totalConnections();
      return () => assert.ok(h.totalConnections() > total, 'a new connection');
    },
    check: () => assertSequences(json.frames.filter(isRecord), json),
  });
});

describe('okx books without the initial snapshot, and books5', () => {
  it('synchronizes books over REST when the stream sends only updates', async () => {
    const h = await startOkxSim({ seed: 4, intervalMs: 50, bookSnapshots: false, checksums: false });
    const gw = await startGateway({ orderbook: { depth: 8 }, exchanges: { okx: { ...sim.config(h), symbols: ['SOL/USDT'], channels: ['orderbook'] } } });
    const c = await TestClient.connect(`${gw.ws}?snapshot=false`);
    try {
      const books = await c.collect((f) => f.ty === 'orderbook', 10, 20_000);
      for (const b of books) assert.equal((b.obu as unknown[]).length, 8);
      assertSequences(books, c);
      assert.equal(c.frames.filter((f) => f.event === 'resync').length, 0);
    } finally {
      await c.close();
      await gw.kernel.close();
      await h.close();
    }
  });

  it('uses five-level books5 snapshots for a depth of five', async () => {
    const h = await startOkxSim({ seed: 6, intervalMs: 50 });
    const gw = await startGateway({ orderbook: { depth: 5 }, exchanges: { okx: { ...sim.config(h), symbols: ['ETH/USDT'], channels: ['orderbook'] } } });
    const c = await TestClient.connect(`${gw.ws}?snapshot=false`);
    try {
      const books = await c.collect((f) => f.ty === 'orderbook', 5, 20_000);
      for (const b of books) assert.equal((b.obu as unknown[]).length, 5);
      const subs = h.received().filter((t) => t.startsWith('{')).map((t) => JSON.parse(t));
      assert.deepEqual(subs[0].args, [{ channel: 'books5', instId: 'ETH-USDT' }]);
    } finally {
      await c.close();
      await gw.kernel.close();
      await h.close();
    }
  });
});

describe('okx whole-universe subscription', () => {
  it('follows the REST market list: {quote: [EUR]} subscribes the EUR markets, then a listing and a delisting', async () => {
    const h = await startOkxSim({ seed: 8, intervalMs: 50 });
    const gw = await startGateway({ exchanges: { okx: { ...sim.config(h), symbols: { quote: ['EUR'] }, marketRefreshMs: 200, channels: ['trade'] } } });
    const c = await TestClient.connect(`${gw.ws}?type=listing,trade&snapshot=false`);
    try {
      const subs = async () => ((await (await fetch(`${gw.http}/api/subscriptions`)).json()) as { exchanges: Record<string, { symbols: string[] }> }).exchanges.okx!.symbols;
      await waitFor(async () => (await subs()).length === 11, 10_000, 'the EUR markets');
      assert.ok((await subs()).includes('BTC/EUR') && (await subs()).includes('USDT/EUR'));
      await (await assertFollowsListings(gw, h, { id: 'okx', type: 'trade', streaming: 'BTC/EUR', symbol: 'NEWC/EUR', mc: 'NEWC-EUR', delist: 'ETH/EUR' })).close();
    } finally {
      await c.close();
      await gw.kernel.close();
      await h.close();
    }
  });
});
