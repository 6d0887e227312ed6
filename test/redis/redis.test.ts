// Redis: the latest value of every stream survives a restart, and Redis pub/sub carries a cluster without Kafka.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startRedis, startZooKeeper, redisCommand } from '../../scripts/infra/index.ts';
import { startSimulators } from '../../sim/index.ts';
import { TestClient, waitFor } from '../support/client.ts';
import { startGateway } from '../support/gateway.ts';
import { getJson, spawnGateway } from '../support/process.ts';
import type { GatewayProcess } from '../support/process.ts';
import { isRecord } from '../support/streams.ts';

type Redis = Awaited<ReturnType<typeof startRedis>>;

describe('latest values in Redis', () => {
  let redis: Redis;
  let sims: Awaited<ReturnType<typeof startSimulators>>;

  before(async () => {
    redis = await startRedis();
    sims = await startSimulators({ seed: 8, intervalMs: 50 });
  });

  after(async () => {
    await sims?.close();
    await redis?.close();
  });

  it('keeps the newest record of every key, and a restarted gateway replays them before any live data', async () => {
    const exchanges = { upbit: { url: sims.get('upbit').url, symbols: ['BTC/KRW', 'ETH/KRW'] } };
    const first = await startGateway({ redis: { enabled: true, url: redis.url }, exchanges });
    await waitFor(async () => (await redisCommand(redis.port, 'HLEN gateway:latest')) === ':6', 15_000, 'six keys in Redis');
    const health = await getJson<{ redis: { healthy: boolean; latest: { writes: number } } }>(`${first.http}/api/ws/infra-health`);
    assert.equal(health.redis.healthy, true);
    assert.ok(health.redis.latest.writes > 0);
    await first.kernel.close();

    // the exchange is unreachable now: whatever the new gateway serves comes from Redis
    const second = await startGateway({
      redis: { enabled: true, url: redis.url },
      exchanges: { upbit: { url: 'ws://127.0.0.1:9/websocket/v1', symbols: ['BTC/KRW', 'ETH/KRW'] } },
    });
    try {
      const snap = await getJson<{ ex: string; st: string }[]>(`${second.http}/api/snapshot`);
      assert.equal(snap.length, 6);
      assert.ok(snap.every((r) => r.ex === 'upbit' && r.st === 'SNAPSHOT'));
      const c = await TestClient.connect(second.ws);
      const replayed = await c.collect((f) => f.st === 'SNAPSHOT', 6);
      assert.deepEqual(new Set(replayed.map((r) => `${r.ty}|${r.cd}`)).size, 6);
      await c.close();
    } finally {
      await second.kernel.close();
    }
  });

  it('keeps serving when Redis is down, reporting it', async () => {
    const down = await startRedis();
    const url = down.url;
    await down.close();
    const gw = await startGateway({ redis: { enabled: true, url }, exchanges: { upbit: { url: sims.get('upbit').url, symbols: ['BTC/KRW'] } } });
    try {
      const c = await TestClient.connect(`${gw.ws}?snapshot=false`);
      await c.next(isRecord, 15_000);
      await c.close();
      const health = await getJson<{ redis: { healthy: boolean; latest: { failedWrites: number } } }>(`${gw.http}/api/ws/infra-health`);
      assert.equal(health.redis.healthy, false);
      assert.ok(health.redis.latest.failedWrites > 0);
    } finally {
      await gw.kernel.close();
    }
  });
});

describe('a cluster on Redis pub/sub, without Kafka', () => {
  let redis: Redis;
  let zk: Awaited<ReturnType<typeof startZooKeeper>>;
  let sims: Awaited<ReturnType<typeof startSimulators>>;
  const nodes: GatewayProcess[] = [];

  before(async () => {
    redis = await startRedis();
    zk = await startZooKeeper();
    sims = await startSimulators({ seed: 12, intervalMs: 50 });
    for (const nodeId of ['r-1', 'r-2']) {
      nodes.push(
        await spawnGateway({
          mode: 'cluster',
          nodeId,
          cluster: { zookeeper: zk.connectString, path: '/gw-redis', sessionTimeoutMs: 3000 },
          redis: { enabled: true, url: redis.url },
          exchanges: { upbit: { url: sims.get('upbit').url, symbols: ['BTC/KRW'] } },
        }),
      );
    }
  });

  after(async () => {
    await Promise.all(nodes.map((n) => n.stop()));
    await sims?.close();
    await zk?.close();
    await redis?.close();
  });

  it('delivers the leader’s records to clients of every node', async () => {
    const clients = await Promise.all(nodes.map((n) => TestClient.connect(`${n.ws}?snapshot=false`)));
    await Promise.all(clients.map((c) => c.collect(isRecord, 30, 20_000)));
    const roles = await Promise.all(nodes.map(async (n) => (await getJson<{ role: string }>(`${n.http}/ws/info`)).role));
    assert.deepEqual(roles.sort(), ['follower', 'leader']);
    assert.equal(sims.get('upbit').connections(), 1);
    const ids = clients.map((c) => new Set(c.frames.filter(isRecord).map((f) => `${f.ty}|${f.cd}|${f.ep}|${f.sq}`)));
    const shared = [...ids[0]!].filter((k) => ids[1]!.has(k)).length;
    assert.ok(shared >= 20, `${shared} records on both nodes`);
    const health = await getJson<{ redis: { healthy: boolean; bus: { path: string } } }>(`${nodes[0]!.http}/api/ws/infra-health`);
    assert.equal(health.redis.bus.path, 'redis');
    await Promise.all(clients.map((c) => c.close()));
  });
});
