// Exact decimal sums: order-book sizes (`tas`/`tbs`) and candle volumes (Σ tv, Σ tp × tv), checked against BigInt
// arithmetic on the decimal text.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DecimalSum, exactSum } from '../../sdk/decimal-sum.ts';
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

  it('sums products of decimals exactly, past 2^53 and with many decimals', () => {
    const quote = new DecimalSum();
    quote.addProduct(0.1, 0.2);
    assert.equal(quote.value(), 0.02);
    // KRW prices × 8-decimal sizes: the scaled sum outgrows 2^53 within a minute of trades
    const rand = mulberry32(5);
    const volume = new DecimalSum();
    let exactQuote = 0n;
    let exactVolume = 0n;
    for (let i = 0; i < 20_000; i++) {
      const p = 140_000_000 + Math.floor(rand() * 100_000);
      const q = Math.floor(rand() * 300_000_000); // up to 3 in units of 1e-8
      quote.addProduct(p, Number(`${q}e-8`));
      volume.add(Number(`${q}e-8`));
      exactQuote += BigInt(p) * BigInt(q);
      exactVolume += BigInt(q);
    }
    exactQuote += 2n * 10n ** 6n; // the 0.1 × 0.2 first added, at scale 8
    assert.equal(quote.value(), Number(`${exactQuote}e-8`));
    assert.equal(volume.value(), Number(`${exactVolume}e-8`));
    const fine = new DecimalSum();
    fine.add(1e-20);
    fine.addProduct(0.30000000000000004, 3);
    fine.add(1e21);
    assert.equal(fine.value(), Number('1000000000000000000000.90000000000000012000000000000001'));
  });

  it('gives NaN for a non-finite number and starts again after reset', () => {
    const s = new DecimalSum();
    s.add(1.5);
    s.addProduct(Infinity, 2);
    assert.ok(Number.isNaN(s.value()));
    s.reset();
    s.add(0.25);
    assert.equal(s.value(), 0.25);
    assert.ok(Number.isNaN(exactSum([{ as: NaN }, { as: 1 }], 'as')));
  });
});
