// The record pipeline of one connection epoch (worker/pipeline.ts): books cut to N levels, exact tas/tbs, sq + 1 per
// key, unchanged books dropped, and the first book of a new epoch (or after an invalidation) always emitted.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { BookUnit, Draft, MarketRecord } from '../../sdk/model.ts';
import { RecordPipeline } from '../../worker/pipeline.ts';

type BookRecord = Extract<MarketRecord, { ty: 'orderbook' }>;

const unit = (i: number, size = 0.1): BookUnit => ({ ap: 100 + i, as: size, bp: 99 - i, bs: size * 2 });
const units = (n: number, size = 0.1) => Array.from({ length: n }, (_, i) => unit(i, size));
const book = (obu: BookUnit[], cd = 'BTC/KRW', tms = 1_700_000_000_000): Draft => ({ ty: 'orderbook', ex: 'x', cd, mc: cd, tms, obu });
const trade = (cd: string, tms = 1_700_000_000_000.7): Draft => ({ ty: 'trade', ex: 'x', cd, mc: cd, tms, tp: 1, tv: 2, ab: 'BID' });

describe('record pipeline', () => {
  it('cuts a book to N levels, keeping the best ones in order', () => {
    const p = new RecordPipeline(1, 3);
    const r = p.accept(book(units(10)), 5)!;
    const rec = r.record as BookRecord;
    assert.deepEqual(rec.obu, units(3));
    assert.equal(r.key, 'x|orderbook|BTC/KRW');
    // fewer levels than N stay as they are
    assert.equal((p.accept(book(units(2)), 6)!.record as BookRecord).obu.length, 2);
  });

  it('sums the kept sizes exactly as decimals (tas, tbs), not the cut-off ones', () => {
    const p = new RecordPipeline(1, 3);
    // 0.1 + 0.2 + 0.3 is 0.6000000000000001 in floats; the exact decimal sum is 0.6
    const obu = [
      { ap: 101, as: 0.1, bp: 99, bs: 1.1 },
      { ap: 102, as: 0.2, bp: 98, bs: 2.2 },
      { ap: 103, as: 0.3, bp: 97, bs: 3.3 },
      { ap: 104, as: 1000, bp: 96, bs: 1000 },
    ];
    const rec = p.accept(book(obu), 1)!.record as BookRecord;
    assert.equal(rec.tas, 0.6);
    assert.equal(rec.tbs, 6.6);
  });

  it('numbers each key 1, 2, 3 ... on its own, stamps rtms and ep, and floors tms', () => {
    const p = new RecordPipeline(42, 15);
    const seen = [trade('A/KRW'), trade('B/KRW'), trade('A/KRW'), book(units(2), 'A/KRW'), trade('A/KRW'), trade('B/KRW')].map((d, i) => {
      const { key, record } = p.accept(d, 1000 + i)!;
      return [key, record.sq, record.ep, record.rtms, record.tms];
    });
    assert.deepEqual(seen, [
      ['x|trade|A/KRW', 1, 42, 1000, 1_700_000_000_000],
      ['x|trade|B/KRW', 1, 42, 1001, 1_700_000_000_000],
      ['x|trade|A/KRW', 2, 42, 1002, 1_700_000_000_000],
      ['x|orderbook|A/KRW', 1, 42, 1003, 1_700_000_000_000],
      ['x|trade|A/KRW', 3, 42, 1004, 1_700_000_000_000],
      ['x|trade|B/KRW', 2, 42, 1005, 1_700_000_000_000],
    ]);
  });

  it('emits nothing for a book whose top N did not change, and takes no sq for it', () => {
    const p = new RecordPipeline(1, 3);
    assert.equal(p.accept(book(units(5)), 1)!.record.sq, 1);
    assert.equal(p.accept(book(units(5)), 2), undefined, 'the same book again');
    // a change below the top 3 is not a change of what is published
    const deeper = units(5);
    deeper[4] = { ...deeper[4]!, as: 99 };
    assert.equal(p.accept(book(deeper), 3), undefined, 'a change beyond level N');
    const changed = units(5);
    changed[2] = { ...changed[2]!, bs: 7 };
    assert.equal(p.accept(book(changed), 4)!.record.sq, 2, 'a change within the top N');
  });

  it('always emits the first book of a new epoch, even when it equals the last one of the previous epoch', () => {
    const before = new RecordPipeline(1, 3);
    before.accept(book(units(4)), 1);
    assert.equal(before.accept(book(units(4)), 2), undefined);
    const after = new RecordPipeline(2, 3);
    const r = after.accept(book(units(4)), 3)!;
    assert.ok(r, 'the first book under the new ep is emitted');
    assert.equal(r.record.ep, 2);
    assert.equal(r.record.sq, 1);
  });

  it('emits an unchanged book again after its key was invalidated (a gap), continuing the key\'s sq', () => {
    const p = new RecordPipeline(1, 3);
    p.accept(book(units(3)), 1);
    assert.equal(p.invalidate('x', 'orderbook', 'BTC/KRW'), 'x|orderbook|BTC/KRW');
    assert.equal(p.accept(book(units(3)), 2)!.record.sq, 2);
    assert.equal(p.invalidate('x', 'orderbook', 'ETH/KRW'), undefined, 'a key that never published');
  });

  it('lists the books it has published, and refuses a draft without a usable time', () => {
    const p = new RecordPipeline(1, 3);
    p.accept(book(units(1), 'A/KRW'), 1);
    p.accept(trade('B/KRW'), 1);
    assert.deepEqual(p.published('orderbook'), [{ key: 'x|orderbook|A/KRW', ex: 'x', cd: 'A/KRW' }]);
    assert.throws(() => p.accept(trade('C/KRW', Number.NaN), 1), { code: 'BAD_FRAME' });
  });
});
