// Korbit end to end: the simulator's protocol (request arrays, snapshots, acks, fail answers, server pings, pair
// list), then a real gateway on it (exact records, +1 sequences, JSON = msgpack) and recovery from faults.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { startGateway } from '../../test/support/gateway.ts';
import { TestClient, waitFor } from '../../test/support/client.ts';
import type { Frame } from '../../test/support/client.ts';
import { assertSequences, isRecord } from '../../test/support/streams.ts';
import sim, { startKorbitSim, type KorbitSimHandle } from './sim.ts';
import { KORBIT_MARKETS } from './markets.ts';

const SYMBOLS = ['BTC/KRW', 'ETH/KRW'];
const RESILIENCE = { reconnect: { initialDelayMs: 100, maxDelayMs: 3000, multiplier: 2, resetAfterMs: 400 }, stallTimeoutMs: 1000 };

/** a raw client of the simulator that keeps every frame and counts the server's pings */
async function raw(url: string) {
  const ws = new WebSocket(url);
  const frames: Record<string, unknown>[] = [];
  let pings = 0;
  ws.on('message', (d: Buffer) => frames.push(JSON.parse(d.toString('utf8'))));
  ws.on('ping', () => pings++);
  await new Promise((r, j) => (ws.once('open', r), ws.once('error', j)));
  return { ws, frames, pings: () => pings };
}

const request = (items: unknown) => JSON.stringify(items);

describe('korbit simulator protocol', () => {
  let s: KorbitSimHandle;
  before(async () => {
    s = await startKorbitSim({ seed: 5, intervalMs: 50, pingIntervalMs: 300 });
  });
  after(() => s.close());

  it('answers a request array with acks and snapshots, and bad requests with fail answers', async () => {
    const c = await raw(s.url);
    c.ws.send(request([{ requestId: 1, method: 'subscribe', type: 'orderbook', symbols: ['btc_krw'] }, { method: 'subscribe', type: 'trade', symbols: ['btc_krw'] }]));
    c.ws.send(request([{ requestId: 2, method: 'subscribe', type: 'ticker', symbols: ['BTC_KRW'] }]));
    c.ws.send(request({ method: 'subscribe', type: 'ticker', symbols: ['btc_krw'] }));
    c.ws.send(request([{ requestId: 3, method: 'subscribe', type: 'candle', symbols: ['btc_krw'] }]));
    await waitFor(() => c.frames.filter((f) => f.status === 'fail').length >= 3, 5000, 'answers');
    assert.deepEqual(c.frames[0], { status: 'success', requestId: 1 });
    const book = c.frames[1]!;
    assert.equal(book.type, 'orderbook');
    assert.equal(book.snapshot, true);
    assert.equal(((book.data as Frame).asks as unknown[]).length, 30);
    assert.ok(c.frames.some((f) => f.type === 'trade' && f.snapshot === true));
    assert.ok(c.frames.some((f) => f.status === 'fail' && f.code === 'INVALID_SYMBOL' && f.requestId === 2));
    assert.ok(c.frames.some((f) => f.status === 'fail' && f.message === 'invalid_format'));
    assert.ok(c.frames.some((f) => f.status === 'fail' && f.code === 'INVALID_REQUEST' && f.message === 'unknown_type'));
    await waitFor(() => c.frames.some((f) => f.type === 'orderbook' && f.snapshot === undefined), 5000, 'a live book');
    c.ws.close();
  });

  it('pings its clients', async () => {
    const c = await raw(s.url);
    await waitFor(() => c.pings() >= 2, 5000, 'two server pings');
    c.ws.close();
  });

  it('serves the pair list, and a delisted pair is stopped and answers with an empty book', async () => {
    const url = KORBIT_MARKETS.url({ id: 'korbit', url: s.url, restUrl: s.restUrl, symbols: [], channels: [], depth: 15, options: {} });
    const list = async () => KORBIT_MARKETS.parse(await (await fetch(url)).text()).map((m) => m.symbol);
    const before = await list();
    assert.ok(before.length >= 20 && before.includes('BTC/KRW'));
    s.listMarket('ZZZ/KRW');
    assert.ok((await list()).includes('ZZZ/KRW'));
    s.delistMarket('ZZZ/KRW');
    assert.deepEqual(await list(), before);
    const c = await raw(s.url);
    c.ws.send(request([{ method: 'subscribe', type: 'orderbook', symbols: ['zzz_krw'] }]));
    const empty = await waitFor(() => c.frames.find((f) => f.type === 'orderbook'), 5000, 'the empty book');
    assert.deepEqual([(empty.data as Frame).asks, (empty.data as Frame).bids], [[], []]);
    c.ws.close();
    assert.deepEqual(sim.config(s), { url: s.url, restUrl: s.restUrl, symbols: ['BTC/KRW', 'ETH/KRW'] });
  });
});

describe('korbit through a gateway', () => {
  let s: KorbitSimHandle;
  let gw: Awaited<ReturnType<typeof startGateway>>;
  let client: TestClient;
  const stats = () => gw.kernel.supervisors.find((x) => x.id === 'korbit')!.connections[0]!;
  const mine = () => client.frames.filter((f) => isRecord(f) && f.ex === 'korbit');

  before(async () => {
    s = await startKorbitSim({ seed: 7, intervalMs: 50 });
    gw = await startGateway({ exchanges: { korbit: { ...sim.config(s), symbols: SYMBOLS, ...RESILIENCE } } });
    client = await TestClient.connect(`${gw.ws}?snapshot=false`);
  });
  after(async () => {
    await client?.close();
    await gw?.kernel.close();
    await s?.close();
  });

  /** every key delivers a record in an epoch newer than `ep` */
  async function flowsAfter(ep: number): Promise<void> {
    const want = SYMBOLS.flatMap((cd) => ['ticker', 'trade', 'orderbook'].map((ty) => `${ty}|${cd}`));
    await waitFor(() => want.every((k) => mine().some((f) => `${f.ty}|${f.cd}` === k && (f.ep as number) > ep)), 15_000, 'every key');
  }

  it('publishes exactly the simulator trades, gapless per key, the same in JSON and msgpack', async () => {
    const tap = await raw(s.url);
    tap.ws.send(request([{ method: 'subscribe', type: 'trade', symbols: ['btc_krw'] }]));
    const pack = await TestClient.connect(`${gw.ws}?format=msgpack&snapshot=false&exchange=korbit`);
    await flowsAfter(0);
    await pack.collect(isRecord, 100, 20_000);
    const rows = new Map<string, Frame>();
    for (const f of tap.frames) if (f.type === 'trade') for (const r of f.data as Frame[]) rows.set(String(r.tradeId), r);
    let exact = 0;
    for (const t of mine().filter((f) => f.ty === 'trade' && f.cd === 'BTC/KRW')) {
      const r = rows.get(t.sid as string);
      if (!r) continue;
      assert.deepEqual([t.tp, t.tv, t.tms, t.ab, t.mc], [Number(r.price), Number(r.qty), r.timestamp, r.isBuyerTaker ? 'BID' : 'ASK', 'btc_krw']);
      exact++;
    }
    assert.ok(exact >= 5, `compared ${exact} trades`);
    for (const b of mine().filter((f) => f.ty === 'orderbook')) {
      const obu = b.obu as { ap?: number; bp?: number }[];
      assert.ok(obu.length <= 15 && obu[0]!.ap! > obu[0]!.bp!, 'uncrossed, at most depth');
    }
    const id = (f: Frame) => `${f.ty}|${f.cd}|${f.ep}|${f.sq}`;
    const json = new Map(mine().map((f) => [id(f), f]));
    let same = 0;
    for (const f of pack.frames.filter(isRecord)) {
      const twin = json.get(id(f));
      if (twin) (assert.deepEqual(f, twin), same++);
    }
    assert.ok(same >= 50, `compared ${same}`);
    assertSequences(mine(), client);
    await pack.close();
    tap.ws.close();
  });

  async function recovers(fault: () => void | Promise<void>): Promise<void> {
    await waitFor(() => stats().state === 'open', 10_000, 'open');
    const before = { ...stats() };
    const received = s.received().length;
    await fault();
    await waitFor(() => stats().state === 'open' && stats().ep > before.ep, 15_000, 'reconnected');
    await flowsAfter(before.ep);
    assert.ok(stats().reconnects > before.reconnects);
    // the gateway's whole request (the one with requestIds; the test's own tap sends none) went out again
    const again = s.received().slice(received);
    for (const f of new Set(s.received().slice(0, received))) if (f.includes('requestId')) assert.ok(again.includes(f), `re-sent ${f}`);
    assertSequences(mine(), client);
  }

  it('reconnects after an abrupt drop and resubscribes everything', async () => {
    await recovers(() => s.dropAll());
  });

  it('replaces a connection that went silent', async () => {
    await recovers(async () => {
      const stalls = stats().errors.STALL ?? 0;
      s.stall(true);
      await waitFor(() => (stats().errors.STALL ?? 0) > stalls, 10_000, 'stall detected');
      s.stall(false);
    });
  });

  it('retries refused upgrades and streams again once they are accepted', async () => {
    await recovers(async () => {
      const refused = stats().errors.HTTP_503 ?? 0;
      s.rejectUpgrades(503, undefined, 2);
      s.dropAll();
      await waitFor(() => (stats().errors.HTTP_503 ?? 0) >= refused + 2, 10_000, 'refusals seen');
    });
  });

  it('counts malformed frames and exchange errors without reconnecting', async () => {
    await waitFor(() => stats().state === 'open', 10_000, 'open');
    const { reconnects } = stats();
    const bad = stats().errors.BAD_FRAME ?? 0;
    const exch = stats().errors.EXCHANGE_ERROR ?? 0;
    s.sendRaw('{"type": ');
    s.sendRaw('{"status":"fail","code":"INVALID_SYMBOL","message":"The symbol does not exist (nope_krw)"}');
    await waitFor(() => (stats().errors.BAD_FRAME ?? 0) > bad && (stats().errors.EXCHANGE_ERROR ?? 0) > exch, 5000, 'counted');
    const n = client.frames.length;
    await client.next((f) => f.ex === 'korbit', 5000, n);
    assert.equal(stats().reconnects, reconnects);
  });
});

describe('korbit whole universe (symbols: all)', () => {
  let s: KorbitSimHandle;
  let gw: Awaited<ReturnType<typeof startGateway>>;

  before(async () => {
    s = await startKorbitSim({ seed: 9, intervalMs: 50 });
    const { url, restUrl } = sim.config(s);
    gw = await startGateway({ exchanges: { korbit: { url, restUrl, symbols: 'all', marketRefreshMs: 200, channels: ['trade'], ...RESILIENCE } } });
  });
  after(async () => {
    await gw?.kernel.close();
    await s?.close();
  });

  it('follows the pair list: a launched pair is subscribed and streams, a stopped one is published as delisted', async () => {
    const c = await TestClient.connect(`${gw.ws}?exchange=korbit&type=listing,trade&snapshot=false`);
    await waitFor(() => c.frames.some((f) => f.ty === 'trade' && f.cd === 'XRP/KRW'), 20_000, 'the launched pairs stream');
    s.listMarket('ZZZ/KRW');
    const listed = await c.next((f) => f.ty === 'listing' && f.cd === 'ZZZ/KRW', 10_000);
    assert.deepEqual([listed.ls, listed.mc], ['listed', 'zzz_krw']);
    await c.next((f) => f.ty === 'trade' && f.cd === 'ZZZ/KRW', 20_000);
    s.delistMarket('ZZZ/KRW');
    const gone = await c.next((f) => f.ty === 'listing' && f.cd === 'ZZZ/KRW' && f.ls === 'delisted', 10_000);
    assert.equal(gone.ex, 'korbit');
    await c.close();
  });
});
