// End to end against the Bybit simulator through a real gateway: exact records, sq +1, JSON = msgpack, a book gap
// resynchronized by resubscribing, and recovery from drops, stalls and refused upgrades.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TestClient, waitFor } from '../../test/support/client.ts';
import type { Frame } from '../../test/support/client.ts';
import { startGateway } from '../../test/support/gateway.ts';
import { assertSequences, isRecord } from '../../test/support/streams.ts';
import { assertFollowsListings, assertSameInBothFormats, FAST_RESILIENCE, itRecoversFromFaults, waitEveryKey } from '../../test/support/live.ts';
import { startBybitSim } from './sim.ts';
import type { BybitSimHandle } from './sim.ts';

const SYMBOLS = ['BTC/USDT', 'ETH/USDT'];

describe('bybit end to end', () => {
  let sim: BybitSimHandle;
  let gw: Awaited<ReturnType<typeof startGateway>>;
  let json: TestClient;
  let pack: TestClient;
  let raw: TestClient;

  before(async () => {
    sim = await startBybitSim({ seed: 11, intervalMs: 50, tradesPerStep: 2 });
    gw = await startGateway({ orderbook: { depth: 5 }, exchanges: { bybit: { url: sim.url, restUrl: sim.restUrl, symbols: SYMBOLS, pingIntervalMs: 1000, ...FAST_RESILIENCE } } });
    json = await TestClient.connect(`${gw.ws}?snapshot=false`);
    pack = await TestClient.connect(`${gw.ws}?format=msgpack&snapshot=false`);
    // a direct subscriber to the simulator, for the exchange's own view of the same trades
    raw = await TestClient.connect(sim.url);
    raw.send({ op: 'subscribe', args: ['publicTrade.BTCUSDT', 'tickers.BTCUSDT'] });
  });

  after(async () => {
    for (const c of [json, pack, raw]) await c?.close();
    await gw?.kernel.close();
    await sim?.close();
  });

  const stats = () => gw.kernel.supervisors.find((s) => s.id === 'bybit')!.connections[0]!;

  const flowsAgain = (ep: number) => waitEveryKey(() => json.frames, 'bybit', SYMBOLS, ep);

  it('delivers exact trades, tickers and books for every key; JSON and msgpack clients get the same records', async () => {
    await flowsAgain(0);
    await pack.collect(isRecord, 60, 20_000);
    // trades: exactly what the exchange sent, field by field
    const sent = new Map<string, Frame>();
    for (const f of raw.frames) if (f.topic === 'publicTrade.BTCUSDT') for (const t of f.data as Frame[]) sent.set(t.i as string, t);
    const trades = json.frames.filter((f) => f.ty === 'trade' && f.cd === 'BTC/USDT' && sent.has(f.sid as string));
    assert.ok(trades.length >= 5, `${trades.length} trades compared`);
    for (const r of trades) {
      const t = sent.get(r.sid as string)!;
      assert.deepEqual([r.tp, r.tv, r.ab, r.tms, r.mc], [Number(t.p), Number(t.v), t.S === 'Sell' ? 'ASK' : 'BID', t.T, 'BTCUSDT']);
    }
    // tickers: the same, matched by the message time
    const sentTickers = new Map(raw.frames.filter((f) => f.topic === 'tickers.BTCUSDT').map((f) => [f.ts as number, f.data as Frame]));
    const tickers = json.frames.filter((f) => f.ty === 'ticker' && f.cd === 'BTC/USDT' && sentTickers.has(f.tms as number));
    assert.ok(tickers.length >= 3, `${tickers.length} tickers compared`);
    for (const r of tickers) {
      const t = sentTickers.get(r.tms as number)!;
      const want = [t.lastPrice, t.prevPrice24h, t.highPrice24h, t.lowPrice24h, t.price24hPcnt, t.volume24h, t.turnover24h].map(Number).map((x) => x + 0);
      assert.deepEqual([r.tp, r.op, r.hp, r.lp, r.scr, r.atv24h, r.atp24h], want);
      assert.equal('scp' in r || 'pcp' in r, false, 'Bybit sends no change amount or previous close');
    }
    const book = json.frames.find((f) => f.ty === 'orderbook' && f.cd === 'ETH/USDT')!;
    assert.equal((book.obu as Frame[]).length, 5);
    assertSameInBothFormats(json.frames, pack.frames, 50);
    assertSequences(json.frames.filter(isRecord), json);
    assertSequences(pack.frames.filter(isRecord), pack);
    // the real protocol: at most 10 topics per subscribe request, depth 5 asked as orderbook.50
    const subs = sim.received().filter((m) => m.includes('"op":"subscribe"') && m.includes('"req_id":"sub-'));
    assert.ok(subs.every((m) => (JSON.parse(m).args as string[]).length <= 10));
    assert.ok(subs.some((m) => m.includes('orderbook.50.BTCUSDT')));
  });

  it('on a gap in book deltas tells clients to resync, resubscribes the topic and publishes a sound book again', async () => {
    const { ep } = stats();
    const from = json.frames.length;
    sim.skipDepthDiffs(3);
    const resync = await json.next((f) => f.event === 'resync' && f.exchange === 'bybit', 15_000, from);
    assert.equal(resync.type, 'orderbook');
    await waitFor(() => sim.received().some((m) => m.includes('"op":"unsubscribe"') && m.includes('resync-orderbook.50.')), 5000, 'resubscribed');
    const at = json.frames.indexOf(resync);
    const next = await json.next((f) => f.ty === 'orderbook' && f.cd === resync.symbol, 15_000, at + 1);
    const obu = next.obu as { ap: number; bp: number }[];
    assert.equal(obu.length, 5);
    assert.ok(obu[0]!.bp < obu[0]!.ap, 'uncrossed');
    for (let i = 1; i < obu.length; i++) assert.ok(obu[i]!.ap > obu[i - 1]!.ap && obu[i]!.bp < obu[i - 1]!.bp);
    assert.equal(stats().ep, ep, 'the same connection: only the key was resynchronized');
    assertSequences(json.frames.filter(isRecord), json);
  });

  itRecoversFromFaults({
    sim: () => sim,
    stats,
    flowsAfter: flowsAgain,
    resent: (before) => before.filter((m) => m.includes('"req_id":"sub-')),
    refuse: { status: 429, retryAfterS: 1, times: 2 },
    check: () => assertSequences(json.frames.filter(isRecord), json),
  });

  it('keeps the connection alive with {"op":"ping"} and takes the pongs as no error', async () => {
    const { ep } = stats();
    const pings = () => sim.received().filter((m) => m === '{"op":"ping"}').length;
    const before = pings();
    await waitFor(() => pings() >= before + 2, 10_000, 'two more pings');
    assert.equal(stats().ep, ep);
    assert.deepEqual([stats().errors.BAD_FRAME ?? 0, stats().errors.EXCHANGE_ERROR ?? 0], [0, 0]);
  });

  it('counts an error answer from Bybit and keeps streaming on the same connection', async () => {
    const { ep } = stats();
    const errors = stats().errors.EXCHANGE_ERROR ?? 0;
    sim.sendRaw('{"success":false,"ret_msg":"error:handler not found,topic:tickers.X","conn_id":"c","op":"subscribe"}');
    await waitFor(() => (stats().errors.EXCHANGE_ERROR ?? 0) > errors, 5000, 'error counted');
    await json.next((f) => f.ex === 'bybit' && f.ep === ep && isRecord(f), 5000, json.frames.length);
    assert.equal(stats().ep, ep);
  });
});

describe('bybit with symbols: {quote: [BRL]}', () => {
  let sim: BybitSimHandle;
  let gw: Awaited<ReturnType<typeof startGateway>>;
  let client: TestClient;

  before(async () => {
    sim = await startBybitSim({ seed: 12, intervalMs: 50 });
    gw = await startGateway({
      exchanges: { bybit: { url: sim.url, restUrl: sim.restUrl, symbols: { quote: ['BRL'] }, marketRefreshMs: 200, channels: ['trade'], ...FAST_RESILIENCE } },
    });
    client = await TestClient.connect(`${gw.ws}?type=listing,trade&snapshot=false`);
  });

  after(async () => {
    await client?.close();
    await gw?.kernel.close();
    await sim?.close();
  });

  const topics = () => new Set(sim.received().flatMap((m) => (m.includes('"op":"subscribe"') ? (JSON.parse(m).args as string[]) : [])));

  it('subscribes every BRL market of the list, then follows a listing and a delisting at run time', async () => {
    await waitFor(() => ['BTC', 'ETH', 'XRP', 'SOL', 'BNB', 'DOGE'].every((b) => topics().has(`publicTrade.${b}BRL`)), 15_000, 'the BRL markets');
    assert.ok(![...topics()].some((t) => t.endsWith('USDT')), 'no other quote');
    const c = await assertFollowsListings(gw, sim, { id: 'bybit', type: 'trade', symbol: 'NEWCOIN/BRL', mc: 'NEWCOINBRL', delist: 'SOL/BRL' });
    assertSequences(c.frames.filter((f) => f.ty === 'trade'), c);
    assertSequences(client.frames.filter((f) => f.ty === 'trade'), client);
    await c.close();
  });
});

describe('bybit with a symbol the exchange does not list', () => {
  it('still streams the other symbols of the failed request, and counts the failures', async () => {
    const sim = await startBybitSim({ seed: 13, intervalMs: 50 });
    const gw = await startGateway({ exchanges: { bybit: { url: sim.url, restUrl: sim.restUrl, symbols: ['BTC/USDT', 'NOPE/USDT', 'ETH/USDT'], ...FAST_RESILIENCE } } });
    const c = await TestClient.connect(`${gw.ws}?snapshot=false`);
    try {
      const stats = () => gw.kernel.supervisors.find((s) => s.id === 'bybit')!.connections[0]!;
      const want = ['BTC/USDT', 'ETH/USDT'].flatMap((cd) => ['ticker', 'trade', 'orderbook'].map((ty) => `${ty}|${cd}`));
      await waitFor(() => want.every((k) => c.frames.some((f) => `${f.ty}|${f.cd}` === k)), 20_000, 'every listed key');
      // the first request (10 topics, NOPE's among them) failed whole and was split; NOPE's three topics failed alone
      await waitFor(() => (stats().errors.EXCHANGE_ERROR ?? 0) >= 4, 10_000, 'the failures counted');
      assert.ok(sim.received().some((m) => m.includes('"req_id":"one-tickers.BTCUSDT"')));
      assert.ok(!c.frames.some((f) => f.cd === 'NOPE/USDT'));
    } finally {
      await c.close();
      await gw.kernel.close();
      await sim.close();
    }
  });
});
