// De-duplication across connection switches: what counts as a repeat and what does not.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RecentRecords } from '../../worker/dedupe.ts';
import type { Draft } from '../../sdk/model.ts';

const trade = (sid: string | undefined, tms: number, tp = 1): Draft => ({ ty: 'trade', ex: 'x', cd: 'BTC/KRW', mc: 'KRW-BTC', tms, tp, tv: 1, ab: 'BID', ...(sid ? { sid } : {}) });
const ticker = (tms: number, tp: number): Draft => ({ ty: 'ticker', ex: 'x', cd: 'BTC/KRW', mc: 'KRW-BTC', tms, tp });

describe('de-duplication across connection switches', () => {
  it('drops a trade id already delivered, whichever connection repeats it', () => {
    const r = new RecentRecords();
    assert.equal(r.isRepeat(trade('1', 10), 1), false);
    assert.equal(r.isRepeat(trade('2', 11), 1), false);
    assert.equal(r.isRepeat(trade('2', 11), 2), true);
    assert.equal(r.isRepeat(trade('3', 12), 2), false);
  });

  it('forgets ids beyond the last 512 of a key', () => {
    const r = new RecentRecords();
    for (let i = 0; i < 600; i++) r.isRepeat(trade(String(i), i), 1);
    assert.equal(r.isRepeat(trade('599', 599), 2), true);
    assert.equal(r.isRepeat(trade('0', 0), 2), false);
  });

  it('keeps id-less trades and tickers of one connection as sent, equal times included', () => {
    const r = new RecentRecords();
    assert.equal(r.isRepeat(trade(undefined, 10), 1), false);
    assert.equal(r.isRepeat(trade(undefined, 10), 1), false);
    assert.equal(r.isRepeat(ticker(10, 5), 1), false);
    assert.equal(r.isRepeat(ticker(10, 5), 1), false);
  });

  it('drops from a new connection what is older than, or identical to, the last delivered', () => {
    const r = new RecentRecords();
    r.isRepeat(ticker(100, 5), 1);
    assert.equal(r.isRepeat(ticker(99, 4), 2), true, 'older');
    assert.equal(r.isRepeat(ticker(100, 5), 2), true, 'identical at the same time');
    assert.equal(r.isRepeat(ticker(100, 6), 2), false, 'different at the same time');
    assert.equal(r.isRepeat(ticker(101, 6), 2), false, 'newer');
  });
});
