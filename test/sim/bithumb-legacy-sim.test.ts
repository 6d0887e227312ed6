// The Bithumb legacy simulator greets, acks filters, streams its string formats, and agrees with its REST snapshot.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startBithumbLegacySim } from '../../plugins/bithumb/sim.ts';
import type { SimHandle } from '../../sim/index.ts';
import { TestClient } from './ws-client.ts';

type Msg = Record<string, any>;
interface DepthItem {
  symbol: string;
  orderType: 'ask' | 'bid';
  price: string;
  quantity: string;
  total: string;
}
interface RestBook {
  status: string;
  data: { timestamp: string; payment_currency: string; order_currency: string; bids: { quantity: string; price: string }[]; asks: { quantity: string; price: string }[] };
}

const ACK = { status: '0000', resmsg: 'Filter Registered Successfully' };
const INVALID = { status: '5100', resmsg: 'Invalid Filter Syntax' };

/** contDtm is Korea time; as UTC ms */
const kstToMs = (text: string): number => Date.parse(`${text.replace(' ', 'T').slice(0, 23)}+09:00`);

describe('bithumb legacy simulator', () => {
  let sim: SimHandle;
  const clients: TestClient[] = [];
  const open = async (): Promise<TestClient> => {
    const c = await TestClient.open(sim.url);
    clients.push(c);
    return c;
  };
  before(async () => {
    sim = await startBithumbLegacySim({ intervalMs: 20, seed: 11 });
  });
  after(async () => {
    await sim.close();
    await Promise.all(clients.map((c) => c.closed));
  });

  it('greets on connect, acks each valid filter and rejects invalid ones with 5100', async () => {
    const c = await open();
    assert.match(sim.url, /\/pub\/ws$/);
    assert.deepEqual(await c.next('the greeting', (j) => j.status === '0000'), { status: '0000', resmsg: 'Connected Successfully' });
    c.send('{"type":"ticker","symbols":["BTC_KRW"],"tickTypes":["24H"]}');
    await c.collect('one ack', 1, (j) => j.resmsg === ACK.resmsg);
    c.send('{"type":"ticker","symbols":["KRW-BTC"],"tickTypes":["24H"]}');
    c.send('{"type":"candles","symbols":["BTC_KRW"]}');
    c.send('{"type":"ticker","symbols":["BTC_KRW"]}');
    c.send('garbage');
    const rejections = await c.collect('four rejections', 4, (j) => j.status === '5100');
    for (const r of rejections) assert.deepEqual(r, INVALID);
  });

  it('streams transaction, ticker and orderbookdepth contents as strings, in Korea time', async () => {
    const c = await open();
    c.send('{"type":"transaction","symbols":["BTC_KRW"]}');
    c.send('{"type":"ticker","symbols":["BTC_KRW"],"tickTypes":["24H"]}');
    c.send('{"type":"orderbookdepth","symbols":["BTC_KRW"]}');
    await c.collect('three acks', 3, (j) => j.resmsg === ACK.resmsg);

    const tx = await c.next<Msg>('a transaction', (j) => j.type === 'transaction');
    const item = tx.content.list[0];
    assert.deepEqual(Object.keys(item), ['symbol', 'buySellGb', 'contPrice', 'contQty', 'contAmt', 'contDtm', 'updn']);
    assert.equal(item.symbol, 'BTC_KRW');
    assert.ok(item.buySellGb === '1' || item.buySellGb === '2');
    assert.ok(item.updn === 'up' || item.updn === 'dn');
    assert.match(item.contDtm, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}$/);
    assert.ok(Math.abs(kstToMs(item.contDtm) - Date.now()) < 10_000, `contDtm ${item.contDtm} is Korea time`);
    assert.ok(Math.abs(Number(item.contAmt) - Number(item.contPrice) * Number(item.contQty)) < 1);

    const ticker = (await c.next<Msg>('a ticker', (j) => j.type === 'ticker')).content;
    const fields = ['symbol', 'tickType', 'date', 'time', 'openPrice', 'closePrice', 'lowPrice', 'highPrice', 'value', 'volume',
      'sellVolume', 'buyVolume', 'prevClosePrice', 'chgRate', 'chgAmt', 'volumePower'];
    assert.deepEqual(Object.keys(ticker), fields);
    for (const f of fields) assert.equal(typeof ticker[f], 'string', `${f} is a string`);
    assert.equal(ticker.tickType, '24H');
    assert.match(ticker.date, /^\d{8}$/);
    assert.match(ticker.time, /^\d{6}$/);
    const pct = ((Number(ticker.closePrice) - Number(ticker.openPrice)) / Number(ticker.openPrice)) * 100;
    assert.ok(Math.abs(Number(ticker.chgRate) - pct) < 0.01, 'chgRate is in percent');

    const depths = await c.collect<Msg>('two depth messages', 2, (j) => j.type === 'orderbookdepth');
    const [first, second] = depths as [Msg, Msg];
    assert.notEqual(typeof first.content.datetime, typeof second.content.datetime, 'datetime alternates string and number');
    assert.ok(Math.abs(Number(first.content.datetime) / 1000 - Date.now()) < 10_000, 'datetime is in microseconds');
    const level = first.content.list[0] as DepthItem;
    assert.deepEqual(Object.keys(level), ['symbol', 'orderType', 'price', 'quantity', 'total']);
    assert.ok(first.content.list.every((l: DepthItem) => (l.orderType === 'ask' || l.orderType === 'bid') && typeof l.quantity === 'string'));
  });

  it('diffs stamped after a REST snapshot turn it into the next snapshot, and earlier ones are already in it', async () => {
    const c = await open();
    c.send('{"type":"orderbookdepth","symbols":["XRP_KRW"]}');
    await c.collect('buffered diffs', 3, (j) => j.type === 'orderbookdepth');
    const rest = async (): Promise<RestBook> => (await (await fetch(`${sim.restUrl}/public/orderbook/XRP_KRW?count=1000`)).json()) as RestBook;
    const first = await rest();
    assert.equal(first.status, '0000');
    assert.equal(first.data.order_currency, 'XRP');
    assert.equal(first.data.payment_currency, 'KRW');
    await c.collect('diffs after the first snapshot', 3, (j) => j.type === 'orderbookdepth' && Number(j.content.datetime) > Number(first.data.timestamp) * 1000);
    const second = await rest();
    const secondUs = Number(second.data.timestamp) * 1000;
    // Once a diff newer than the second snapshot has arrived, every diff it contains has arrived too.
    await c.next('a diff after the second snapshot', (j) => j.type === 'orderbookdepth' && Number(j.content.datetime) > secondUs);

    const bids = new Map(first.data.bids.map((l) => [l.price, l.quantity]));
    const asks = new Map(first.data.asks.map((l) => [l.price, l.quantity]));
    const firstUs = Number(first.data.timestamp) * 1000;
    for (const f of c.frames) {
      const j = f.json as Msg;
      if (j.type !== 'orderbookdepth') continue;
      const us = Number(j.content.datetime);
      if (us <= firstUs || us > secondUs) continue;
      for (const l of j.content.list as DepthItem[]) {
        const side = l.orderType === 'bid' ? bids : asks;
        if (Number(l.quantity) === 0) side.delete(l.price);
        else side.set(l.price, l.quantity);
      }
    }
    assert.deepEqual(bids, new Map(second.data.bids.map((l) => [l.price, l.quantity])));
    assert.deepEqual(asks, new Map(second.data.asks.map((l) => [l.price, l.quantity])));
    assert.ok(Number(second.data.bids[0]!.price) < Number(second.data.asks[0]!.price), 'never crossed');
  });

  it('limits the REST snapshot to count levels and refuses unknown symbols', async () => {
    const book = (await (await fetch(`${sim.restUrl}/public/orderbook/BTC_KRW?count=5`)).json()) as RestBook;
    assert.equal(book.data.bids.length, 5);
    assert.equal(book.data.asks.length, 5);
    assert.match(book.data.timestamp, /^\d{13}$/);
    const bad = await fetch(`${sim.restUrl}/public/orderbook/KRW-BTC`);
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as { status: string }).status, '5500');
  });
});
