// The SDK's sequence tracker, pool, backoff and frame decoding, on hand-made records (no network needed).

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Packr } from 'msgpackr';
import { Backoff, LatestPool, SequenceTracker, decodeFrame } from '../../clients/typescript/src/index.ts';
import { ResumeGate } from '../../clients/typescript/src/resume-gate.ts';

const trade = (ep: number, sq: number, extra: Record<string, unknown> = {}) => ({ ty: 'trade', ex: 'upbit', cd: 'BTC/KRW', tms: sq, ep, sq, tp: 1, tv: 1, ...extra });
const ticker = (ep: number, sq: number, extra: Record<string, unknown> = {}) => ({ ty: 'ticker', ex: 'upbit', cd: 'BTC/KRW', tms: sq, ep, sq, tp: sq, ...extra });

describe('SDK sequence tracker', () => {
  it('delivers +1 steps silently, drops repeats and older epochs, and reports a jump with the count missed', () => {
    const t = new SequenceTracker();
    assert.deepEqual(t.accept(trade(10, 1)), { deliver: true });
    assert.deepEqual(t.accept(trade(10, 2)), { deliver: true });
    assert.deepEqual(t.accept(trade(10, 2)), { deliver: false });
    assert.deepEqual(t.accept(trade(9, 50)), { deliver: false });
    const v = t.accept(trade(10, 6));
    assert.equal(v.deliver, true);
    assert.deepEqual(v.gap, { ex: 'upbit', ty: 'trade', cd: 'BTC/KRW', reason: 'sequence', from: { ep: 10, sq: 2 }, to: { ep: 10, sq: 6 }, missed: 3 });
    assert.equal(t.repeats, 2);
  });

  it('reports an epoch change of a trade key, but not a state snapshot that jumps or starts a new epoch', () => {
    const t = new SequenceTracker();
    t.accept(trade(10, 5));
    assert.equal(t.accept(trade(20, 1)).gap?.reason, 'epoch');
    t.accept(ticker(10, 5));
    assert.equal(t.accept(ticker(10, 9, { st: 'SNAPSHOT' })).gap, undefined);
    assert.equal(t.accept(ticker(30, 2, { st: 'SNAPSHOT' })).gap, undefined);
    assert.equal(t.accept(ticker(30, 4)).gap?.reason, 'sequence');
  });

  it('does not count conflated state keys as gaps, but still trades', () => {
    const t = new SequenceTracker(true);
    t.accept(ticker(1, 1));
    assert.equal(t.accept(ticker(1, 40)).gap, undefined);
    t.accept(trade(1, 1));
    assert.equal(t.accept(trade(1, 3)).gap?.missed, 1);
  });

  it('reports a lost key once, not again for the snapshot that follows, and names the cause of the next jump', () => {
    const t = new SequenceTracker();
    t.accept(trade(1, 4));
    t.accept({ ...trade(1, 2), ty: 'trade', cd: 'ETH/KRW' });
    const gaps = t.lost([{ ex: 'upbit', ty: 'trade', cd: 'BTC/KRW' }, { ex: 'upbit', ty: 'trade', cd: 'XRP/KRW' }]);
    assert.deepEqual(gaps, [{ ex: 'upbit', ty: 'trade', cd: 'BTC/KRW', reason: 'lost', from: { ep: 1, sq: 4 } }]);
    assert.deepEqual(t.accept(trade(1, 90, { st: 'SNAPSHOT' })), { deliver: true });
    t.expect('unresumable');
    assert.equal(t.accept({ ...trade(1, 7), cd: 'ETH/KRW' }).gap?.reason, 'unresumable');
    assert.equal(t.accept(trade(1, 91)).gap, undefined);
  });

  it('lists resume entries with rex and iv for derived keys', () => {
    const t = new SequenceTracker();
    t.accept({ ty: 'premium', ex: 'bithumb', cd: 'BTC/KRW', rex: 'binance', rcd: 'BTC/USDT', tms: 1, ep: 3, sq: 7 });
    t.accept({ ty: 'premium', ex: 'bithumb', cd: 'BTC/KRW', rex: 'upbit', rcd: 'BTC/KRW', tms: 1, ep: 3, sq: 2 });
    t.accept({ ty: 'candle', ex: 'upbit', cd: 'BTC/KRW', iv: '1m', tms: 1, ep: 4, sq: 1 });
    t.accept({ ty: 'listing', ex: 'upbit', cd: 'NEW/KRW', tms: 1 });
    assert.deepEqual(t.entries(), [
      { ex: 'bithumb', ty: 'premium', cd: 'BTC/KRW', rex: 'binance', ep: 3, sq: 7 },
      { ex: 'bithumb', ty: 'premium', cd: 'BTC/KRW', rex: 'upbit', ep: 3, sq: 2 },
      { ex: 'upbit', ty: 'candle', cd: 'BTC/KRW', iv: '1m', ep: 4, sq: 1 },
    ]);
  });
});

describe('SDK latest-value pool', () => {
  it('answers latest(exchange, symbol, type), narrows by rex, keeps newer records over older snapshots, and tracks resyncs', () => {
    const p = new LatestPool();
    p.put(ticker(1, 5) as never);
    p.put(ticker(1, 3, { st: 'SNAPSHOT' }) as never);
    assert.equal(p.latest('upbit', 'BTC/KRW', 'ticker')?.sq, 5);
    p.put({ ty: 'premium', ex: 'bithumb', cd: 'BTC/KRW', rex: 'binance', rcd: 'BTC/USDT', tms: 1, rtms: 1, ep: 1, sq: 1, pu: 0.02 });
    p.put({ ty: 'premium', ex: 'bithumb', cd: 'BTC/KRW', rex: 'upbit', rcd: 'BTC/KRW', tms: 2, rtms: 2, ep: 1, sq: 1, pu: 0.001 });
    assert.equal(p.latest('bithumb', 'BTC/KRW', 'premium', { rex: 'binance' })?.pu, 0.02);
    assert.equal(p.latest('bithumb', 'BTC/KRW', 'premium')?.rex, 'upbit');
    assert.equal(p.latest('binance', 'BTC/USDT', 'ticker'), undefined);
    p.invalidate('upbit', 'ETH/KRW', 'orderbook');
    assert.equal(p.valid('upbit', 'ETH/KRW', 'orderbook'), false);
    p.put({ ty: 'orderbook', ex: 'upbit', cd: 'ETH/KRW', tms: 1, ep: 1, sq: 1, obu: [] });
    assert.equal(p.valid('upbit', 'ETH/KRW', 'orderbook'), true);
  });
});

describe('SDK backoff and frames', () => {
  it('doubles the delay up to the cap with the configured share of jitter, and starts over after reset', () => {
    const fixed = new Backoff({ initialDelayMs: 100, maxDelayMs: 1000, jitter: 0 });
    assert.deepEqual([1, 2, 3, 4, 5, 6].map(() => fixed.next()), [100, 200, 400, 800, 1000, 1000]);
    fixed.reset();
    assert.equal(fixed.next(), 100);
    const low = new Backoff({ initialDelayMs: 100, jitter: 1 }, () => 0);
    assert.equal(low.next(), 0);
    const half = new Backoff({ initialDelayMs: 100, jitter: 0.5 }, () => 1);
    assert.equal(half.next(), 100);
  });

  it('decodes JSON text, msgpack binary and batched array frames of both', () => {
    const packr = new Packr({ useRecords: false });
    assert.deepEqual(decodeFrame('{"ty":"trade","sq":1}'), [{ ty: 'trade', sq: 1 }]);
    assert.deepEqual(decodeFrame('[{"sq":1},{"sq":2}]'), [{ sq: 1 }, { sq: 2 }]);
    const bin = packr.pack([{ ty: 'trade', sq: 1 }, { event: 'pong', tms: 5 }]);
    assert.deepEqual(decodeFrame(bin), [{ ty: 'trade', sq: 1 }, { event: 'pong', tms: 5 }]);
    const ab = bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength);
    assert.deepEqual(decodeFrame(ab), [{ ty: 'trade', sq: 1 }, { event: 'pong', tms: 5 }]);
    assert.throws(() => decodeFrame('{not json'), { code: 'DECODE' });
  });
});

describe('SDK resume gate', () => {
  const t = (sq: number) => ({ ex: 'feed', ty: 'trade', cd: 'BTC/KRW', ep: 7, sq });
  it('holds live records that come before "resumed" until the older replay of their key has passed', () => {
    const out: number[] = [];
    const gate = new ResumeGate<ReturnType<typeof t>>((r) => out.push(r.sq));
    const take = (r: ReturnType<typeof t>) => { if (!gate.hold(r)) out.push(r.sq); };
    gate.begin([{ ex: 'feed', ty: 'trade', cd: 'BTC/KRW' }]);
    take(t(9));
    take(t(10));
    take({ ...t(3), cd: 'ETH/KRW' }); // not resumed: straight through
    gate.resumed();
    for (const sq of [6, 7, 8]) take(t(sq));
    take(t(11));
    assert.deepEqual(out, [3, 6, 7, 8, 9, 10, 11]);
  });

  it('releases what it holds when the replay ends (a status event) and forgets it when the connection drops', () => {
    const out: number[] = [];
    const gate = new ResumeGate<ReturnType<typeof t>>((r) => out.push(r.sq));
    gate.begin([{ ex: 'feed', ty: 'trade', cd: 'BTC/KRW' }]);
    assert.equal(gate.hold(t(5)), true);
    gate.end(); // before "resumed": nothing happens
    gate.resumed();
    gate.end();
    assert.deepEqual(out, [5]);
    assert.equal(gate.hold(t(6)), false);
    gate.begin([{ ex: 'feed', ty: 'trade', cd: 'BTC/KRW' }]);
    gate.hold(t(8));
    gate.reset();
    gate.resumed();
    gate.end();
    assert.deepEqual(out, [5]);
  });
});
