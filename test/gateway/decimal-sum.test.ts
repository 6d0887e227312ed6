// Order-book size sums (`tas`/`tbs`): exact decimal addition, checked against BigInt arithmetic on the decimal text.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { exactSum } from '../../sdk/decimal-sum.ts';
import { mulberry32 } from '../../sim/prng.ts';

const sizes = (xs: number[]) => xs.map((as) => ({ as }));
const sum = (xs: number[]) => exactSum(sizes(xs), 'as');

/** the exact sum of decimal strings, as the decimal string of the result */
function reference(texts: string[]): number {
  let scale = 0;
  for (const t of texts) scale = Math.max(scale, (t.split('.')[1] ?? '').length);
  let total = 0n;
  for (const t of texts) {
    const [i, f = ''] = t.split('.');
    total += BigInt(i! + f.padEnd(scale, '0'));
  }
  const digits = total.toString().padStart(scale + 1, '0');
  return Number(scale ? `${digits.slice(0, -scale)}.${digits.slice(-scale)}` : digits);
}

describe('exact size sums', () => {
  it('adds decimals without binary drift and without rounding to a fixed number of digits', () => {
    assert.equal(sum([0.1, 0.2]), 0.3);
    assert.equal(sum([12345.12345678, 0.00000001, 1000000]), 1012345.12345679);
    assert.equal(sum([123456.6, 0.1]), 123456.7);
    assert.equal(sum([1e-8, 1e-8, 1e-8]), 3e-8);
    assert.equal(sum([2, 3]), 5);
  });

  it('skips absent sides and gives 0, never -0, for nothing to add', () => {
    assert.equal(exactSum([{ as: 1.5 }, {}, { as: 0.25 }], 'as'), 1.75);
    assert.ok(Object.is(exactSum([{}, {}], 'as'), 0));
    assert.ok(Object.is(sum([-0, -0]), 0));
    assert.ok(Object.is(sum([]), 0));
  });

  it('stays exact where scaled integers do not fit (many decimals, huge values)', () => {
    assert.equal(sum([0.30000000000000004, 0.1]), reference(['0.30000000000000004', '0.1']));
    assert.equal(sum([1e20, 0.5]), 1e20);
    assert.equal(sum([123456789012.123, 0.0000001]), reference(['123456789012.123', '0.0000001']));
  });

  it('matches BigInt addition of the decimal text on random books', () => {
    const rand = mulberry32(11);
    for (let n = 0; n < 2000; n++) {
      const texts: string[] = [];
      const levels = 1 + Math.floor(rand() * 30);
      for (let i = 0; i < levels; i++) {
        const whole = Math.floor(rand() * 10 ** Math.floor(rand() * 7));
        const places = Math.floor(rand() * 9);
        const frac = places ? `.${String(Math.floor(rand() * 10 ** places)).padStart(places, '0')}` : '';
        texts.push(`${whole}${frac}`);
      }
      assert.equal(sum(texts.map(Number)), reference(texts), texts.join(' + '));
    }
  });
});
