// Lost diffs in the diff-synchronized books of Binance and Bithumb legacy: each is reported with `invalidate`, the
// book is rebuilt from a new snapshot, and nothing from the broken book is published meanwhile.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import binance from '../../plugins/binance/index.ts';
import bithumb from '../../plugins/bithumb/index.ts';
import type { Draft, ExchangePlugin, Mapper, OrderbookRecord, Output, PluginConfig } from '../../sdk/index.ts';
import { fixtureConfig as testConfig } from '../../sdk/fixture/format.ts';

type Book = Pick<OrderbookRecord, 'cd' | 'tms' | 'obu'>;

function harness(plugin: ExchangePlugin, config: Partial<PluginConfig>) {
  const mapper: Mapper = plugin.connections(testConfig(plugin.id, config))[0]!.createMapper();
  const log = { books: [] as Book[], requests: [] as string[], invalidated: [] as string[], errors: [] as string[] };
  const out: Output = {
    emit: (d: Draft) => void log.books.push(d as Book),
    request: (tag) => void log.requests.push(tag),
    send: () => {},
    rollover: () => {},
    invalidate: (ty, cd) => void log.invalidated.push(`${ty} ${cd}`),
  };
  const guard = (f: () => void) => {
    try {
      f();
    } catch (err) {
      log.errors.push((err as { code?: string }).code ?? String(err));
    }
  };
  return {
    ...log,
    frame: (rtms: number, f: unknown) => guard(() => mapper.onMessage(JSON.stringify(f), rtms, out)),
    answer: (rtms: number, tag: string, body: unknown) => guard(() => mapper.onResponse!(tag, { status: 200, body: JSON.stringify(body) }, rtms, out)),
  };
}

describe('lost diffs in synchronized books', () => {
  it('binance: a gap in update ids invalidates the book once, and the rebuilt book is published', () => {
    const T = 1706498660000;
    const h = harness(binance, { symbols: ['BTC/USDT'], depth: 3 });
    const diff = (U: number, u: number, b: [string, string][] = []) =>
      h.frame(T + U, { stream: 'btcusdt@depth@100ms', data: { e: 'depthUpdate', E: T + U, s: 'BTCUSDT', U, u, b, a: [] } });
    const snap = (id: number, bid: string) => h.answer(T + id, 'depth:BTCUSDT', { lastUpdateId: id, bids: [[bid, '1']], asks: [['101', '1']] });
    diff(10, 10);
    snap(10, '100');
    diff(11, 11, [['99', '1']]);
    diff(15, 15, [['98', '1']]); // 12..14 lost
    diff(16, 16, [['97', '1']]);
    assert.deepEqual(h.invalidated, ['orderbook BTC/USDT']);
    assert.equal(h.books.length, 2, 'the snapshot and the diff before the gap');
    snap(15, '100.5');
    assert.deepEqual(h.requests, ['depth:BTCUSDT', 'depth:BTCUSDT']);
    assert.deepEqual(h.books.at(-1)!.obu.map((u) => u.bp), [100.5, 97], 'the new snapshot plus the diff after it, not the old book');
    assert.deepEqual(h.errors, []);
  });

  it('bithumb legacy: a lost removal shows as a crossed book, which is invalidated, cleared and fetched again', () => {
    const T = 1706498659200;
    const h = harness(bithumb, { options: { api: 'legacy' }, symbols: ['BTC/KRW'], channels: ['orderbook'], depth: 3 });
    const diff = (ms: number, ...levels: [string, string, string][]) =>
      h.frame(T + ms + 5, {
        type: 'orderbookdepth',
        content: { datetime: String((T + ms) * 1000), list: levels.map(([orderType, price, quantity]) => ({ symbol: 'BTC_KRW', orderType, price, quantity, total: '1' })) },
      });
    const snap = (n: number, ms: number, bids: [string, string][], asks: [string, string][]) =>
      h.answer(T + ms + 50, `orderbook:BTC_KRW:${n}`, {
        status: '0000',
        data: { timestamp: String(T + ms), order_currency: 'BTC', payment_currency: 'KRW', bids: bids.map(([price, quantity]) => ({ price, quantity })), asks: asks.map(([price, quantity]) => ({ price, quantity })) },
      });

    diff(1, ['bid', '99', '2']);
    snap(1, 0, [['100', '1'], ['99', '1']], [['101', '1'], ['102', '1']]);
    assert.deepEqual(h.books.map((b) => [b.tms, b.obu[0]]), [[T + 1, { ap: 101, as: 1, bp: 100, bs: 1 }]]);
    // lost: {ask 101 0} (the ask was taken); then a bid is placed at 101, which our copy sees as crossing the book
    diff(20, ['bid', '101', '0.5']);
    assert.deepEqual(h.invalidated, ['orderbook BTC/KRW']);
    assert.deepEqual(h.requests, ['orderbook:BTC_KRW:1', 'orderbook:BTC_KRW:2']);
    diff(30, ['ask', '103', '4']); // buffered for the new snapshot
    assert.equal(h.books.length, 1, 'nothing published from the broken book');
    snap(2, 25, [['101', '0.5'], ['100', '1']], [['102', '1']]);
    assert.deepEqual(h.books.at(-1), {
      ty: 'orderbook', ex: 'bithumb', cd: 'BTC/KRW', mc: 'BTC_KRW', tms: T + 30,
      obu: [{ ap: 102, as: 1, bp: 101, bs: 0.5 }, { ap: 103, as: 4, bp: 100, bs: 1 }],
    } as unknown as Book);
    assert.deepEqual(h.errors, []);
  });
});
