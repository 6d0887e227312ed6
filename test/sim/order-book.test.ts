// The simulators' order book keeps each side sorted as it changes: its sorted views, best prices and change sets
// match a plainly sorted model after any mix of sets and removals; cached level texts follow size changes.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LevelTexts } from '../../sim/level-text.ts';
import { OrderBook, type Side } from '../../sim/order-book.ts';
import { mulberry32 } from '../../sim/prng.ts';

/** the reference: a map per side, sorted only when read */
class PlainBook {
  readonly sides = { bid: new Map<number, number>(), ask: new Map<number, number>() };
  sorted(side: Side): number[] {
    return [...this.sides[side].keys()].sort((a, b) => (side === 'bid' ? b - a : a - b));
  }
}

describe('simulator order book', () => {
  it('reads the same sorted levels, best prices and changes as a map sorted on every read, over random edits', () => {
    const next = mulberry32(11);
    const book = new OrderBook();
    const plain = new PlainBook();
    for (let round = 0; round < 300; round++) {
      book.mark();
      const before = { bid: new Map(plain.sides.bid), ask: new Map(plain.sides.ask) };
      for (let k = 0; k < 12; k++) {
        const side: Side = next() < 0.5 ? 'bid' : 'ask';
        // a small price range, so edits hit existing levels as often as new ones
        const price = Math.round(next() * 80) / 4 + (side === 'ask' ? 100 : 0);
        if (next() < 0.35) {
          book.remove(side, price);
          plain.sides[side].delete(price);
        } else {
          const qty = Math.round(next() * 1000) / 100;
          book.set(side, price, qty);
          plain.sides[side].set(price, qty);
        }
      }
      for (const side of ['bid', 'ask'] as const) {
        const want = plain.sorted(side);
        assert.deepEqual(book.sortedPrices(side), want);
        assert.deepEqual([...book.view(side)], want);
        assert.deepEqual(book.sorted(side, 5), want.slice(0, 5).map((p) => ({ price: p, qty: plain.sides[side].get(p) })));
        const touched = new Set([...before[side].keys(), ...plain.sides[side].keys()]);
        const changed = [...touched].filter((p) => (before[side].get(p) ?? 0) !== (plain.sides[side].get(p) ?? 0));
        const diff = book.changes()[side === 'bid' ? 'bids' : 'asks'];
        assert.deepEqual(diff.map(([p]) => p), changed.sort((a, b) => (side === 'bid' ? b - a : a - b)));
        for (const [p, q] of diff) assert.equal(q, plain.sides[side].get(p) ?? 0);
      }
      assert.equal(book.bestBid(), plain.sorted('bid')[0] ?? -Infinity);
      assert.equal(book.bestAsk(), plain.sorted('ask')[0] ?? Infinity);
    }
  });

  it('hands out a copy from sortedPrices that later edits leave alone', () => {
    const book = new OrderBook();
    book.set('bid', 10, 1);
    book.set('bid', 9, 1);
    const copy = book.sortedPrices('bid');
    book.set('bid', 11, 1);
    book.remove('bid', 9);
    assert.deepEqual(copy, [10, 9]);
    assert.deepEqual([...book.view('bid')], [11, 10]);
  });

  it('formats a level again only when its size changed', () => {
    let calls = 0;
    const texts = new LevelTexts((p, q) => `${++calls}:${p}:${q}`, 4);
    assert.equal(texts.text(1.5, 2), '1:1.5:2');
    assert.equal(texts.text(1.5, 2), '1:1.5:2', 'cached');
    assert.equal(texts.text(1.5, 3), '2:1.5:3', 'a new size is formatted');
    for (let p = 0; p < 6; p++) texts.text(p, 1);
    assert.equal(texts.text(1.5, 3).endsWith(':1.5:3'), true, 'still right after the cache starts over');
  });
});
