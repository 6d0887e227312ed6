// The Bybit simulator speaks Bybit's protocol: acks, pongs, error answers, limits, book snapshot then deltas, and a
// market list that changes at run time; the plugin's market-list parser reads it by the symbol-alias rule.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ASSET_ALIASES, isSymbol } from '../../sdk/index.ts';
import { TestClient, waitFor } from '../../test/support/client.ts';
import type { Frame } from '../../test/support/client.ts';
import { parseInstruments } from './markets.ts';
import { startBybitSim } from './sim.ts';
import type { BybitSimHandle } from './sim.ts';

describe('bybit simulator', () => {
  let sim: BybitSimHandle;
  const clients: TestClient[] = [];
  const connect = async () => {
    const c = await TestClient.connect(sim.url);
    clients.push(c);
    return c;
  };
  const op = (op: string) => (f: Frame) => f.op === op && 'success' in f;
  const instruments = async () => parseInstruments(await (await fetch(`${sim.restUrl}/v5/market/instruments-info?category=spot`)).text());

  before(async () => {
    sim = await startBybitSim({ seed: 5, intervalMs: 50 });
  });

  after(async () => {
    for (const c of clients) await c.close();
    await sim.close();
  });

  it('answers {"op":"ping"} with the spot pong, echoing req_id', async () => {
    const c = await connect();
    c.send({ op: 'ping', req_id: 'p1' });
    const pong = await c.next(op('ping'));
    assert.equal(pong.success, true);
    assert.equal(pong.ret_msg, 'pong');
    assert.equal(pong.req_id, 'p1');
    assert.equal(typeof pong.conn_id, 'string');
  });

  it('acknowledges a subscription, sends the book snapshot, then deltas whose u grows by one', async () => {
    const c = await connect();
    c.send({ op: 'subscribe', req_id: 's1', args: ['orderbook.50.BTCUSDT', 'tickers.BTCUSDT', 'publicTrade.BTCUSDT'] });
    const ack = await c.next(op('subscribe'));
    assert.deepEqual([ack.success, ack.ret_msg, ack.req_id], [true, 'subscribe', 's1']);
    const isBook = (f: Frame) => f.topic === 'orderbook.50.BTCUSDT';
    const snap = await c.next(isBook);
    assert.equal(snap.type, 'snapshot');
    const data = snap.data as { b: string[][]; a: string[][]; u: number };
    assert.equal(data.b.length, 50);
    assert.ok(Number(data.b[0]![0]) < Number(data.a[0]![0]), 'uncrossed');
    await c.collect((f) => isBook(f) && f.type === 'delta', 3);
    const us = c.frames.filter(isBook).map((f) => (f.data as { u: number }).u);
    for (let i = 1; i < us.length; i++) assert.equal(us[i], us[i - 1]! + 1);
    const ticker = await c.next((f) => f.topic === 'tickers.BTCUSDT');
    assert.equal((ticker.data as Frame).symbol, 'BTCUSDT');
    const trade = await c.next((f) => f.topic === 'publicTrade.BTCUSDT');
    const first = (trade.data as Frame[])[0]!;
    assert.match(first.i as string, /^\d{19}$/);
    assert.ok(first.S === 'Buy' || first.S === 'Sell');
  });

  it('refuses more than 10 args, unknown topics and a second subscription to the same topic with success false', async () => {
    const c = await connect();
    const args = Array.from({ length: 11 }, (_, i) => `tickers.C${i}USDT`);
    c.send({ op: 'subscribe', req_id: 'big', args });
    assert.match((await c.next((f) => f.req_id === 'big')).ret_msg as string, /args size >10/);
    c.send({ op: 'subscribe', req_id: 'bad', args: ['tickers.NOPEUSDT'] });
    const bad = await c.next((f) => f.req_id === 'bad');
    assert.deepEqual([bad.success, bad.ret_msg], [false, 'error:handler not found,topic:tickers.NOPEUSDT']);
    c.send({ op: 'subscribe', req_id: 'one', args: ['tickers.ETHUSDT'] });
    c.send({ op: 'subscribe', req_id: 'two', args: ['tickers.ETHUSDT'] });
    assert.equal((await c.next((f) => f.req_id === 'two')).success, false);
    c.send('not json');
    assert.equal((await c.next((f) => f.success === false && f.op === '')).success, false);
  });

  it('refuses upgrades on any other path', async () => {
    await assert.rejects(TestClient.connect(sim.url.replace('/v5/public/spot', '/v5/public/linear')), /HTTP 404/);
  });

  it('serves a few hundred spot markets that parse to unified upper-case symbols without aliased names', async () => {
    const markets = await instruments();
    assert.ok(markets.length >= 250, `${markets.length} markets`);
    for (const { symbol, code } of markets) {
      assert.ok(isSymbol(symbol), symbol);
      assert.equal(code, symbol.replace('/', ''));
      for (const part of symbol.split('/')) assert.equal(ASSET_ALIASES[part], undefined, `${symbol} has an aliased name`);
    }
    assert.ok(markets.some((m) => m.symbol === 'BTC/USDT') && markets.some((m) => m.symbol === 'ETH/BTC'));
    const wrong = JSON.parse(await (await fetch(`${sim.restUrl}/v5/market/instruments-info`)).text());
    assert.equal(wrong.retCode, 10001);
  });

  it('lists and delists markets at run time: the list changes and topics of a delisted market stop', async () => {
    sim.listMarket('NEWCOIN/USDT');
    assert.ok((await instruments()).some((m) => m.symbol === 'NEWCOIN/USDT'));
    const c = await connect();
    c.send({ op: 'subscribe', req_id: 'new', args: ['publicTrade.NEWCOINUSDT', 'tickers.BTCUSDT'] });
    assert.equal((await c.next((f) => f.req_id === 'new')).success, true);
    await c.next((f) => f.topic === 'publicTrade.NEWCOINUSDT');
    sim.delistMarket('NEWCOIN/USDT');
    assert.ok(!(await instruments()).some((m) => m.symbol === 'NEWCOIN/USDT'));
    c.send({ op: 'subscribe', req_id: 'again', args: ['tickers.NEWCOINUSDT'] });
    assert.equal((await c.next((f) => f.req_id === 'again')).success, false);
    // several market steps later (the BTC ticker comes every step), the delisted market has sent nothing more
    const seen = c.frames.length;
    await waitFor(() => c.frames.slice(seen).filter((f) => f.topic === 'tickers.BTCUSDT').length >= 4, 10_000, 'four more steps');
    assert.equal(c.frames.slice(seen).filter((f) => f.topic === 'publicTrade.NEWCOINUSDT').length, 0);
  });

  it('with skewed activity sends the ticker of a long-tail market far less often than that of BTC', async () => {
    const skewed = await startBybitSim({ seed: 5, intervalMs: 20, activity: 'skewed' });
    try {
      const c = await TestClient.connect(skewed.url);
      c.send({ op: 'subscribe', args: ['tickers.BTCUSDT', 'tickers.SUNUSDT'] });
      await c.collect((f) => f.topic === 'tickers.BTCUSDT', 60, 20_000);
      const tail = c.frames.filter((f) => f.topic === 'tickers.SUNUSDT').length;
      assert.ok(tail <= 10, `${tail} SUNUSDT tickers against 60 of BTCUSDT`);
      await c.close();
    } finally {
      await skewed.close();
    }
  });
});
