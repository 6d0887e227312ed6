// Behaviour of the Bybit plugin beyond the shared contract (test/plugins/contract.test.ts replays the fixtures):
// book snapshot/delta sync, frames, plans, the market list.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import plugin from './index.ts';
import { BybitMapper } from './map.ts';
import { parseInstruments } from './markets.ts';
import { bookDepth, subscribeFrames, topicGroups } from './wire.ts';
import type { Draft, Output, PluginConfig, RecordType } from '../../sdk/index.ts';
import { testConfig as fixtureConfig } from '../../sdk/testing/index.ts';

const T0 = 1687940966000;
const CONFIG: PluginConfig = fixtureConfig('bybit', { symbols: ['BTC/USDT', 'ETH/USDT'], depth: 3 });

/** An Output that keeps everything a mapper does. */
function capture() {
  const got = { drafts: [] as Draft[], sent: [] as string[], invalidated: [] as string[] };
  const out: Output = {
    emit: (d) => void got.drafts.push(d),
    request: () => assert.fail('Bybit makes no REST requests while streaming'),
    send: (f) => void got.sent.push(f),
    rollover: () => undefined,
    invalidate: (ty: RecordType, cd: string) => void got.invalidated.push(`${ty}|${cd}`),
  };
  return { got, out };
}

type Level = [string, string];
const book = (type: 'snapshot' | 'delta', u: number, b: Level[], a: Level[], s = 'BTCUSDT') =>
  JSON.stringify({ topic: `orderbook.50.${s}`, ts: T0 + u, type, data: { s, b, a, u, seq: 9_000_000 + u }, cts: T0 + u - 1 });
const SNAP = book('snapshot', 100, [['100.0', '1'], ['99.5', '2']], [['100.5', '1.5'], ['101.0', '3']]);

describe('bybit order books', () => {
  it('publishes the snapshot, then each delta that follows on by u + 1, deleting levels of size 0', () => {
    const m = new BybitMapper(CONFIG);
    const { got, out } = capture();
    m.onMessage(SNAP, T0, out);
    m.onMessage(book('delta', 101, [['100.0', '0'], ['99.8', '0.4']], []), T0, out);
    assert.equal(got.drafts.length, 2);
    const last = got.drafts[1] as Extract<Draft, { ty: 'orderbook' }>;
    assert.deepEqual(last.obu, [{ ap: 100.5, as: 1.5, bp: 99.8, bs: 0.4 }, { ap: 101, as: 3, bp: 99.5, bs: 2 }]);
    assert.equal(last.tms, T0 + 101);
    assert.deepEqual(got.sent, []);
  });

  it('on a gap in u invalidates the key, subscribes the topic again and publishes nothing until a new snapshot', () => {
    const m = new BybitMapper(CONFIG);
    const { got, out } = capture();
    m.onMessage(SNAP, T0, out);
    m.onMessage(book('delta', 103, [['99.9', '1']], []), T0, out);
    assert.deepEqual(got.invalidated, ['orderbook|BTC/USDT']);
    assert.deepEqual(got.sent.map((f) => JSON.parse(f).op), ['unsubscribe', 'subscribe']);
    assert.deepEqual(JSON.parse(got.sent[1]!).args, ['orderbook.50.BTCUSDT']);
    m.onMessage(book('delta', 104, [['99.9', '2']], []), T0, out); // in flight from the old subscription
    assert.equal(got.drafts.length, 1);
    m.onMessage(book('snapshot', 110, [['99.9', '2']], [['100.5', '1.5']]), T0, out);
    assert.equal(got.drafts.length, 2);
    assert.deepEqual((got.drafts[1] as Extract<Draft, { ty: 'orderbook' }>).obu, [{ ap: 100.5, as: 1.5, bp: 99.9, bs: 2 }]);
    m.onMessage(book('delta', 111, [], [['100.4', '1']]), T0, out);
    assert.equal(got.drafts.length, 3, 'deltas follow on from the new snapshot');
  });

  it('takes a snapshot with u = 1 (a restart at Bybit) as a new book, without a resync', () => {
    const m = new BybitMapper(CONFIG);
    const { got, out } = capture();
    m.onMessage(SNAP, T0, out);
    m.onMessage(book('snapshot', 1, [['98.0', '1']], [['98.5', '1']]), T0, out);
    m.onMessage(book('delta', 2, [['98.1', '1']], []), T0, out);
    assert.equal(got.drafts.length, 3);
    assert.deepEqual(got.invalidated, []);
  });

  it('never publishes a crossed book: a crossing delta resynchronizes the key', () => {
    const m = new BybitMapper(CONFIG);
    const { got, out } = capture();
    m.onMessage(SNAP, T0, out);
    m.onMessage(book('delta', 101, [['100.6', '1']], []), T0, out);
    assert.equal(got.drafts.length, 1);
    assert.deepEqual(got.invalidated, ['orderbook|BTC/USDT']);
    assert.equal(got.sent.length, 2);
  });

  it('asks again when the snapshot of a resubscription has not come 10 s later', () => {
    const m = new BybitMapper(CONFIG);
    const { got, out } = capture();
    m.onMessage(SNAP, T0, out);
    m.onMessage(book('delta', 105, [], []), T0, out);
    assert.equal(got.sent.length, 2);
    m.onMessage(book('delta', 106, [], []), T0 + 9_000, out);
    assert.equal(got.sent.length, 2, 'still waiting');
    m.onMessage(book('delta', 107, [], []), T0 + 10_500, out);
    assert.equal(got.sent.length, 4, 'a second resubscription');
    assert.equal(got.invalidated.length, 1, 'invalidated once');
  });

  it('keeps a malformed delta from touching the book: the next valid delta still follows on', () => {
    const m = new BybitMapper(CONFIG);
    const { got, out } = capture();
    m.onMessage(SNAP, T0, out);
    const bad = JSON.stringify({ topic: 'orderbook.50.BTCUSDT', ts: T0, type: 'delta', data: { s: 'BTCUSDT', b: [['99.7', 'x']], a: [], u: 101, seq: 1 } });
    assert.throws(() => m.onMessage(bad, T0, out), { code: 'BAD_FRAME' });
    m.onMessage(book('delta', 101, [['99.7', '5']], []), T0, out);
    assert.equal(got.drafts.length, 2);
    assert.deepEqual(got.invalidated, []);
  });

  it('refuses a book of a depth it did not subscribe, so one key never mixes two books', () => {
    const m = new BybitMapper(CONFIG);
    const { got, out } = capture();
    m.onMessage(SNAP, T0, out);
    const other = JSON.parse(SNAP) as { topic: string };
    other.topic = 'orderbook.1.BTCUSDT';
    assert.throws(() => m.onMessage(JSON.stringify(other), T0, out), { code: 'BAD_FRAME' });
    m.onMessage(book('delta', 101, [['99.9', '1']], []), T0, out);
    assert.equal(got.drafts.length, 2);
  });

  it('keeps one book per topic', () => {
    const m = new BybitMapper(CONFIG);
    const { got, out } = capture();
    m.onMessage(SNAP, T0, out);
    m.onMessage(book('snapshot', 7, [['2000', '1']], [['2001', '1']], 'ETHUSDT'), T0, out);
    m.onMessage(book('delta', 101, [['99.9', '1']], []), T0, out);
    m.onMessage(book('delta', 8, [['2000.5', '1']], [], 'ETHUSDT'), T0, out);
    assert.deepEqual(got.drafts.map((d) => d.cd), ['BTC/USDT', 'ETH/USDT', 'BTC/USDT', 'ETH/USDT']);
    assert.deepEqual(got.invalidated, []);
  });
});

describe('bybit frames', () => {
  it('ignores acknowledgements and both pong shapes, and reports a failed request as EXCHANGE_ERROR', () => {
    const m = new BybitMapper(CONFIG);
    const { got, out } = capture();
    m.onMessage('{"success":true,"ret_msg":"pong","conn_id":"c1","op":"ping"}', T0, out);
    m.onMessage('{"args":["1672916271846"],"op":"pong"}', T0, out);
    m.onMessage('{"success":true,"ret_msg":"subscribe","conn_id":"c1","req_id":"sub-1","op":"subscribe"}', T0, out);
    assert.throws(() => m.onMessage('{"success":false,"ret_msg":"error:handler not found,topic:x","conn_id":"c1","op":"subscribe"}', T0, out), {
      code: 'EXCHANGE_ERROR',
      message: /handler not found/,
    });
    assert.equal(got.drafts.length, 0);
  });

  it('asks again topic by topic, once, when a subscribe request of several topics fails', () => {
    const [plan] = plugin.connections(fixtureConfig('bybit', { symbols: ['BTC/USDT', 'NOPE/USDT'], depth: 15 }));
    const m = plan!.createMapper();
    const { got, out } = capture();
    const failed = '{"success":false,"ret_msg":"error:handler not found,topic:tickers.NOPEUSDT","conn_id":"c1","req_id":"sub-1","op":"subscribe"}';
    assert.throws(() => m.onMessage(failed, T0, out), { code: 'EXCHANGE_ERROR' });
    assert.deepEqual(
      got.sent.map((f) => JSON.parse(f)),
      ['tickers.BTCUSDT', 'publicTrade.BTCUSDT', 'orderbook.50.BTCUSDT', 'tickers.NOPEUSDT', 'publicTrade.NOPEUSDT', 'orderbook.50.NOPEUSDT'].map((t) => ({ req_id: `one-${t}`, op: 'subscribe', args: [t] })),
    );
    assert.throws(() => m.onMessage(failed, T0, out), { code: 'EXCHANGE_ERROR' });
    const single = '{"success":false,"ret_msg":"error:handler not found,topic:tickers.NOPEUSDT","conn_id":"c1","req_id":"one-tickers.NOPEUSDT","op":"subscribe"}';
    assert.throws(() => m.onMessage(single, T0, out), { code: 'EXCHANGE_ERROR' });
    assert.equal(got.sent.length, 6, 'nothing more: a request is split once, a single topic never');
  });

  it('reads the taker side from S and keeps trade ids as the exact strings Bybit sends', () => {
    const m = new BybitMapper(CONFIG);
    const { got, out } = capture();
    const data = [
      { T: T0, s: 'BTCUSDT', S: 'Sell', v: '0.5', p: '100.1', i: '2290000000061666327', BT: false },
      { T: T0 + 1, s: 'BTCUSDT', S: 'Buy', v: '0.25', p: '100.2', i: '20f43950-d8dd-5b31-9112-a178eb6023af', BT: false },
    ];
    m.onMessage(JSON.stringify({ topic: 'publicTrade.BTCUSDT', ts: T0 + 2, type: 'snapshot', data }), T0, out);
    assert.deepEqual(
      got.drafts.map((d) => [(d as { ab: string }).ab, (d as { sid: string }).sid]),
      [['ASK', '2290000000061666327'], ['BID', '20f43950-d8dd-5b31-9112-a178eb6023af']],
    );
  });

  it('rejects a trade message whole when one item is malformed, and frames of symbols not configured', () => {
    const m = new BybitMapper(CONFIG);
    const { got, out } = capture();
    const data = [{ T: T0, s: 'BTCUSDT', S: 'Sell', v: '0.5', p: '100.1', i: '1' }, { T: T0, s: 'BTCUSDT', S: 'Sell', v: '0', p: '100.1', i: '2' }];
    assert.throws(() => m.onMessage(JSON.stringify({ topic: 'publicTrade.BTCUSDT', ts: T0, type: 'snapshot', data }), T0, out), { code: 'BAD_FRAME' });
    const sol = { topic: 'tickers.SOLUSDT', ts: T0, type: 'snapshot', data: { symbol: 'SOLUSDT', lastPrice: '13.1' } };
    assert.throws(() => m.onMessage(JSON.stringify(sol), T0, out), { code: 'BAD_FRAME' });
    assert.equal(got.drafts.length, 0);
  });
});

describe('bybit connection plans', () => {
  it('sends at most 10 topics per subscribe request and pings with {"op":"ping"} every 20 s', () => {
    const symbols = Array.from({ length: 7 }, (_, i) => `C${i}/USDT`);
    const [plan, ...more] = plugin.connections(fixtureConfig('bybit', { symbols, url: 'wss://stream.bybit.com/v5/public/spot', depth: 15 }));
    assert.equal(more.length, 0);
    assert.equal(plan!.url, 'wss://stream.bybit.com/v5/public/spot');
    const args = plan!.subscribe.map((f) => JSON.parse(f).args as string[]);
    assert.deepEqual(args.map((a) => a.length), [10, 10, 1]);
    assert.deepEqual(args.flat().slice(0, 3), ['tickers.C0USDT', 'publicTrade.C0USDT', 'orderbook.50.C0USDT']);
    assert.deepEqual(plan!.keepAlive, { intervalMs: 20_000, frame: '{"op":"ping"}' });
  });

  it('takes the ping period from the pingIntervalMs option and refuses a value out of range', () => {
    const plans = (options: Record<string, unknown>) => plugin.connections(fixtureConfig('bybit', { symbols: ['BTC/USDT'], options }));
    assert.equal(plans({ pingIntervalMs: 5000 })[0]!.keepAlive!.intervalMs, 5000);
    assert.throws(() => plans({ pingIntervalMs: 10 }), { code: 'CONFIG_INVALID' });
    assert.throws(() => plans({ pingIntervalMs: '20s' }), { code: 'CONFIG_INVALID' });
  });

  it('asks for the smallest spot depth that holds N levels', () => {
    assert.deepEqual([1, 2, 15, 50, 51, 200, 201, 5000].map(bookDepth), [1, 50, 50, 50, 200, 200, 1000, 1000]);
  });

  it('splits topics over connections by the 21,000-character args limit, keeping a symbol together', () => {
    const symbols = Array.from({ length: 1200 }, (_, i) => `COIN${i}/USDT`);
    const config = fixtureConfig('bybit', { symbols });
    const groups = topicGroups(config);
    assert.ok(groups.length >= 3);
    for (const g of groups) {
      assert.ok(g.reduce((n, t) => n + t.length + 3, 0) <= 21_000);
      assert.equal(g.length % 3, 0, 'whole symbols per connection');
    }
    assert.equal(groups.flat().length, 3600);
    assert.equal(plugin.connections(config).length, groups.length);
    assert.deepEqual(subscribeFrames(['a', 'b']), ['{"req_id":"sub-1","op":"subscribe","args":["a","b"]}']);
  });

  it('maps unified symbols to Bybit codes and refuses two symbols with one code', () => {
    assert.equal(plugin.marketCode('BTC/USDT', CONFIG), 'BTCUSDT');
    assert.throws(() => plugin.marketCode('btc-usdt', CONFIG), { code: 'PLUGIN_SYMBOL_INVALID' });
    assert.throws(() => plugin.connections(fixtureConfig('bybit', { symbols: ['AB/CUSDT', 'ABC/USDT'] })), { code: 'PLUGIN_SYMBOL_INVALID' });
  });
});

describe('bybit market list', () => {
  const body = (list: unknown[], retCode = 0) => JSON.stringify({ retCode, retMsg: retCode ? 'params error' : 'OK', result: { category: 'spot', list }, retExtInfo: {}, time: T0 });

  it('reads unified upper-case symbols from baseCoin/quoteCoin, aliases applied, and skips markets not Trading', () => {
    const markets = parseInstruments(
      body([
        { symbol: 'BTCUSDT', baseCoin: 'BTC', quoteCoin: 'USDT', status: 'Trading' },
        { symbol: 'XBTEUR', baseCoin: 'xbt', quoteCoin: 'eur', status: 'Trading' },
        { symbol: 'OLDUSDT', baseCoin: 'OLD', quoteCoin: 'USDT', status: 'Closed' },
        { symbol: '1INCHUSDC', baseCoin: '1INCH', quoteCoin: 'USDC', status: 'Trading' },
      ]),
    );
    assert.deepEqual(markets, [
      { symbol: 'BTC/USDT', code: 'BTCUSDT' },
      { symbol: 'BTC/EUR', code: 'XBTEUR' },
      { symbol: '1INCH/USDC', code: '1INCHUSDC' },
    ]);
    assert.equal(plugin.markets!.url(CONFIG), 'http://127.0.0.1:9/v5/market/instruments-info?category=spot');
  });

  it('reports a retCode other than 0 as EXCHANGE_ERROR and an unreadable body as BAD_FRAME', () => {
    assert.throws(() => parseInstruments(body([], 10001)), { code: 'EXCHANGE_ERROR' });
    assert.throws(() => parseInstruments('<html>'), { code: 'BAD_FRAME' });
    assert.throws(() => parseInstruments('{"retCode":0,"result":{}}'), { code: 'BAD_FRAME' });
  });
});
