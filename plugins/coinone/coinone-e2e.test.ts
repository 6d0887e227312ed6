// Coinone end to end: the simulator's protocol (acks, PING/PONG, errors, idle close, market list), then a real
// gateway on it (exact records, +1 sequences, JSON = msgpack) and its recovery from drops, stalls and refusals.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { startGateway } from '../../test/support/gateway.ts';
import { TestClient, waitFor } from '../../test/support/client.ts';
import type { Frame } from '../../test/support/client.ts';
import { assertSequences, isRecord } from '../../test/support/streams.ts';
import sim, { startCoinoneSim, type CoinoneSimHandle } from './sim.ts';
import { COINONE_MARKETS } from './markets.ts';

const SYMBOLS = ['BTC/KRW', 'ETH/KRW'];
const RESILIENCE = { reconnect: { initialDelayMs: 100, maxDelayMs: 3000, multiplier: 2, resetAfterMs: 400 }, stallTimeoutMs: 1000 };

/** a raw client of the simulator that keeps every frame it gets */
async function raw(url: string): Promise<{ ws: WebSocket; frames: Record<string, unknown>[]; closed: Promise<void> }> {
  const ws = new WebSocket(url);
  const frames: Record<string, unknown>[] = [];
  ws.on('message', (d: Buffer) => frames.push(JSON.parse(d.toString('utf8'))));
  const closed = new Promise<void>((r) => ws.once('close', () => r()));
  await new Promise((r, j) => (ws.once('open', r), ws.once('error', j)));
  return { ws, frames, closed };
}

const sub = (channel: string, target: string, format?: string) =>
  JSON.stringify({ request_type: 'SUBSCRIBE', channel, topic: { quote_currency: 'KRW', target_currency: target }, ...(format ? { format } : {}) });

describe('coinone simulator protocol', () => {
  let s: CoinoneSimHandle;
  before(async () => {
    s = await startCoinoneSim({ seed: 5, intervalMs: 50, idleTimeoutMs: 1500 });
  });
  after(() => s.close());

  it('acknowledges subscriptions, sends the book at once, answers PING with PONG and bad requests with ERROR', async () => {
    const c = await raw(s.url);
    c.ws.send(sub('ORDERBOOK', 'BTC'));
    c.ws.send('{"request_type":"PING"}');
    c.ws.send(sub('TRADE', 'NOPE'));
    c.ws.send('not json');
    await waitFor(() => c.frames.length >= 5, 5000, 'answers');
    assert.deepEqual(c.frames[0], { response_type: 'SUBSCRIBED', channel: 'ORDERBOOK', data: { quote_currency: 'KRW', target_currency: 'BTC' } });
    assert.equal(c.frames[1]!.channel, 'ORDERBOOK');
    assert.ok(c.frames.some((f) => f.response_type === 'PONG'));
    assert.ok(c.frames.some((f) => f.response_type === 'ERROR' && f.error_code === 160012));
    assert.ok(c.frames.some((f) => f.response_type === 'ERROR' && f.error_code === 160001));
    c.ws.close();
  });

  it('closes a client that stays silent past the idle timeout and keeps one that sends PING', async () => {
    const quiet = await raw(s.url);
    const pinger = await raw(s.url);
    const timer = setInterval(() => pinger.ws.send('{"request_type":"PING"}'), 300);
    await quiet.closed;
    assert.equal(pinger.ws.readyState, WebSocket.OPEN);
    clearInterval(timer);
    pinger.ws.close();
  });

  it('serves the market list in Coinone format and lists and delists markets at run time', async () => {
    const url = COINONE_MARKETS.url({ id: 'coinone', url: s.url, restUrl: s.restUrl, symbols: [], channels: [], depth: 15, options: {} });
    const list = async () => COINONE_MARKETS.parse(await (await fetch(url)).text()).map((m) => m.symbol);
    const before = await list();
    assert.ok(before.length >= 20 && before.includes('BTC/KRW'));
    s.listMarket('ZZZ/KRW');
    assert.ok((await list()).includes('ZZZ/KRW'));
    s.delistMarket('ZZZ/KRW');
    assert.deepEqual(await list(), before);
    assert.deepEqual(sim.config(s), { url: s.url, restUrl: s.restUrl, symbols: ['BTC/KRW', 'ETH/KRW'] });
  });
});

describe('coinone through a gateway', () => {
  let s: CoinoneSimHandle;
  let gw: Awaited<ReturnType<typeof startGateway>>;
  let client: TestClient;
  const stats = () => gw.kernel.supervisors.find((x) => x.id === 'coinone')!.connections[0]!;
  const mine = () => client.frames.filter((f) => isRecord(f) && f.ex === 'coinone');

  before(async () => {
    s = await startCoinoneSim({ seed: 7, intervalMs: 50 });
    gw = await startGateway({ exchanges: { coinone: { ...sim.config(s), symbols: SYMBOLS, ...RESILIENCE } } });
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
    tap.ws.send(sub('TRADE', 'BTC'));
    const pack = await TestClient.connect(`${gw.ws}?format=msgpack&snapshot=false&exchange=coinone`);
    await flowsAfter(0);
    await pack.collect(isRecord, 100, 20_000);
    const trades = mine().filter((f) => f.ty === 'trade' && f.cd === 'BTC/KRW');
    const bySid = new Map(tap.frames.filter((f) => f.channel === 'TRADE').map((f) => [(f.data as Frame).id as string, f.data as Frame]));
    let exact = 0;
    for (const t of trades) {
      const d = bySid.get(t.sid as string);
      if (!d) continue;
      assert.deepEqual([t.tp, t.tv, t.tms, t.ab, t.mc], [Number(d.price), Number(d.qty), d.timestamp, d.is_seller_maker ? 'BID' : 'ASK', 'KRW-BTC']);
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
    // the gateway's whole subscription set (short format; the test's own tap subscribes in default) went out again
    const again = s.received().slice(received);
    for (const f of new Set(s.received().slice(0, received))) if (f.includes('"format":"SHORT"')) assert.ok(again.includes(f), `re-sent ${f}`);
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
    s.sendRaw('{"response_type": ');
    s.sendRaw('{"response_type":"ERROR","error_code":160012,"message":"Invalid Topic"}');
    await waitFor(() => (stats().errors.BAD_FRAME ?? 0) > bad && (stats().errors.EXCHANGE_ERROR ?? 0) > exch, 5000, 'counted');
    const n = client.frames.length;
    await client.next((f) => f.ex === 'coinone', 5000, n);
    assert.equal(stats().reconnects, reconnects);
  });
});

describe('coinone whole universe (symbols: {quote: [KRW]})', () => {
  let s: CoinoneSimHandle;
  let gw: Awaited<ReturnType<typeof startGateway>>;

  before(async () => {
    s = await startCoinoneSim({ seed: 9, intervalMs: 50 });
    const { url, restUrl } = sim.config(s);
    gw = await startGateway({ exchanges: { coinone: { url, restUrl, symbols: { quote: ['KRW'] }, marketRefreshMs: 200, channels: ['trade'], ...RESILIENCE } } });
  });
  after(async () => {
    await gw?.kernel.close();
    await s?.close();
  });

  it('follows the market list: a listing is subscribed and streams, a delisting is published', async () => {
    const c = await TestClient.connect(`${gw.ws}?exchange=coinone&type=listing,trade&snapshot=false`);
    await waitFor(() => c.frames.some((f) => f.ty === 'trade' && f.cd === 'XRP/KRW'), 20_000, 'the listed markets stream');
    s.listMarket('ZZZ/KRW');
    const listed = await c.next((f) => f.ty === 'listing' && f.cd === 'ZZZ/KRW', 10_000);
    assert.deepEqual([listed.ls, listed.mc], ['listed', 'KRW-ZZZ']);
    await c.next((f) => f.ty === 'trade' && f.cd === 'ZZZ/KRW', 20_000);
    s.delistMarket('ZZZ/KRW');
    const gone = await c.next((f) => f.ty === 'listing' && f.cd === 'ZZZ/KRW' && f.ls === 'delisted', 10_000);
    assert.equal(gone.ex, 'coinone');
    await c.close();
  });
});

describe('coinone keep-alive through a gateway', () => {
  it('sends PING often enough that the idle close never comes', async () => {
    const s = await startCoinoneSim({ seed: 11, intervalMs: 50, idleTimeoutMs: 2500 });
    const gw = await startGateway({ exchanges: { coinone: { ...sim.config(s), symbols: ['BTC/KRW'], channels: ['trade'], keepAliveMs: 1000, ...RESILIENCE } } });
    try {
      const stats = () => gw.kernel.supervisors.find((x) => x.id === 'coinone')?.connections[0];
      await waitFor(() => stats()?.state === 'open', 10_000, 'open');
      await waitFor(() => s.received().filter((f) => f === '{"request_type":"PING"}').length >= 6, 20_000, 'six PINGs');
      // more than twice the idle limit has passed on one connection
      assert.equal(s.totalConnections(), 1);
      assert.equal(stats()!.reconnects, 0);
    } finally {
      await gw.kernel.close();
      await s.close();
    }
  });
});
