// Behaviour of the Binance plugin beyond the shared contract: diff-book synchronization, exact ids and rates, plans.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import plugin from './index.ts';
import { MAX_BUFFERED_DIFFS } from './depth.ts';
import { streamGroups } from './wire.ts';
import type { OrderbookRecord, TickerRecord, TradeRecord } from '../../sdk/model.ts';
import { replay, testConfig } from '../../sdk/testing/replay.ts';
import type { FixtureLine } from '../../sdk/testing/replay.ts';

const T0 = 1706498660000;
const SNAPSHOT_URL = 'https://api.binance.com/api/v3/depth?symbol=BTCUSDT&limit=1000';
const CONFIG: FixtureLine = { config: { symbols: ['BTC/USDT', 'ETH/USDT'], restUrl: 'https://api.binance.com', depth: 5 } };

type Level = [string, string];
type FrameLine = { rtms: number; frame: string };

/** A depthUpdate frame for BTCUSDT; E and rtms follow the first update id so that each frame's time is distinct. */
function diff(U: number, u: number, b: Level[] = [], a: Level[] = [], s = 'BTCUSDT'): FrameLine {
  const data = { e: 'depthUpdate', E: T0 + U, s, U, u, b, a };
  return { rtms: T0 + U + 7, frame: JSON.stringify({ stream: `${s.toLowerCase()}@depth@100ms`, data }) };
}

function snapshot(lastUpdateId: number, bids: Level[], asks: Level[], status = 200, tag = 'depth:BTCUSDT'): FixtureLine {
  return { rtms: T0 + 500_000, response: { tag, status, body: JSON.stringify({ lastUpdateId, bids, asks }) } };
}

function failure(status: number, body: string): FixtureLine {
  return { rtms: T0 + 500_000, response: { tag: 'depth:BTCUSDT', status, body } };
}

const BIDS: Level[] = [['42150.00', '1.0'], ['42149.00', '2.0']];
const ASKS: Level[] = [['42151.00', '1.5'], ['42152.00', '3.0']];

function books(lines: FixtureLine[]) {
  const result = replay(plugin, [CONFIG, ...lines]);
  return { ...result, books: result.records as OrderbookRecord[] };
}

describe('binance diff-book synchronization', () => {
  it('asks for one snapshot on the first diff and emits nothing before it is answered', () => {
    const r = books([diff(100, 105), diff(106, 110), diff(111, 112)]);
    assert.deepEqual(r.requests, [{ tag: 'depth:BTCUSDT', url: SNAPSHOT_URL }]);
    assert.equal(r.books.length, 0);
  });

  it('drops stale events (u <= lastUpdateId) and applies the one that bridges the snapshot', () => {
    const r = books([
      diff(100, 105, [['42150.00', '9.0']]), // covered by the snapshot: must not be applied
      diff(106, 110, [['42149.00', '2.5']]), // 106 <= 108+1 <= 110: the bridge
      snapshot(108, BIDS, ASKS),
    ]);
    assert.equal(r.books.length, 1);
    assert.deepEqual(r.books[0]!.obu[0], { ap: 42151, as: 1.5, bp: 42150, bs: 1 });
    assert.deepEqual(r.books[0]!.obu[1], { ap: 42152, as: 3, bp: 42149, bs: 2.5 });
    assert.equal(r.books[0]!.tms, T0 + 106, 'tms is E of the last applied diff');
  });

  it('publishes the snapshot alone, timed by its receive time, when every buffered diff is stale', () => {
    const r = books([diff(100, 105), snapshot(108, BIDS, ASKS), diff(106, 109, [['42149.00', '4.0']])]);
    assert.equal(r.books.length, 2);
    assert.equal(r.books[0]!.tms, T0 + 500_000);
    assert.equal(r.books[1]!.obu[1]!.bs, 4, 'the first live diff may bridge the snapshot too');
  });

  it('on a gap in update ids requests a new snapshot and emits no book until resynchronized', () => {
    const r = books([
      diff(100, 110),
      snapshot(105, BIDS, ASKS),
      diff(111, 112, [['42150.00', '1.1']]),
      diff(120, 121, [['42150.00', '1.2']]), // 113..119 are missing
      diff(122, 125, [['42150.00', '1.3']]),
      diff(126, 127, [['42150.00', '1.4']]),
    ]);
    assert.equal(r.requests.length, 2, 'one request on the first diff, one on the gap, none while pending');
    assert.deepEqual(r.books.map((b) => b.obu[0]!.bs), [1, 1.1]);

    const after = books([
      diff(100, 110),
      snapshot(105, BIDS, ASKS),
      diff(111, 112, [['42150.00', '1.1']]),
      diff(120, 121, [['42150.00', '1.2']]),
      diff(122, 125, [['42150.00', '1.3']]),
      snapshot(121, [['42150.00', '7.0']], ASKS),
      diff(126, 127, [['42150.00', '1.4']]),
    ]);
    assert.deepEqual(after.books.map((b) => b.obu[0]!.bs), [1, 1.1, 1.3, 1.4]);
    assert.deepEqual(after.books[2]!.obu.map((u) => u.bp), [42150, undefined], 'the old book is gone, not merged');
  });

  it('asks again when the snapshot is older than the buffered diffs', () => {
    const r = books([diff(200, 210), diff(211, 215), snapshot(150, BIDS, ASKS), diff(216, 218)]);
    assert.equal(r.requests.length, 2);
    assert.equal(r.books.length, 0);
    const ok = books([diff(200, 210), diff(211, 215), snapshot(150, BIDS, ASKS), diff(216, 218), snapshot(212, BIDS, ASKS)]);
    assert.equal(ok.books.length, 1);
    assert.equal(ok.books[0]!.tms, T0 + 216);
  });

  it('never emits a crossed book: a crossing diff throws the book away and resynchronizes', () => {
    const r = books([
      diff(100, 101),
      snapshot(100, BIDS, ASKS),
      diff(102, 103, [['42151.50', '0.2']]), // a bid above the best ask
      diff(104, 105, [['42149.00', '8.0']]),
    ]);
    assert.equal(r.books.length, 1, 'only the book before the crossing diff');
    assert.equal(r.requests.length, 2);
    for (const b of r.books) assert.ok(b.obu[0]!.bp! < b.obu[0]!.ap!);
  });

  it('never emits a crossed snapshot', () => {
    const r = books([diff(100, 101), snapshot(100, [['42155.00', '1.0']], ASKS)]);
    assert.equal(r.books.length, 0);
    assert.equal(r.requests.length, 2);
  });

  it('retries a failed snapshot request on the next diff, and keeps what it buffered', () => {
    const r = books([
      diff(100, 110),
      failure(0, 'connect ETIMEDOUT'),
      diff(111, 112),
      failure(503, '<html>Service Unavailable</html>'),
      diff(113, 114),
      diff(115, 116),
      snapshot(111, BIDS, [['42151.00', '1.5']]),
    ]);
    assert.equal(r.requests.length, 3, 'one per failure, none while a request is pending');
    assert.deepEqual(r.errors, ['EXCHANGE_ERROR'], 'an HTTP error is counted; a transport failure is the worker’s own');
    assert.equal(r.books.length, 1);
    assert.equal(r.books[0]!.tms, T0 + 115);
  });

  it('treats an unreadable snapshot as a failed request', () => {
    const r = books([diff(100, 110), failure(200, '{"lastUpdateId":"x"}'), diff(111, 112), snapshot(111, BIDS, ASKS)]);
    assert.deepEqual(r.errors, ['BAD_FRAME']);
    assert.equal(r.requests.length, 2);
    assert.equal(r.books.length, 1);
  });

  it('ignores an answer nobody asked for, so a live book is never reset by a duplicate', () => {
    const r = books([diff(100, 101), snapshot(100, BIDS, ASKS), snapshot(90, [['1.00', '1.0']], ASKS), diff(102, 103)]);
    assert.equal(r.requests.length, 1);
    assert.equal(r.books.length, 1);
    assert.equal(r.books[0]!.obu[0]!.bp, 42150);
  });

  it('bounds the buffer while a snapshot is pending and resynchronizes after dropping it', () => {
    const lines: FixtureLine[] = [];
    for (let i = 0; i <= MAX_BUFFERED_DIFFS; i++) lines.push(diff(1000 + 2 * i, 1001 + 2 * i));
    const r = books([...lines, snapshot(1005, BIDS, ASKS)]);
    assert.equal(r.books.length, 0, 'the snapshot no longer meets the diffs that were kept');
    assert.equal(r.requests.length, 2);
  });

  it('keeps a malformed diff from touching the book: the next valid diff still follows on', () => {
    const bad: FixtureLine = { rtms: T0, frame: diff(102, 103).frame.replace('"b":[]', '"b":[["42150.00",null]]') };
    const r = books([diff(100, 101), snapshot(100, BIDS, ASKS), bad, diff(102, 103, [['42150.00', '2.0']])]);
    assert.deepEqual(r.errors, ['BAD_FRAME']);
    assert.deepEqual(r.books.map((b) => b.obu[0]!.bs), [1, 2]);
    assert.equal(r.requests.length, 1);
  });

  it('keeps one book per market, each with its own snapshot', () => {
    const r = books([diff(100, 101), diff(500, 501, [], [], 'ETHUSDT'), snapshot(100, BIDS, ASKS)]);
    assert.deepEqual(r.requests.map((q) => q.tag), ['depth:BTCUSDT', 'depth:ETHUSDT']);
    assert.deepEqual(r.books.map((b) => b.cd), ['BTC/USDT']);
  });
});

function frame(stream: string, data: Record<string, unknown>): FrameLine {
  return { rtms: T0, frame: JSON.stringify({ stream, data }) };
}

function ticker(P: string, s = 'BTCUSDT'): FrameLine {
  return frame(`${s.toLowerCase()}@ticker`, {
    e: '24hrTicker', E: T0, s, p: '966.22', P, w: '41678.1', x: '41203.54', c: '42169.77', Q: '0.01', b: '42169.76',
    B: '3.2', a: '42169.77', A: '0.8', o: '41203.55', h: '42280.00', l: '41055.10', v: '28531.4', q: '1189137133.7',
    O: T0 - 86_400_000, C: T0, F: 1, L: 2, n: 2,
  });
}

describe('binance frames', () => {
  it('gives tickers an scr without binary noise', () => {
    const cases: [string, number][] = [
      ['2.345', 0.02345], ['-1.005', -0.01005], ['0.070', 0.0007], ['100.000', 1], ['12', 0.12], ['-250.5', -2.505],
    ];
    const r = replay(plugin, [CONFIG, ...cases.map(([P]) => ticker(P))]);
    assert.deepEqual((r.records as TickerRecord[]).map((t) => t.scr), cases.map(([, scr]) => scr));
    assert.notEqual(2.345 / 100, 0.02345, 'the naive division would have been wrong');
  });

  it('writes an unchanged price as a change of 0, not -0', () => {
    const r = replay(plugin, [CONFIG, ticker('-0.000')]);
    assert.ok(Object.is((r.records[0] as TickerRecord).scr, 0));
  });

  it('keeps trade ids above 2^53 exact and reads m as the maker side', () => {
    const text = '{"stream":"btcusdt@trade","data":{"e":"trade","E":1706498659121,"s":"BTCUSDT","t":9007199254740993,"p":"42169.77","q":"0.5","T":1706498659119,"m":true,"M":true}}';
    const r = replay(plugin, [CONFIG, { rtms: T0, frame: text }, { rtms: T0, frame: text.replace('"m":true', '"m":false') }]);
    const trades = r.records as TradeRecord[];
    assert.deepEqual(trades.map((t) => t.sid), ['9007199254740993', '9007199254740993']);
    assert.deepEqual(trades.map((t) => t.ab), ['ASK', 'BID']);
  });

  it('rejects frames for symbols that are not configured as BAD_FRAME', () => {
    const r = replay(plugin, [CONFIG, ticker('1.000', 'SOLUSDT'), diff(1, 2, [], [], 'BTCUSDC')]);
    assert.deepEqual(r.errors, ['BAD_FRAME', 'BAD_FRAME']);
    assert.deepEqual(r.requests, [], 'an unknown market never starts a book');
  });

  it('rejects a ticker with a missing field instead of defaulting it', () => {
    const line = ticker('1.000');
    const r = replay(plugin, [CONFIG, { rtms: T0, frame: line.frame.replace('"h":"42280.00",', '') }]);
    assert.deepEqual(r.errors, ['BAD_FRAME']);
    assert.equal(r.records.length, 0);
  });

  it('reports errors from the exchange as EXCHANGE_ERROR and ignores acknowledgements and shutdown notices', () => {
    const r = replay(plugin, [
      CONFIG,
      { rtms: T0, frame: '{"result":null,"id":1}' },
      { rtms: T0, frame: '{"error":{"code":1,"msg":"Invalid value type: expected Boolean"},"id":2}' },
      { rtms: T0, frame: '{"stream":"!serverShutdown","data":{"e":"serverShutdown","E":1706498660000}}' },
    ]);
    assert.deepEqual(r.errors, ['EXCHANGE_ERROR']);
    assert.equal(r.records.length, 0);
  });
});

describe('binance connection plans', () => {
  it('puts the configured streams in one combined-stream URL and sends nothing on open', () => {
    const config = testConfig('binance', { url: 'wss://stream.binance.com:9443', symbols: ['BTC/USDT'] });
    const plans = plugin.connections(config);
    assert.equal(plans.length, 1);
    assert.equal(plans[0]!.url, 'wss://stream.binance.com:9443/stream?streams=btcusdt@ticker/btcusdt@trade/btcusdt@depth@100ms');
    assert.deepEqual(plans[0]!.subscribe, []);
    assert.equal(plans[0]!.keepAlive, undefined);
    const tradesOnly = plugin.connections({ ...config, channels: ['trade'] });
    assert.equal(tradesOnly[0]!.url, 'wss://stream.binance.com:9443/stream?streams=btcusdt@trade');
  });

  it('splits the streams over several connections beyond 1024 streams or an 8,000-character URL, keeping a symbol together', () => {
    const symbols = Array.from({ length: 342 }, (_, i) => `C${i}/USDT`); // 1026 streams
    const plans = plugin.connections(testConfig('binance', { symbols }));
    assert.deepEqual(plans.map((p) => p.name), ['streams-1', 'streams-2', 'streams-3']);
    const streams = plans.map((p) => new URL(p.url).searchParams.get('streams')!.split('/'));
    assert.equal(streams.flat().length, 1026);
    for (const p of plans) assert.ok(p.url.length <= 7900, `${p.name}: ${p.url.length} characters`);
    for (const s of streams) assert.equal(s.length % 3, 0, "a symbol's three streams on one connection");
    assert.deepEqual(streams[2]!.slice(-3), ['c341usdt@ticker', 'c341usdt@trade', 'c341usdt@depth@100ms']);

    // the stream count binds before the URL length when names are short enough
    const exact = Array.from({ length: 1024 }, (_, i) => `C${i}/USDT`);
    const counted = streamGroups(testConfig('binance', { symbols: exact, channels: ['trade'] }), 1024, Infinity);
    assert.deepEqual(counted.map((g) => g.length), [1024]);
    const over = streamGroups(testConfig('binance', { symbols: [...exact, 'D1/USDT'], channels: ['trade'] }), 1024, Infinity);
    assert.deepEqual(over.map((g) => g.length), [1024, 1]);
  });

  it('maps unified symbols to Binance codes and refuses anything else', () => {
    assert.equal(plugin.marketCode('BTC/USDT', testConfig('binance')), 'BTCUSDT');
    for (const bad of ['BTCUSDT', 'btc/usdt', 'BTC-USDT', 'BTC/USDT/X', '']) {
      assert.throws(() => plugin.marketCode(bad, testConfig('binance')), { code: 'PLUGIN_SYMBOL_INVALID' });
    }
    assert.deepEqual(plugin.defaultUrls({}), { url: 'wss://stream.binance.com:9443', restUrl: 'https://api.binance.com' });
  });

  it('refuses two symbols that Binance would write the same way', () => {
    const config = testConfig('binance', { symbols: ['BTC/USDT', 'BTCU/SDT'] });
    assert.throws(() => plugin.connections(config), { code: 'PLUGIN_SYMBOL_INVALID' });
  });
});
