// Skewed market activity in the simulators (sim/market-set.ts): a few majors carry most of the flow.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { busyStepEvery, MarketSet, QUIETEST_EVERY, stepEvery } from '../../sim/market-set.ts';
import { BINANCE_RULES } from '../../sim/venue-rules.ts';

describe('skewed activity', () => {
  it('steps BTC every interval, the majors often and the long tail rarely but at least every QUIETEST_EVERY', () => {
    assert.equal(stepEvery('BTC'), 1);
    assert.ok(stepEvery('ETH') <= 3);
    const tail = ['ZRX', 'ENJ', 'CELO', 'KAVA', 'ROSE'].map(stepEvery);
    for (const e of tail) assert.ok(e >= 20 && e <= QUIETEST_EVERY, String(e));
  });

  it('gives most steps to the majors over many intervals, and every market its share', () => {
    const set = new MarketSet(BINANCE_RULES, 1, 1, 'skewed');
    const bases = ['BTC', 'ETH', 'XRP', 'SOL', ...Array.from({ length: 60 }, (_, i) => `ALT${i}`)];
    for (const b of bases) set.get(b, 'USDT', 1_700_000_000_000);
    const counts = new Map<string, number>();
    for (let i = 0; i < 1000; i++) for (const key of set.stepAll(1_700_000_000_000 + i * 100).keys()) counts.set(key, (counts.get(key) ?? 0) + 1);
    const majors = ['BTC', 'ETH', 'XRP', 'SOL'].reduce((s, b) => s + counts.get(`${b}/USDT`)!, 0);
    const total = [...counts.values()].reduce((a, b) => a + b, 0);
    assert.equal(counts.get('BTC/USDT'), 1000);
    assert.ok(majors / total > 0.5, `majors' share ${majors / total}`);
    for (const b of bases) assert.ok((counts.get(`${b}/USDT`) ?? 0) >= 1000 / QUIETEST_EVERY, b);
  });

  it('in a busier minute steps every market with 1/peak of BTC turnover every interval and the tail more often', () => {
    assert.equal(busyStepEvery('BTC', 5), 1);
    assert.equal(busyStepEvery('ETH', 5), 1);
    for (const b of ['ZRX', 'ENJ', 'CELO']) {
      assert.ok(busyStepEvery(b, 5) < stepEvery(b) && busyStepEvery(b, 5) >= 1, b);
    }
    const busy = new MarketSet(BINANCE_RULES, 1, 1, 'skewed', 5);
    for (const b of ['BTC', 'ETH']) busy.get(b, 'USDT', 1_700_000_000_000);
    assert.equal(busy.stepAll(1_700_000_000_100).size, 2);
  });

  it('steps every market every interval when uniform', () => {
    const set = new MarketSet(BINANCE_RULES, 1, 1);
    for (const b of ['BTC', 'ZRX']) set.get(b, 'USDT', 1_700_000_000_000);
    assert.equal(set.stepAll(1_700_000_000_100).size, 2);
  });
});
