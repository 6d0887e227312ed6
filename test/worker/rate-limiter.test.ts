// The sliding-window limiter that paces connection attempts, outgoing frames and REST requests.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RateLimiter } from '../../worker/rate-limiter.ts';

describe('rate limiter', () => {
  it('lets actions through until a window is full, then says how long to wait', () => {
    const r = new RateLimiter([{ count: 3, windowMs: 1000 }]);
    for (const t of [0, 10, 20]) {
      assert.equal(r.delay(t), 0);
      r.take(t);
    }
    assert.equal(r.delay(30), 970, 'the oldest of the three leaves the window at 1000');
    assert.equal(r.delay(1000), 0);
  });

  it('honours the strictest of several windows', () => {
    const r = new RateLimiter([
      { count: 5, windowMs: 1000 },
      { count: 6, windowMs: 60_000 },
    ]);
    for (let t = 0; t < 5; t++) r.take(t * 100);
    assert.equal(r.delay(500), 500, 'per-second window');
    r.take(1000);
    assert.equal(r.delay(1500), 58_500, 'per-minute window: six taken, the first leaves at 60 000');
  });

  it('never waits without windows', () => {
    const r = new RateLimiter([]);
    r.take(0);
    assert.equal(r.delay(0), 0);
  });
});
