// The Upbit simulator and its Bithumb v1 variant speak the Upbit request/format protocol, each with its own quirks.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startBithumbSim } from '../../plugins/bithumb/sim.ts';
import { startUpbitSim } from '../../plugins/upbit/sim.ts';
import type { SimHandle } from '../../sim/index.ts';
import { TestClient } from './ws-client.ts';

type Msg = Record<string, any>;

const TICKER_FIELDS = [
  'type', 'code', 'opening_price', 'high_price', 'low_price', 'trade_price', 'prev_closing_price', 'change', 'change_price',
  'signed_change_price', 'change_rate', 'signed_change_rate', 'trade_volume', 'acc_trade_volume', 'acc_trade_volume_24h',
  'acc_trade_price', 'acc_trade_price_24h', 'trade_date', 'trade_time', 'trade_timestamp', 'ask_bid', 'acc_ask_volume',
  'acc_bid_volume', 'highest_52_week_price', 'highest_52_week_date', 'lowest_52_week_price', 'lowest_52_week_date',
  'market_state', 'is_trading_suspended', 'delisting_date', 'market_warning', 'timestamp', 'stream_type',
];
const TRADE_FIELDS = [
  'type', 'code', 'timestamp', 'trade_date', 'trade_time', 'trade_timestamp', 'trade_price', 'trade_volume', 'ask_bid',
  'prev_closing_price', 'change', 'change_price', 'sequential_id', 'best_ask_price', 'best_ask_size', 'best_bid_price',
  'best_bid_size', 'stream_type',
];
const ORDERBOOK_FIELDS = ['type', 'code', 'timestamp', 'total_ask_size', 'total_bid_size', 'orderbook_units', 'stream_type', 'level'];
const SIMPLE_TICKER = [
  'ty', 'cd', 'op', 'hp', 'lp', 'tp', 'pcp', 'c', 'cp', 'scp', 'cr', 'scr', 'tv', 'atv', 'atv24h', 'atp', 'atp24h', 'tdt', 'ttm',
  'ttms', 'ab', 'aav', 'abv', 'h52wp', 'h52wdt', 'l52wp', 'l52wdt', 'ms', 'its', 'dd', 'mw', 'tms', 'st',
];
const SIMPLE_TRADE = ['ty', 'cd', 'tp', 'tv', 'ab', 'pcp', 'c', 'cp', 'td', 'ttm', 'ttms', 'tms', 'sid', 'bap', 'bas', 'bbp', 'bbs', 'st'];
const SIMPLE_ORDERBOOK = ['ty', 'cd', 'tas', 'tbs', 'obu', 'tms', 'lv', 'st'];

const sorted = (keys: string[]): string[] => [...keys].sort();
const request = (...parts: object[]): string => JSON.stringify([{ ticket: `t-${Math.random()}` }, ...parts]);

describe('upbit simulator', () => {
  let sim: SimHandle;
  const clients: TestClient[] = [];
  const open = async (): Promise<TestClient> => {
    const c = await TestClient.open(sim.url);
    clients.push(c);
    return c;
  };

  before(async () => {
    sim = await startUpbitSim({ intervalMs: 20, seed: 3 });
  });
  after(async () => {
    await sim.close();
    await Promise.all(clients.map((c) => c.closed));
  });

  it('answers a DEFAULT request with a SNAPSHOT then REALTIME binary frames carrying every documented field', async () => {
    const c = await open();
    c.send(request({ type: 'ticker', codes: ['KRW-BTC'] }, { type: 'trade', codes: ['KRW-BTC'] }, { type: 'orderbook', codes: ['KRW-BTC.5'] }));
    const ticker = await c.next<Msg>('a realtime ticker', (j) => j.type === 'ticker' && j.stream_type === 'REALTIME');
    const trade = await c.next<Msg>('a realtime trade', (j) => j.type === 'trade' && j.stream_type === 'REALTIME');
    const book = await c.next<Msg>('a realtime orderbook', (j) => j.type === 'orderbook' && j.stream_type === 'REALTIME');
    assert.ok(c.frames.every((f) => f.binary), 'every frame is binary');
    for (const type of ['ticker', 'trade', 'orderbook']) {
      const firsts = c.frames.filter((f) => (f.json as Msg).type === type);
      assert.equal((firsts[0]!.json as Msg).stream_type, 'SNAPSHOT', `${type} starts with a snapshot`);
      assert.ok(firsts.slice(1).every((f) => (f.json as Msg).stream_type === 'REALTIME'));
    }

    assert.deepEqual(Object.keys(ticker), TICKER_FIELDS);
    assert.equal(ticker.code, 'KRW-BTC');
    assert.ok(ticker.trade_price > 100_000_000 && ticker.trade_price < 200_000_000);
    const expected = ticker.trade_price > ticker.prev_closing_price ? 'RISE' : ticker.trade_price < ticker.prev_closing_price ? 'FALL' : 'EVEN';
    assert.equal(ticker.change, expected);
    assert.ok(Math.abs(ticker.signed_change_rate) < 0.2, 'signed_change_rate is a fraction');
    assert.match(ticker.trade_date, /^\d{8}$/);
    assert.match(ticker.trade_time, /^\d{6}$/);

    assert.deepEqual(Object.keys(trade), TRADE_FIELDS);
    assert.match(trade.trade_date, /^\d{4}-\d{2}-\d{2}$/);
    assert.match(trade.trade_time, /^\d{2}:\d{2}:\d{2}$/);
    assert.ok(trade.ask_bid === 'ASK' || trade.ask_bid === 'BID');
    assert.equal(typeof trade.sequential_id, 'number');
    assert.ok(Number.isInteger(trade.trade_timestamp) && trade.trade_timestamp > 1.5e12);
    assert.equal(trade.trade_price % 1000, 0, 'KRW-BTC trades on a 1000 KRW tick');

    assert.deepEqual(Object.keys(book), ORDERBOOK_FIELDS);
    assert.equal(book.code, 'KRW-BTC', 'the depth suffix is not echoed');
    assert.equal(book.orderbook_units.length, 5);
    assert.equal(typeof book.timestamp, 'number');
    assert.equal(book.level, 0);
    assert.deepEqual(Object.keys(book.orderbook_units[0]), ['ask_price', 'bid_price', 'ask_size', 'bid_size']);
    assert.ok(book.orderbook_units[0].bid_price < book.orderbook_units[0].ask_price, 'not crossed');
    const asks = book.orderbook_units.reduce((s: number, u: Msg) => s + u.ask_size, 0);
    assert.ok(Math.abs(asks - book.total_ask_size) < 1e-6);
  });

  it('uses the SIMPLE abbreviations, td for a trade date and tdt for a ticker date', async () => {
    const c = await open();
    c.send(request({ type: 'ticker', codes: ['KRW-ETH'] }, { type: 'trade', codes: ['KRW-ETH'] }, { type: 'orderbook', codes: ['KRW-ETH.1'] }, { format: 'SIMPLE' }));
    const ticker = await c.next<Msg>('a SIMPLE ticker', (j) => j.ty === 'ticker');
    const trade = await c.next<Msg>('a SIMPLE trade', (j) => j.ty === 'trade');
    const book = await c.next<Msg>('a SIMPLE orderbook', (j) => j.ty === 'orderbook');
    assert.deepEqual(sorted(Object.keys(ticker)), sorted(SIMPLE_TICKER));
    assert.deepEqual(sorted(Object.keys(trade)), sorted(SIMPLE_TRADE));
    assert.deepEqual(sorted(Object.keys(book)), sorted(SIMPLE_ORDERBOOK));
    assert.deepEqual(Object.keys(book.obu[0]), ['ap', 'bp', 'as', 'bs']);
    assert.equal(book.obu.length, 1);
    assert.equal(book.cd, 'KRW-ETH');
    assert.ok(ticker.tp > 3_000_000 && ticker.tp < 8_000_000, `KRW-ETH price ${ticker.tp}`);
  });

  it('wraps each message in an array for SIMPLE_LIST', async () => {
    const c = await open();
    c.send(request({ type: 'trade', codes: ['KRW-XRP'] }, { format: 'SIMPLE_LIST' }));
    const list = await c.next<Msg[]>('a list', (j) => Array.isArray(j));
    assert.equal(list[0]!.ty, 'trade');
    assert.equal(list[0]!.cd, 'KRW-XRP');
  });

  it('replaces the previous subscription when a new request arrives', async () => {
    const c = await open();
    c.send(request({ type: 'trade', codes: ['KRW-BTC'] }));
    await c.collect('BTC trades', 3, (j) => j.code === 'KRW-BTC');
    c.send(request({ type: 'trade', codes: ['KRW-SOL'] }));
    await c.collect('SOL trades', 5, (j) => j.code === 'KRW-SOL');
    const firstSol = c.frames.findIndex((f) => (f.json as Msg).code === 'KRW-SOL');
    assert.equal((c.frames[firstSol]!.json as Msg).stream_type, 'SNAPSHOT');
    assert.equal(c.frames.slice(firstSol).some((f) => (f.json as Msg).code === 'KRW-BTC'), false, 'no BTC after the new request');
  });

  it('answers PING with status UP and bad requests with INVALID_PARAM or WRONG_FORMAT', async () => {
    const c = await open();
    c.send('PING');
    await c.next('the pong', (j) => j.status === 'UP');
    c.send(request({ type: 'trade', codes: ['BTC'] }));
    assert.equal((await c.next<Msg>('an invalid code error', (j) => j.error)).error.name, 'INVALID_PARAM');
    const mark = c.frames.length;
    c.send('{not json');
    assert.equal((await c.next<Msg>('a format error', (j) => j.error, mark)).error.name, 'WRONG_FORMAT');
    assert.ok(c.frames.every((f) => f.binary));
    assert.ok(sim.received().includes('PING'), 'received() records client messages');
  });

  it('closes a connection that sends nothing for idleTimeoutMs', async () => {
    const quiet = await startUpbitSim({ idleTimeoutMs: 150 });
    try {
      const c = await TestClient.open(quiet.url);
      const started = Date.now();
      await c.closed;
      assert.ok(Date.now() - started >= 100, 'not long before the timeout');
      assert.equal(quiet.connections(), 0);
    } finally {
      await quiet.close();
    }
  });
});

describe('bithumb v1 simulator', () => {
  let sim: SimHandle;
  let client: TestClient | undefined;
  before(async () => {
    sim = await startBithumbSim({ intervalMs: 20, seed: 5 });
  });
  after(async () => {
    await sim.close();
    await client?.closed;
  });

  it('sends text frames, string sequential ids and microsecond string orderbook timestamps', async () => {
    const c = (client = await TestClient.open(sim.url));
    assert.match(sim.url, /\/websocket\/v1$/);
    c.send(request({ type: 'trade', codes: ['KRW-BTC'] }, { type: 'orderbook', codes: ['KRW-BTC'] }));
    const trade = await c.next<Msg>('a trade', (j) => j.type === 'trade' && j.stream_type === 'REALTIME');
    const book = await c.next<Msg>('an orderbook', (j) => j.type === 'orderbook' && j.stream_type === 'REALTIME');
    assert.ok(c.frames.every((f) => !f.binary), 'text frames');
    assert.equal(typeof trade.sequential_id, 'string');
    assert.match(trade.sequential_id, /^\d{16}$/);
    assert.equal(typeof book.timestamp, 'string');
    assert.ok(Math.abs(Number(book.timestamp) / 1000 - Date.now()) < 10_000, 'timestamp is in microseconds');
    assert.equal(book.level, 0);
    assert.equal(book.orderbook_units.length, 15, 'no suffix means 15 units');
    c.send(request({ type: 'orderbook', codes: ['KRW-BTC'] }, { format: 'SIMPLE' }));
    const simple = await c.next<Msg>('a SIMPLE orderbook', (j) => j.ty === 'orderbook');
    assert.equal(typeof simple.tms, 'string');
    assert.equal(simple.lv, 0);
  });
});
