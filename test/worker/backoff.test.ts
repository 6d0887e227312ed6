// The reconnect backoff and the exchange pushback as schedules: growth by the multiplier, cap, jitter bounds, reset,
// and each real plugin's pushback derived from its declared limit window.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Backoff } from '../../worker/backoff.ts';
import { limitWindowMs, Pushback, RETRY_AFTER_MAX_MS } from '../../worker/pushback.ts';
import binance from '../../plugins/binance/index.ts';
import bithumb from '../../plugins/bithumb/index.ts';
import upbit from '../../plugins/upbit/index.ts';

const POLICY = { initialDelayMs: 100, maxDelayMs: 5000, multiplier: 3, resetAfterMs: 1000 };
const fixed = (x: number) => () => x;
const take = (n: number, next: () => number) => Array.from({ length: n }, next);

describe('reconnect backoff', () => {
  it('grows by its multiplier from the initial delay up to the cap', () => {
    const b = new Backoff(POLICY, fixed(0.5)); // jitter factor exactly 1
    assert.deepEqual(take(6, () => b.next()), [100, 300, 900, 2700, 5000, 5000]);
    assert.equal(b.attempts, 6);
  });

  it('keeps every delay within ±20 % of its step', () => {
    const low = new Backoff(POLICY, fixed(0));
    const high = new Backoff(POLICY, fixed(0.999_999));
    assert.deepEqual(take(5, () => low.next()), [80, 240, 720, 2160, 4000]);
    assert.deepEqual(take(5, () => high.next()), [120, 360, 1080, 3240, 6000]);
    const random = new Backoff(POLICY);
    const steps = [100, 300, 900, 2700, 5000, 5000, 5000];
    for (const step of steps) {
      const d = random.next();
      assert.ok(d >= step * 0.8 && d <= step * 1.2, `${d} ms outside ±20 % of ${step} ms`);
    }
  });

  it('starts from the initial delay again after reset', () => {
    const b = new Backoff(POLICY, fixed(0.5));
    take(4, () => b.next());
    b.reset();
    assert.equal(b.attempts, 0);
    assert.equal(b.next(), 100);
  });
});

describe('exchange pushback', () => {
  const of = (limits: Parameters<typeof limitWindowMs>[0], random = fixed(0.999_999), floorMs = 500) =>
    new Pushback({ windowMs: limitWindowMs(limits, 30_000), floorMs, multiplier: 2 }, random);

  it('reads each plugin\'s limit window: Upbit and Bithumb per second, Binance per 5 minutes', () => {
    assert.equal(limitWindowMs(upbit.limits, 30_000), 1000);
    assert.equal(limitWindowMs(bithumb.limits, 30_000), 1000);
    assert.equal(limitWindowMs(binance.limits, 30_000), 300_000);
    assert.equal(limitWindowMs({ connectsPerSecond: 3 }, 30_000), 1000);
    assert.equal(limitWindowMs({ connectsPerWindow: { count: 10, windowMs: 60_000 } }, 30_000), 60_000);
    assert.equal(limitWindowMs(undefined, 30_000), 30_000);
  });

  it('brings Upbit and Bithumb back within 15 s and Binance within 150 s after four refusals, even at the top of the jitter', () => {
    for (const [plugin, bound, schedule] of [
      [upbit, 15_000, [1000, 2000, 4000, 4000]],
      [bithumb, 15_000, [1000, 2000, 4000, 4000]],
      [binance, 150_000, [7500, 15_000, 30_000, 60_000]],
    ] as const) {
      const p = of(plugin.limits);
      const waits = take(4, () => p.next());
      assert.deepEqual(waits, schedule, plugin.id);
      assert.ok(waits.reduce((a, b) => a + b) <= bound, `${plugin.id}: ${waits.join(' + ')} ms`);
    }
  });

  it('grows from one window by the multiplier and never waits longer than the window requires', () => {
    const p = of(binance.limits);
    const waits = take(8, () => p.next());
    assert.deepEqual(waits, [7500, 15_000, 30_000, 60_000, 120_000, 240_000, 300_000, 300_000]);
    const q = of(upbit.limits);
    assert.ok(take(20, () => q.next()).every((w) => w <= 4000));
  });

  it('only shortens by jitter (80-100 %), so the cap holds', () => {
    const low = of(upbit.limits, fixed(0));
    assert.deepEqual(take(4, () => low.next()), [800, 1600, 3200, 3200]);
    const random = of(binance.limits, Math.random);
    for (let i = 0; i < 12; i++) assert.ok(random.next() <= 300_000);
  });

  it('is never shorter than an ordinary reconnect', () => {
    const p = of(upbit.limits, fixed(0.999_999), 2000);
    assert.equal(p.next(), 2000);
  });

  it('waits what Retry-After says, up to 10 % later and never earlier, and still counts the refusal', () => {
    const early = of(upbit.limits, fixed(0));
    assert.equal(early.next(7000), 7000);
    const late = of(upbit.limits, fixed(0.999_999));
    assert.equal(late.next(7000), 7700);
    assert.equal(late.count, 1);
    assert.equal(late.next(), 2000, 'the next refusal without Retry-After waits the second step');
    assert.equal(of(binance.limits, fixed(0)).next(0), 0);
    assert.equal(of(binance.limits, fixed(0)).next(10 * RETRY_AFTER_MAX_MS), RETRY_AFTER_MAX_MS);
  });

  it('starts from the first wait again after reset', () => {
    const p = of(binance.limits);
    take(3, () => p.next());
    p.reset();
    assert.equal(p.count, 0);
    assert.equal(p.next(), 7500);
  });
});
