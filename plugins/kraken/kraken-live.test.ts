// Kraken against its simulator: the simulator's protocol (acks, errors, ping/pong, listings), then a real gateway:
// exact records, sq +1, JSON = msgpack, a corrupted checksum resynchronized, and drop / stall / refusal recovered.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { TestClient, waitFor } from '../../test/support/client.ts';
import { startGateway } from '../../test/support/gateway.ts';
import { assertChecksumResync, assertSameInBothFormats, itRecoversFromFaults } from '../../test/support/live.ts';
import { assertSequences, isRecord } from '../../test/support/streams.ts';
import plugin from './index.ts';
import { startKrakenSim } from './sim.ts';
import type { KrakenSimHandle } from './sim.ts';

const SYMBOLS = ['BTC/USD', 'ETH/EUR', 'DOGE/USD'];

/** a raw v2 client of the simulator: every parsed frame it got */
async function rawClient(url: string): Promise<{ ws: WebSocket; frames: Record<string, unknown>[]; close(): void }> {
  const ws = new WebSocket(url);
  const frames: Record<string, unknown>[] = [];
  ws.on('message', (d) => frames.push(JSON.parse(String(d))));
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  return { ws, frames, close: () => ws.terminate() };
}

describe('kraken simulator protocol', () => {
  let sim: KrakenSimHandle;
  before(async () => {
    sim = await startKrakenSim({ seed: 5, intervalMs: 50 });
  });
  after(() => sim.close());

  it('greets with a status, answers ping with pong, and acknowledges or refuses each symbol', async () => {
    const c = await rawClient(sim.url);
    try {
      await waitFor(() => c.frames.find((f) => f.channel === 'status'), 5000, 'status');
      c.ws.send(JSON.stringify({ method: 'ping', req_id: 42 }));
      await waitFor(() => c.frames.find((f) => f.method === 'pong' && f.req_id === 42), 5000, 'pong');
      c.ws.send(JSON.stringify({ method: 'subscribe', params: { channel: 'book', symbol: ['BTC/USD', 'FOO/USD'], depth: 10 }, req_id: 7 }));
      const ack = await waitFor(() => c.frames.find((f) => f.method === 'subscribe' && f.success === true), 5000, 'ack');
      assert.deepEqual(ack.result, { channel: 'book', snapshot: true, symbol: 'BTC/USD', depth: 10 });
      const refusal = await waitFor(() => c.frames.find((f) => f.method === 'subscribe' && f.success === false), 5000, 'refusal');
      assert.equal(refusal.symbol, 'FOO/USD');
      assert.match(String(refusal.error), /not supported/);
      c.ws.send(JSON.stringify({ method: 'subscribe', params: { channel: 'book', symbol: ['ETH/USD'], depth: 7 }, req_id: 8 }));
      await waitFor(() => c.frames.find((f) => f.req_id === 8 && f.success === false), 5000, 'bad depth refused');
      await waitFor(() => c.frames.find((f) => f.channel === 'book' && f.type === 'update'), 5000, 'book updates');
    } finally {
      c.close();
    }
  });

  it('lists and delists markets at run time in AssetPairs, and stops a delisted market\'s stream', async () => {
    const pairs = async () => plugin.markets!.parse(await (await fetch(`${sim.restUrl}/0/public/AssetPairs`)).text()).map((m) => m.symbol);
    const start = await pairs();
    assert.ok(start.length >= 300);
    assert.ok(start.includes('BTC/USD') && start.includes('DOGE/USD'), 'XBT and XDG come back under their common names');
    sim.listMarket('NEWCOIN/USD');
    assert.ok((await pairs()).includes('NEWCOIN/USD'));
    const c = await rawClient(sim.url);
    try {
      c.ws.send(JSON.stringify({ method: 'subscribe', params: { channel: 'ticker', symbol: ['NEWCOIN/USD'] } }));
      await waitFor(() => c.frames.find((f) => f.channel === 'ticker'), 5000, 'the new listing streams');
      sim.delistMarket('NEWCOIN/USD');
      assert.ok(!(await pairs()).includes('NEWCOIN/USD'));
      const n = c.frames.length;
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(c.frames.slice(n).filter((f) => f.channel === 'ticker').length, 0, 'no data after the delisting');
    } finally {
      c.close();
    }
  });
});

describe('kraken through a real gateway', () => {
  let sim: KrakenSimHandle;
  let gw: Awaited<ReturnType<typeof startGateway>>;
  let json: TestClient;
  let msgpack: TestClient;
  let raw: Awaited<ReturnType<typeof rawClient>>;

  before(async () => {
    sim = await startKrakenSim({ seed: 9, intervalMs: 50, tradesPerStep: 2 });
    gw = await startGateway({
      orderbook: { depth: 10 },
      exchanges: {
        kraken: {
          url: sim.url,
          restUrl: sim.restUrl,
          symbols: SYMBOLS,
          reconnect: { initialDelayMs: 100, maxDelayMs: 3000, multiplier: 2, resetAfterMs: 400 },
          stallTimeoutMs: 1500,
        },
      },
    });
    json = await TestClient.connect(`${gw.ws}?snapshot=false`);
    msgpack = await TestClient.connect(`${gw.ws}?snapshot=false&format=msgpack`);
    // the simulator's own trade frames, to hold the gateway's records to
    raw = await rawClient(sim.url);
    raw.ws.send(JSON.stringify({ method: 'subscribe', params: { channel: 'trade', symbol: SYMBOLS, snapshot: false } }));
  });
  after(async () => {
    raw?.close();
    await json?.close();
    await msgpack?.close();
    await gw?.kernel.close();
    await sim?.close();
  });

  const stats = () => gw.kernel.supervisors.find((s) => s.id === 'kraken')!.connections[0]!;
  const everyKey = (c: TestClient, since = 0) =>
    SYMBOLS.every((cd) => ['ticker', 'trade', 'orderbook'].every((ty) => c.frames.some((f) => f.ty === ty && f.cd === cd && (f.ep as number) > since)));

  it('publishes every key with exact values, sq +1, the same in JSON and msgpack', async () => {
    await waitFor(() => everyKey(json) && everyKey(msgpack), 20_000, 'every key in both formats');
    await waitFor(() => json.frames.filter((f) => f.ty === 'trade').length >= 30, 20_000, 'trades');
    const records = json.frames.filter(isRecord);
    assertSequences(records, json);
    // the simulator's books, followed update by update and cut to depth, match every checksum: no resync, no errors
    assert.equal(json.frames.filter((f) => f.event === 'resync').length, 0, 'no checksum mismatch');
    assert.deepEqual(stats().errors, {}, 'no bad frames, no exchange errors');
    // the trades are exactly the simulator's, field by field
    const simTrades = new Map<string, Record<string, unknown>>();
    for (const f of raw.frames) if (f.channel === 'trade') for (const t of f.data as Record<string, unknown>[]) simTrades.set(`${t.symbol}|${t.trade_id}`, t);
    let compared = 0;
    for (const r of records.filter((f) => f.ty === 'trade')) {
      const t = simTrades.get(`${r.cd}|${r.sid}`);
      if (!t) continue;
      compared++;
      assert.equal(r.tp, t.price);
      assert.equal(r.tv, t.qty);
      assert.equal(r.ab, t.side === 'sell' ? 'ASK' : 'BID');
      assert.equal(r.tms, Math.floor(Date.parse(String(t.timestamp))));
      assert.equal(r.mc, r.cd);
    }
    assert.ok(compared >= 10, `${compared} trades compared`);
    for (const r of records.filter((f) => f.ty === 'orderbook')) {
      const obu = r.obu as { ap?: number; bp?: number }[];
      assert.ok(obu.length > 0 && obu.length <= 10);
      assert.ok(obu[0]!.bp! < obu[0]!.ap!, 'never crossed');
    }
    // JSON = msgpack for the same records
    assertSameInBothFormats(json.frames, msgpack.frames, 50);
  });

  it('resynchronizes a book whose checksum does not match: resync event, resubscription, a correct book after', async () => {
    await assertChecksumResync(json, sim, 'kraken', (sent, cd) => {
      assert.ok(sent.some((f) => f.method === 'unsubscribe' && f.params.channel === 'book' && f.params.symbol[0] === cd));
      assert.ok(sent.some((f) => f.method === 'subscribe' && f.params.channel === 'book' && f.params.symbol[0] === cd));
    });
    assertSequences(json.frames.filter(isRecord), json);
  });

  itRecoversFromFaults({
    sim: () => sim,
    stats,
    flowsAfter: async (ep) => void (await waitFor(() => everyKey(json, ep), 20_000, 'every key in the new epoch')),
    resent: () => plugin.connections({ id: 'kraken', url: sim.url, symbols: SYMBOLS, channels: ['ticker', 'trade', 'orderbook'], depth: 10, options: {} })[0]!.subscribe,
    refuse: { status: 429, retryAfterS: 1, times: 2 },
    stallDetectMs: 15_000,
    check: () => assertSequences(json.frames.filter(isRecord), json),
  });
});

describe('kraken whole-universe subscription', () => {
  let sim: KrakenSimHandle;
  let gw: Awaited<ReturnType<typeof startGateway>>;
  const PAIRS = ['BTC/USD', 'ETH/USD', 'SOL/USD', 'DOGE/USD', 'BTC/EUR', 'ETH/EUR', 'ETH/BTC', 'XRP/USDT'];

  before(async () => {
    sim = await startKrakenSim({ seed: 4, intervalMs: 100, pairs: PAIRS });
    gw = await startGateway({
      exchanges: {
        kraken: { url: sim.url, restUrl: sim.restUrl, symbols: { quote: ['USD'] }, marketRefreshMs: 200, channels: ['trade', 'ticker'] },
      },
    });
  });
  after(async () => {
    await gw?.kernel.close();
    await sim?.close();
  });

  const subscribed = async () =>
    ((await (await fetch(`${gw.http}/api/subscriptions`)).json()) as { exchanges: Record<string, { symbols: string[] }> }).exchanges.kraken!.symbols;

  it('subscribes the USD markets of the AssetPairs list, under their common names', async () => {
    await waitFor(async () => (await subscribed()).length === 4, 15_000, 'four USD markets');
    assert.deepEqual([...(await subscribed())].sort(), ['BTC/USD', 'DOGE/USD', 'ETH/USD', 'SOL/USD']);
  });

  it('publishes a listing and a delisting, and streams the new market in between', async () => {
    const c = await TestClient.connect(`${gw.ws}?type=listing,ticker&snapshot=false`);
    try {
      sim.listMarket('NEWCOIN/USD');
      const listed = await c.next((f) => f.ty === 'listing' && f.cd === 'NEWCOIN/USD', 15_000);
      assert.equal(listed.ls, 'listed');
      assert.equal(listed.mc, 'NEWCOIN/USD');
      await c.next((f) => f.ty === 'ticker' && f.cd === 'NEWCOIN/USD', 15_000);
      sim.delistMarket('NEWCOIN/USD');
      const gone = await c.next((f) => f.ty === 'listing' && f.cd === 'NEWCOIN/USD' && f.ls === 'delisted', 15_000);
      assert.equal(gone.ex, 'kraken');
      await waitFor(async () => !(await subscribed()).includes('NEWCOIN/USD'), 15_000, 'dropped from the subscription');
    } finally {
      await c.close();
    }
  });
});
