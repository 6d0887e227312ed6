// Bithumb plugin behaviour beyond the shared contract: API choice, v1 quirks, legacy mapping and legacy book sync.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import bithumb from './index.ts';
import { MAX_BUFFERED } from './legacy-book.ts';
import { GatewayError } from '../../sdk/errors.ts';
import type { OrderbookRecord } from '../../sdk/model.ts';
import type { PluginConfig } from '../../sdk/plugin.ts';
import { replay, testConfig } from '../../sdk/testing/replay.ts';
import type { FixtureLine } from '../../sdk/testing/replay.ts';

const LEGACY = { options: { api: 'legacy' } };
const RTMS = 1_706_498_660_000;
const frame = (f: unknown): FixtureLine => ({ rtms: RTMS, frame: typeof f === 'string' ? f : JSON.stringify(f) });
const run = (config: Partial<PluginConfig>, lines: FixtureLine[]) => replay(bithumb, [{ config }, ...lines]);

describe('bithumb api choice', () => {
  it('uses v1 by default and legacy when asked, each with its own endpoints', () => {
    assert.deepEqual(bithumb.defaultUrls({}), { url: 'wss://ws-api.bithumb.com/websocket/v1', restUrl: 'https://api.bithumb.com' });
    assert.deepEqual(bithumb.defaultUrls({ api: 'v1' }), bithumb.defaultUrls({}));
    assert.deepEqual(bithumb.defaultUrls({ api: 'legacy' }), { url: 'wss://pubwss.bithumb.com/pub/ws', restUrl: 'https://api.bithumb.com' });
    assert.equal(bithumb.marketCode('BTC/KRW', testConfig('bithumb')), 'KRW-BTC');
    assert.equal(bithumb.marketCode('BTC/KRW', testConfig('bithumb', LEGACY)), 'BTC_KRW');
  });

  it('rejects an unknown api with a message naming the setting, wherever it is used', () => {
    const config = testConfig('bithumb', { options: { api: 'v2' } });
    const named = (err: unknown) => err instanceof GatewayError && err.code === 'CONFIG_INVALID' && /api must be "v1" or "legacy"/.test(err.message);
    assert.throws(() => bithumb.defaultUrls({ api: 'v2' }), named);
    assert.throws(() => bithumb.marketCode('BTC/KRW', config), named);
    assert.throws(() => bithumb.connections(config), named);
    assert.throws(() => bithumb.defaultUrls({ api: 1 }), named);
  });
});

describe('bithumb v1', () => {
  it('subscribes with the Upbit request array, KRW-BTC codes and a 30-second ping', () => {
    const [plan] = bithumb.connections(testConfig('bithumb', { depth: 5 }));
    const req = JSON.parse(plan!.subscribe[0]!) as unknown[];
    assert.match((req[0] as { ticket: string }).ticket, /^gateway-bithumb-[0-9a-f]{8}$/);
    assert.deepEqual(req.slice(1), [
      { type: 'ticker', codes: ['KRW-BTC'] },
      { type: 'trade', codes: ['KRW-BTC'] },
      { type: 'orderbook', codes: ['KRW-BTC.5'] },
      { format: 'SIMPLE' },
    ]);
    assert.deepEqual(plan!.keepAlive, { intervalMs: 30_000 });
  });

  it('reads a 16-digit timestamp string as µs floored to ms, a 13-digit one as ms, and rejects other strings', () => {
    const book = (tms: unknown) => frame({ ty: 'orderbook', cd: 'KRW-BTC', tms, obu: [{ ap: 2, as: 1, bp: 1, bs: tms === '1706498659238' ? 2 : 1 }], lv: 1 });
    const r = run({}, [book('1706498659103999'), book('1706498659238'), book('17064986591035'), book('1706498659.103'), book(' 1706498659238')]);
    assert.deepEqual(r.records.map((x) => x.tms), [1706498659103, 1706498659238]);
    assert.deepEqual(r.errors, ['BAD_FRAME', 'BAD_FRAME', 'BAD_FRAME']);
  });

  it('keeps a string sequential_id exactly as sent', () => {
    const r = run({}, [frame({ type: 'trade', code: 'KRW-BTC', trade_timestamp: 1706498659082, trade_price: 58279000, trade_volume: 0.0043, ask_bid: 'BID', sequential_id: '17064986590820001' })]);
    assert.equal((r.records[0] as { sid?: string }).sid, '17064986590820001');
    assert.equal(r.records[0]!.ex, 'bithumb');
  });
});

describe('bithumb legacy mapping', () => {
  it('sends one subscribe frame per configured type, tickers on the 24H window only, with BTC_KRW codes', () => {
    const [plan] = bithumb.connections(testConfig('bithumb', { ...LEGACY, symbols: ['BTC/KRW', 'ETH/KRW'], url: 'ws://127.0.0.1:7002/pub/ws' }));
    assert.equal(plan!.url, 'ws://127.0.0.1:7002/pub/ws');
    assert.deepEqual(plan!.subscribe.map((s) => JSON.parse(s)), [
      { type: 'ticker', symbols: ['BTC_KRW', 'ETH_KRW'], tickTypes: ['24H'] },
      { type: 'transaction', symbols: ['BTC_KRW', 'ETH_KRW'] },
      { type: 'orderbookdepth', symbols: ['BTC_KRW', 'ETH_KRW'] },
    ]);
    assert.deepEqual(plan!.keepAlive, { intervalMs: 30_000 });
  });

  const txn = (buySellGb: string, contDtm: string) =>
    frame({ type: 'transaction', content: { list: [{ symbol: 'BTC_KRW', buySellGb, contPrice: '58279000', contQty: '0.0017', contAmt: '99074.3', contDtm, updn: 'dn' }] } });

  it('maps buySellGb "1" (a sell fill: the taker sold) to ASK and "2" to BID, and rejects anything else', () => {
    const r = run(LEGACY, [txn('1', '2024-01-29 12:24:18.830039'), txn('2', '2024-01-29 12:24:18.830039'), txn('0', '2024-01-29 12:24:18.830039')]);
    assert.deepEqual(r.records.map((x) => (x as { ab?: string }).ab), ['ASK', 'BID']);
    assert.deepEqual(r.errors, ['BAD_FRAME']);
    assert.equal('sid' in r.records[0]!, false, 'legacy sends no trade id, so none is invented');
  });

  it('reads contDtm as Korea time (UTC+9), flooring the microseconds, across a change of date', () => {
    const r = run(LEGACY, [
      txn('1', '2024-01-29 12:24:18.830999'),
      txn('1', '2024-01-01 08:59:59.999999'),
      txn('1', '2024-03-01 00:00:00.5'),
      txn('1', '2024-01-29 12:24:18'),
    ]);
    assert.deepEqual(r.records.map((x) => x.tms), [
      Date.UTC(2024, 0, 29, 3, 24, 18, 830),
      Date.UTC(2023, 11, 31, 23, 59, 59, 999),
      Date.UTC(2024, 1, 29, 15, 0, 0, 500),
      Date.UTC(2024, 0, 29, 3, 24, 18),
    ]);
  });

  it('rejects a contDtm that is not a real Korea-time moment', () => {
    const r = run(LEGACY, [txn('1', '2024-02-30 12:00:00.000000'), txn('1', '2024-01-29T12:24:18.830039'), txn('1', '2024-01-29 24:00:00.000000')]);
    assert.deepEqual(r.errors, ['BAD_FRAME', 'BAD_FRAME', 'BAD_FRAME']);
  });

  it('maps a 24H ticker with its Korea-time date and time and chgRate as an exact fraction, ignoring other windows', () => {
    const content = {
      symbol: 'BTC_KRW', tickType: '24H', date: '20240101', time: '080000', openPrice: '57756000', closePrice: '58391000', lowPrice: '57600000',
      highPrice: '58450000', value: '89123456789.1234', volume: '1533.59812345', sellVolume: '760.1', buyVolume: '773.49812345',
      prevClosePrice: '57802000', chgRate: '1.1', chgAmt: '635000', volumePower: '101.75',
    };
    const r = run(LEGACY, [frame({ type: 'ticker', content }), frame({ type: 'ticker', content: { ...content, tickType: 'MID' } })]);
    assert.deepEqual(r.records, [{
      ty: 'ticker', ex: 'bithumb', cd: 'BTC/KRW', mc: 'BTC_KRW', tp: 58391000, tms: Date.UTC(2023, 11, 31, 23, 0, 0),
      op: 57756000, hp: 58450000, lp: 57600000, pcp: 57802000, scp: 635000, scr: 0.011, atv24h: 1533.59812345, atp24h: 89123456789.1234,
      rtms: RTMS, ep: 1, sq: 1,
    }]);
    assert.notEqual(1.1 / 100, 0.011, 'the division this avoids');
  });

  it('ignores "0000" status messages and reports any other status as EXCHANGE_ERROR', () => {
    const r = run(LEGACY, [
      frame('{"status":"0000","resmsg":"Connected Successfully"}'),
      frame('{"status":"0000","resmsg":"Filter Registered Successfully"}'),
      frame('{"status":"5100","resmsg":"Invalid Filter Syntax"}'),
    ]);
    assert.deepEqual(r.errors, ['EXCHANGE_ERROR']);
    assert.deepEqual(r.records, []);
  });
});

describe('bithumb legacy order book', () => {
  const config = { ...LEGACY, channels: ['orderbook' as const], depth: 3 };
  const URL_ = 'http://127.0.0.1:9/public/orderbook/BTC_KRW?count=30';
  const T = 1706498659200; // snapshot time, ms
  const us = (ms: number, extra = 0) => ms * 1000 + extra;
  type L = [string, string, string]; // orderType, price, quantity
  const diff = (datetime: number | string, ...levels: L[]) =>
    frame({ type: 'orderbookdepth', content: { list: levels.map(([orderType, price, quantity]) => ({ symbol: 'BTC_KRW', orderType, price, quantity, total: '1' })), datetime } });
  const snapshot = (n: number, ms = T, status = 200, apiStatus = '0000'): FixtureLine => ({
    rtms: RTMS,
    response: {
      tag: `orderbook:BTC_KRW:${n}`,
      status,
      body: JSON.stringify({
        status: apiStatus,
        data: {
          timestamp: String(ms), payment_currency: 'KRW', order_currency: 'BTC',
          bids: [{ quantity: '1', price: '100' }, { quantity: '2', price: '99' }, { quantity: '3', price: '98' }],
          asks: [{ quantity: '1', price: '101' }, { quantity: '2', price: '102' }, { quantity: '3', price: '103' }],
        },
      }),
    },
  });
  const books = (records: unknown[]) => (records as OrderbookRecord[]).map((r) => [r.tms, r.obu[0]]);

  it('buffers diffs until the snapshot, drops those it already contains, and publishes the book with the rest', () => {
    const r = run(config, [diff(String(us(T, -1)), ['ask', '101', '9']), diff(us(T, 1), ['bid', '100', '5']), snapshot(1)]);
    assert.deepEqual(r.requests, [{ tag: 'orderbook:BTC_KRW:1', url: URL_ }]);
    assert.deepEqual(books(r.records), [[T, { ap: 101, as: 1, bp: 100, bs: 5 }]]);
  });

  it('resynchronizes on a diff that crosses the book: clears it, asks again, and publishes nothing until the new snapshot', () => {
    const r = run(config, [
      diff(us(T, 1), ['bid', '100', '5']),
      snapshot(1),
      diff(us(T + 10), ['bid', '101', '1']), // bid at the best ask: crossed
      diff(us(T + 20), ['ask', '102', '7']), // buffered for the new snapshot
      snapshot(1), // a late duplicate answer to the first request: ignored
      snapshot(2, T + 15),
    ]);
    assert.deepEqual(r.requests.map((q) => q.tag), ['orderbook:BTC_KRW:1', 'orderbook:BTC_KRW:2']);
    assert.deepEqual(books(r.records), [[T, { ap: 101, as: 1, bp: 100, bs: 5 }], [T + 20, { ap: 101, as: 1, bp: 100, bs: 1 }]]);
    assert.equal((r.records[1] as OrderbookRecord).obu[1]!.as, 7);
    assert.deepEqual(r.errors, []);
  });

  it('resynchronizes on a diff older than the last applied one', () => {
    const r = run(config, [
      diff(us(T, 1), ['bid', '98', '3']),
      snapshot(1),
      diff(us(T + 20), ['bid', '100', '4']),
      diff(us(T + 10), ['bid', '100', '3']), // stale: the book cannot be trusted any more
      diff(us(T + 30), ['bid', '100', '2']), // waits for the new snapshot
    ]);
    assert.deepEqual(books(r.records), [[T, { ap: 101, as: 1, bp: 100, bs: 1 }], [T + 20, { ap: 101, as: 1, bp: 100, bs: 4 }]]);
    assert.deepEqual(r.requests.map((q) => q.tag), ['orderbook:BTC_KRW:1', 'orderbook:BTC_KRW:2']);
  });

  it('after a failed snapshot (no answer, an HTTP error, a non-"0000" status) asks again on the next diff', () => {
    const r = run(config, [
      diff(us(T, 1), ['bid', '100', '5']),
      { rtms: RTMS, response: { tag: 'orderbook:BTC_KRW:1', status: 0, body: 'connect ECONNREFUSED' } },
      diff(us(T, 2), ['bid', '100', '6']),
      snapshot(2, T, 502),
      diff(us(T, 3), ['bid', '100', '7']),
      snapshot(3, T, 200, '5600'),
      diff(us(T, 4), ['bid', '100', '8']),
      snapshot(4),
    ]);
    assert.deepEqual(r.errors, ['EXCHANGE_ERROR', 'EXCHANGE_ERROR', 'EXCHANGE_ERROR']);
    assert.equal(r.requests.length, 4);
    // the diffs buffered through the failures are all applied, in order, on the good snapshot
    assert.deepEqual(books(r.records), [[T, { ap: 101, as: 1, bp: 100, bs: 8 }]]);
  });

  it('rejects a malformed diff as a whole, leaving the book as it was', () => {
    const r = run(config, [
      diff(us(T, 1), ['bid', '98', '3']),
      snapshot(1),
      diff(us(T + 10), ['bid', '100', '4'], ['ask', '101', 'lots']),
      diff(us(T + 20), ['ask', '102', '5']),
    ]);
    assert.deepEqual(r.errors, ['BAD_FRAME']);
    assert.deepEqual((r.records as OrderbookRecord[]).map((x) => [x.obu[0]!.bs, x.obu[1]!.as]), [[1, 2], [1, 5]]);
  });

  it('bounds the buffer while a snapshot is outstanding, and needs a snapshot newer than any diff it had to drop', () => {
    const lines: FixtureLine[] = [];
    for (let i = 1; i <= MAX_BUFFERED + 5; i++) lines.push(diff(us(T + i), ['ask', '101', String(i)]));
    lines.push(snapshot(1, T + 3)); // older than diffs dropped from the full buffer: unusable
    lines.push(diff(us(T + MAX_BUFFERED + 6), ['ask', '101', '0.5']));
    lines.push(snapshot(2, T + 10));
    const r = run(config, lines);
    assert.deepEqual(r.requests.map((q) => q.tag), ['orderbook:BTC_KRW:1', 'orderbook:BTC_KRW:2']);
    assert.deepEqual(books(r.records), [[T + MAX_BUFFERED + 6, { ap: 101, as: 0.5, bp: 100, bs: 1 }]]);
  });
});
