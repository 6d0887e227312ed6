// The Binance simulator speaks Binance's stream, subscribe and REST protocol, and its book can be synchronized.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startBinanceSim } from '../../plugins/binance/sim.ts';
import type { SimHandle } from '../../sim/index.ts';
import { TestClient } from './ws-client.ts';

type Pair = [string, string];
interface DepthUpdate {
  e: string;
  E: number;
  s: string;
  U: number;
  u: number;
  b: Pair[];
  a: Pair[];
}
interface Snapshot {
  lastUpdateId: number;
  bids: Pair[];
  asks: Pair[];
}

const DECIMAL = /^\d+\.\d{8}$/;

describe('binance simulator', () => {
  let sim: SimHandle;
  const clients: TestClient[] = [];
  const open = async (path: string): Promise<TestClient> => {
    const c = await TestClient.open(`${sim.url}${path}`);
    clients.push(c);
    return c;
  };

  before(async () => {
    sim = await startBinanceSim({ intervalMs: 20, seed: 7, pingIntervalMs: 100 });
  });
  after(async () => {
    await sim.close();
    await Promise.all(clients.map((c) => c.closed));
  });

  it('streams trade, 24hrTicker and depthUpdate frames wrapped as {stream, data} on /stream', async () => {
    const c = await open('/stream?streams=btcusdt@trade/btcusdt@ticker/btcusdt@depth@100ms');
    const trades = await c.collect<{ stream: string; data: Record<string, unknown> }>('trades', 3, (j) => j.stream === 'btcusdt@trade');
    for (const { data } of trades) {
      assert.deepEqual(Object.keys(data), ['e', 'E', 's', 't', 'p', 'q', 'T', 'm', 'M']);
      assert.equal(data.e, 'trade');
      assert.equal(data.s, 'BTCUSDT');
      assert.match(data.p as string, DECIMAL);
      assert.match(data.q as string, DECIMAL);
      assert.ok(Number(data.p) > 50_000 && Number(data.p) < 200_000, `BTCUSDT price ${data.p}`);
      assert.equal(typeof data.m, 'boolean');
      assert.equal(data.M, true);
      assert.ok((data.t as number) > 1_000_000_000);
    }
    assert.ok((trades[1]!.data.t as number) > (trades[0]!.data.t as number), 'trade ids increase');

    const depth = (await c.next<{ data: DepthUpdate }>('a depth update', (j) => j.stream === 'btcusdt@depth@100ms')).data;
    assert.deepEqual(Object.keys(depth), ['e', 'E', 's', 'U', 'u', 'b', 'a']);
    assert.equal(depth.e, 'depthUpdate');
    assert.ok(depth.u >= depth.U);
    for (const [p, q] of [...depth.b, ...depth.a]) assert.ok(DECIMAL.test(p) && DECIMAL.test(q));

    const ticker = (await c.next<{ data: Record<string, unknown> }>('a ticker', (j) => j.stream === 'btcusdt@ticker')).data;
    const fields = ['e', 'E', 's', 'p', 'P', 'w', 'x', 'c', 'Q', 'b', 'B', 'a', 'A', 'o', 'h', 'l', 'v', 'q', 'O', 'C', 'F', 'L', 'n'];
    assert.deepEqual(Object.keys(ticker), fields);
    assert.equal(ticker.e, '24hrTicker');
    assert.ok(Number(ticker.b) < Number(ticker.a), 'best bid below best ask');
    assert.ok(Number(ticker.l) <= Number(ticker.c) && Number(ticker.c) <= Number(ticker.h));
    assert.equal(ticker.n, (ticker.L as number) - (ticker.F as number) + 1);
    assert.equal(ticker.C as number, ticker.E);
  });

  it('answers SUBSCRIBE and UNSUBSCRIBE with result null and sends raw payloads on /ws', async () => {
    const c = await open('/ws');
    c.send('{"method":"SUBSCRIBE","params":["ethusdt@trade"],"id":1}');
    await c.next('the subscribe answer', (j) => j.id === 1 && j.result === null);
    const trade = await c.next<Record<string, unknown>>('a raw trade', (j) => j.e === 'trade');
    assert.equal(trade.s, 'ETHUSDT');
    assert.equal('stream' in trade, false);
    c.send('{"method":"LIST_SUBSCRIPTIONS","id":2}');
    assert.deepEqual((await c.next('the list', (j) => j.id === 2)).result, ['ethusdt@trade']);
    c.send('{"method":"UNSUBSCRIBE","params":["ethusdt@trade"],"id":3}');
    await c.next('the unsubscribe answer', (j) => j.id === 3 && j.result === null);
    const mark = c.frames.length;
    c.send('{"method":"LIST_SUBSCRIPTIONS","id":4}');
    const list = await c.next('the empty list', (j) => j.id === 4, mark);
    assert.deepEqual(list.result, []);
    // Anything after the list answer was sent after the unsubscribe took effect.
    const listAt = c.frames.findIndex((f, i) => i >= mark && (f.json as { id?: number }).id === 4);
    assert.equal(c.frames.slice(listAt + 1).some((f) => (f.json as { e?: string }).e === 'trade'), false);
  });

  it('answers bad requests with Binance-style error objects', async () => {
    const c = await open('/stream');
    c.send('{"method":"SUBSCRIBE","params":["BTCUSDT@TRADE"],"id":5}');
    const bad = await c.next<{ error: { code: number; msg: string }; id: number }>('an error', (j) => j.id === 5);
    assert.equal(bad.error.code, 2);
    assert.match(bad.error.msg, /Invalid request/);
    c.send('{"method":"FETCH","params":[],"id":6}');
    assert.equal((await c.next<{ error: { code: number } }>('an unknown-method error', (j) => j.id === 6)).error.code, 2);
    c.send('not json');
    assert.equal((await c.next<{ error: { code: number } }>('a JSON error', (j) => j.error?.code === 3)).error.code, 3);
  });

  it('closes with 1008 a connection that sends more than 5 messages in a second', async () => {
    const c = await open('/ws');
    for (let i = 1; i <= 7; i++) c.send(`{"method":"LIST_SUBSCRIPTIONS","id":${i}}`);
    assert.equal((await c.closed).code, 1008);
  });

  it('refuses unknown symbols over REST with -1121 and malformed stream names on upgrade', async () => {
    const res = await fetch(`${sim.restUrl}/api/v3/depth?symbol=NOPE&limit=5`);
    assert.equal(res.status, 400);
    assert.deepEqual(await res.json(), { code: -1121, msg: 'Invalid symbol.' });
    await assert.rejects(TestClient.open(`${sim.url}/stream?streams=btcusdt@nonsense`), (err: { status?: number }) => err.status === 400);
  });

  it('serves raw /ws/<stream> paths, partial books, bookTicker and the one-second @depth diff stream', async () => {
    const raw = await open('/ws/xrpusdt@trade');
    assert.equal((await raw.next<Record<string, unknown>>('a raw trade', (j) => j.e === 'trade')).s, 'XRPUSDT');
    const c = await open('/stream?streams=xrpusdt@depth5@100ms/xrpusdt@bookTicker/xrpusdt@depth');
    const partial = (await c.next<{ data: Snapshot }>('a partial book', (j) => j.stream === 'xrpusdt@depth5@100ms')).data;
    assert.deepEqual(Object.keys(partial), ['lastUpdateId', 'bids', 'asks']);
    assert.equal(partial.bids.length, 5);
    const top = (await c.next<{ data: Record<string, string> }>('a bookTicker', (j) => j.stream === 'xrpusdt@bookTicker')).data;
    assert.deepEqual(Object.keys(top), ['u', 's', 'b', 'B', 'a', 'A']);
    assert.ok(Number(top.b) < Number(top.a));
    const slow = (await c.next<{ data: DepthUpdate }>('a 1000 ms diff', (j) => j.stream === 'xrpusdt@depth')).data;
    assert.equal(slow.e, 'depthUpdate');
    assert.ok(slow.u - slow.U > 10, 'one second of changes folded into one event');
  });

  it('pings clients every pingIntervalMs', async () => {
    const c = await open('/ws');
    await c.until('two pings', () => c.pings >= 2);
  });

  it('a client following the documented sync procedure rebuilds exactly the book the REST snapshot shows', async () => {
    const c = await open('/stream?streams=btcusdt@depth@100ms');
    const updates = (): DepthUpdate[] =>
      c.frames.map((f) => f.json as { stream?: string; data: DepthUpdate }).filter((j) => j.stream === 'btcusdt@depth@100ms').map((j) => j.data);
    await c.until('buffered updates', () => updates().length >= 3);
    const getSnapshot = async (): Promise<Snapshot> =>
      (await (await fetch(`${sim.restUrl}/api/v3/depth?symbol=BTCUSDT&limit=1000`)).json()) as Snapshot;

    const first = await getSnapshot();
    const bids = new Map(first.bids);
    const asks = new Map(first.asks);
    let applied = 0;
    let prevU: number | undefined;
    const states = new Map<number, { bids: Map<string, string>; asks: Map<string, string> }>();
    const applyAvailable = (): number | undefined => {
      const all = updates();
      for (; applied < all.length; applied++) {
        const d = all[applied]!;
        if (d.u <= first.lastUpdateId) continue;
        if (prevU === undefined) assert.ok(d.U <= first.lastUpdateId + 1 && first.lastUpdateId + 1 <= d.u, 'first event straddles the snapshot');
        else assert.equal(d.U, prevU + 1, 'events are consecutive');
        for (const [side, changes] of [[bids, d.b], [asks, d.a]] as const) {
          for (const [p, q] of changes) {
            if (Number(q) === 0) side.delete(p);
            else side.set(p, q);
          }
        }
        prevU = d.u;
        states.set(d.u, { bids: new Map(bids), asks: new Map(asks) });
      }
      return prevU;
    };

    await c.until('more updates', () => (applyAvailable() ?? 0) > first.lastUpdateId + 50 && states.size >= 3);
    const second = await getSnapshot();
    await c.until('the update that reaches the second snapshot', () => (applyAvailable() ?? 0) >= second.lastUpdateId);
    const local = states.get(second.lastUpdateId);
    assert.ok(local, 'some update ends exactly at the snapshot id');
    assert.deepEqual(local.bids, new Map(second.bids));
    assert.deepEqual(local.asks, new Map(second.asks));
    assert.ok(second.bids.length >= 50 && second.asks.length >= 50, 'at least 50 levels a side');
    assert.ok(Number(second.bids[0]![0]) < Number(second.asks[0]![0]), 'never crossed');
  });
});
