// The Redis pub/sub bus in-process against a real redis-server: a subscription that goes silent while Redis still
// answers is found by the probes and rebuilt; a hung server makes the leader serve its own clients directly.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startRedis } from '../../scripts/infra/index.ts';
import type { RedisHandle } from '../../scripts/infra/index.ts';
import { BatchBuilder } from '../../boundary/batch.ts';
import { RedisBus } from '../../kernel/bus/redis.ts';
import { createLogger } from '../../kernel/log.ts';
import { waitFor } from '../support/client.ts';

const RECOVERY = { stallTimeoutMs: 2000, probeIntervalMs: 250, rebuildInitialDelayMs: 100, rebuildMaxDelayMs: 1000 };

describe('the Redis bus watchdog', () => {
  let redis: RedisHandle;
  let leader: RedisBus;
  let follower: RedisBus;
  const got: number[] = [];
  const own: number[] = [];
  let n = 0;
  let feed: ReturnType<typeof setInterval> | undefined;

  before(async () => {
    redis = await startRedis();
    const log = createLogger('warn', 'test');
    leader = new RedisBus(redis.url, 'bus-test', log.child('leader'), 'leader', RECOVERY);
    follower = new RedisBus(redis.url, 'bus-test', log.child('follower'), 'follower', RECOVERY);
    follower.subscribe((b) => got.push(...b.keys.map((_, i) => b.buf[i === 0 ? 0 : b.ends[i - 1]!]!)));
    leader.subscribe((b) => own.push(b.keys.length));
    await leader.start();
    await follower.start();
    leader.producing = true;
    feed = setInterval(() => {
      const b = new BatchBuilder();
      b.add('upbit|trade|BTC/KRW', new Uint8Array([n++ % 256]));
      leader.publish(b.take());
    }, 50);
    await waitFor(() => leader.health().state === 'up' && follower.health().state === 'up', 10_000, 'both up');
  });

  after(async () => {
    clearInterval(feed);
    await leader?.close();
    await follower?.close();
    await redis?.close();
  });

  it('rebuilds a subscription that went silent while Redis answers, and delivers again', async () => {
    // fault injection: drop the subscription behind the bus's back, the connection stays open and ready
    const sub = (follower as unknown as { sub: { client: { unsubscribe(ch: string): Promise<unknown> } } }).sub;
    await sub.client.unsubscribe('bus-test');
    const down = await waitFor(() => (follower.health().state === 'down' ? follower.health() : undefined), 10_000, 'follower down');
    assert.match(down!.reason!, /heard nothing|silent/);
    const before = got.length;
    await waitFor(() => follower.health().state === 'up' && got.length > before + 5, 10_000, 'records again');
    const h = follower.health();
    assert.equal(h.stalls, 1);
    assert.equal(h.rebuilds, 1);
    assert.equal(h.outages, 1);
    assert.equal(h.reason, null);
  });

  it('serves the leader’s own clients directly while Redis hangs, and publishes again when it answers', async () => {
    process.kill(redis.pid, 'SIGSTOP');
    try {
      const degraded = await waitFor(() => (leader.health().state === 'degraded' ? leader.health() : undefined), 15_000, 'leader degraded');
      assert.equal(degraded!.path, 'direct-fallback');
      const mine = own.length;
      await waitFor(() => own.length > mine + 5, 5000, 'direct delivery');
    } finally {
      process.kill(redis.pid, 'SIGCONT');
    }
    const before = got.length;
    await waitFor(() => leader.health().state === 'up' && follower.health().state === 'up' && got.length > before + 5, 15_000, 'both up again');
    assert.equal(leader.health().path, 'redis');
  });
});
