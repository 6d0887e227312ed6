// DepthBook: the full price-level book that diff-stream plugins keep per market.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DepthBook } from '../../sdk/index.ts';

describe('DepthBook', () => {
  it('keeps asks ascending and bids descending whatever order the levels arrive in', () => {
    const b = new DepthBook();
    for (const p of [103, 101, 105, 102]) b.setAsk(p, 1);
    for (const p of [97, 99, 95, 98]) b.setBid(p, 2);
    assert.deepEqual(b.asks.prices, [101, 102, 103, 105]);
    assert.deepEqual(b.bids.prices, [99, 98, 97, 95]);
  });

  it('replaces the size of an existing level and removes a level set to size 0', () => {
    const b = new DepthBook();
    b.setAsk(101, 1);
    b.setAsk(102, 2);
    b.setAsk(101, 5);
    assert.deepEqual([b.asks.prices, b.asks.sizes], [[101, 102], [5, 2]]);
    b.setAsk(101, 0);
    assert.deepEqual([b.asks.prices, b.asks.sizes], [[102], [2]]);
    b.setBid(50, 0); // removing a level that is not there changes nothing
    assert.equal(b.bids.length, 0);
  });

  it('is crossed when the best bid is at or above the best ask, and not when a side is empty', () => {
    const b = new DepthBook();
    b.setBid(100, 1);
    assert.equal(b.isCrossed(), false);
    b.setAsk(101, 1);
    assert.equal(b.isCrossed(), false);
    b.setBid(101, 1);
    assert.equal(b.isCrossed(), true, 'a bid equal to the ask');
    b.setBid(101, 0);
    b.setBid(102, 1);
    assert.equal(b.isCrossed(), true, 'a bid above the ask');
  });

  it('gives the top N levels best first, sides of unequal length side by side, with exact size sums', () => {
    const b = new DepthBook();
    b.setAsk(101, 0.1);
    b.setAsk(102, 0.2);
    b.setAsk(103, 0.3);
    b.setBid(100, 1.5);
    const top = b.top(2);
    assert.deepEqual(top.obu, [{ ap: 101, as: 0.1, bp: 100, bs: 1.5 }, { ap: 102, as: 0.2 }]);
    assert.equal(top.tas, 0.3, '0.1 + 0.2 summed exactly');
    assert.equal(top.tbs, 1.5);
    assert.deepEqual(b.units(10).length, 3);
    assert.deepEqual(new DepthBook().units(5), []);
  });

  it('truncates each side to the best N levels and clears entirely', () => {
    const b = new DepthBook();
    for (let i = 0; i < 5; i++) {
      b.setAsk(101 + i, 1);
      b.setBid(100 - i, 1);
    }
    b.truncate(2);
    assert.deepEqual([b.asks.prices, b.bids.prices], [[101, 102], [100, 99]]);
    b.clear();
    assert.equal(b.asks.length + b.bids.length, 0);
  });
});
