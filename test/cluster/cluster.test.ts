// Cluster mode on real ZooKeeper, a real Kafka broker and real gateway processes: one leader holds the exchange
// connections, every node serves the same stream, failover, graceful handover, Kafka outage, load balancer.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startKafka, startNginx, startZooKeeper } from '../../scripts/infra/index.ts';
import { startSimulators } from '../../sim/index.ts';
import { TestClient, waitFor } from '../support/client.ts';
import type { Frame } from '../support/client.ts';
import { getJson, spawnGateway } from '../support/process.ts';
import type { GatewayProcess } from '../support/process.ts';
import { assertSequences, isRecord, keyOf } from '../support/streams.ts';

const SESSION_MS = 3000;
const TOPIC = 'market-data';
type Info = { role: string; nodeId: string; leaderId: string | null };

describe('cluster of three gateway nodes', () => {
  let zk: Awaited<ReturnType<typeof startZooKeeper>>;
  let kafka: Awaited<ReturnType<typeof startKafka>>;
  let sims: Awaited<ReturnType<typeof startSimulators>>;
  const nodes: GatewayProcess[] = [];
  /** the longest time two or more connections to one simulated exchange were open at once */
  let overlapMs = 0;
  let sampler: ReturnType<typeof setInterval> | undefined;

  const config = (nodeId: string) => ({
    mode: 'cluster',
    nodeId,
    cluster: { zookeeper: zk.connectString, path: '/gateway-test', sessionTimeoutMs: SESSION_MS },
    kafka: { enabled: true, brokers: kafka.brokers, topic: TOPIC, acks: 1, maxWaitMs: 10 },
    exchanges: {
      upbit: { url: sims.get('upbit').url, symbols: ['BTC/KRW', 'ETH/KRW'], reconnect: { initialDelayMs: 100 } },
      binance: { url: sims.get('binance').url, restUrl: sims.get('binance').restUrl, symbols: ['BTC/USDT'], reconnect: { initialDelayMs: 100 } },
    },
  });
  const info = (n: GatewayProcess) => getJson<Info>(`${n.http}/ws/info`);
  const live = () => nodes.filter((n) => n.alive());
  async function leader(): Promise<GatewayProcess> {
    return (await waitFor(async () => {
      for (const n of live()) if ((await info(n).catch(() => undefined))?.role === 'leader') return n;
      return undefined;
    }, 20_000, 'a leader'))!;
  }

  before(async () => {
    zk = await startZooKeeper();
    kafka = await startKafka({ zookeeper: zk.connectString, topics: [{ name: TOPIC, partitions: 3 }] });
    sims = await startSimulators({ seed: 4, intervalMs: 50 });
    for (const id of ['node-1', 'node-2', 'node-3']) nodes.push(await spawnGateway(config(id)));
    let since = 0;
    sampler = setInterval(() => {
      const double = sims.get('upbit').connections() > 1 || sims.get('binance').connections() > 1;
      if (double && !since) since = Date.now();
      if (!double && since) {
        overlapMs = Math.max(overlapMs, Date.now() - since);
        since = 0;
      }
    }, 20);
  });

  after(async () => {
    clearInterval(sampler);
    await Promise.all(nodes.map((n) => n.stop()));
    await sims?.close();
    await kafka?.close();
    await zk?.close();
  });

  it('elects exactly one leader, the only node connected to the exchanges', async () => {
    const first = await leader();
    await waitFor(() => sims.get('upbit').connections() === 1 && sims.get('binance').connections() === 1, 15_000, 'leader connections');
    const infos = await Promise.all(nodes.map(info));
    assert.deepEqual(infos.map((i) => i.role).sort(), ['follower', 'follower', 'leader']);
    const leaderId = infos.find((i) => i.role === 'leader')!.nodeId;
    await waitFor(async () => (await Promise.all(nodes.map(info))).every((i) => i.leaderId === leaderId), 10_000, 'all agree');
    const health = await getJson<{ exchanges: Record<string, { connected: boolean }> }>(`${first.http}/api/ws/infra-health`);
    assert.equal(health.exchanges.upbit!.connected, true);
  });

  it('gives clients on every node the same records through Kafka', async () => {
    const clients = await Promise.all(nodes.map((n, i) => TestClient.connect(`${n.ws}?snapshot=false${i === 1 ? '&format=msgpack' : ''}`)));
    await Promise.all(clients.map((c) => c.collect(isRecord, 150, 20_000)));
    await Promise.all(clients.map((c) => c.close()));
    const id = (f: Frame) => `${keyOf(f)}|${f.ep}|${f.sq}`;
    const maps = clients.map((c) => new Map(c.frames.filter(isRecord).map((f) => [id(f), f])));
    let shared = 0;
    for (const [k, f] of maps[0]!) {
      if (!maps[1]!.has(k) || !maps[2]!.has(k)) continue;
      assert.deepEqual(maps[1]!.get(k), f);
      assert.deepEqual(maps[2]!.get(k), f);
      shared++;
    }
    assert.ok(shared >= 100, `${shared} records seen on all three nodes`);
    for (const c of clients) assertSequences(c.frames.filter(isRecord), c);
    const health = await getJson<{ kafka: { healthy: boolean; path: string; consumer: { lag: number } } }>(`${nodes[0]!.http}/api/ws/infra-health`);
    assert.equal(health.kafka.healthy, true);
    assert.equal(health.kafka.path, 'kafka');
    assert.equal(typeof health.kafka.consumer.lag, 'number');
  });

  it('fails over after kill -9 of the leader within the session timeout, never with two feeders', async () => {
    const old = await leader();
    const survivors = nodes.filter((n) => n !== old);
    const clients = await Promise.all(survivors.map((n) => TestClient.connect(`${n.ws}?snapshot=false&exchange=upbit`)));
    // records only: status events (sent on connect) carry no ep
    const lastEp = Math.max(0, ...clients.flatMap((c) => c.frames.filter(isRecord).map((f) => f.ep as number)));
    const killedAt = Date.now();
    await old.kill9();
    const next = await leader();
    await waitFor(() => sims.get('upbit').connections() === 1, SESSION_MS + 5000, 'new leader connected');
    const took = Date.now() - killedAt;
    assert.ok(took <= SESSION_MS + 5000, `failover took ${took} ms`);
    assert.ok(survivors.includes(next));
    await Promise.all(clients.map((c) => c.next((f) => isRecord(f) && (f.ep as number) > lastEp, 15_000)));
    await Promise.all(clients.map((c) => c.close()));
    assert.ok(overlapMs <= SESSION_MS, `two feeders for ${overlapMs} ms`);
  });

  it('hands over in under a second when the leader shuts down gracefully', async () => {
    const old = await leader();
    const before = sims.get('upbit').totalConnections();
    const t0 = Date.now();
    await old.stop();
    await waitFor(() => sims.get('upbit').totalConnections() > before, 5000, 'a successor connects');
    const took = Date.now() - t0;
    assert.ok(took < 1000 + 500, `handover took ${took} ms`); // allowance for process exit and a 100 ms reconnect delay
    const next = await leader();
    assert.ok(next.alive());
    assert.ok(overlapMs <= SESSION_MS);
  });

  it('keeps serving through a Kafka outage: the leader directly, followers report it; all resume after', async () => {
    // a fresh node alongside the survivor of the two previous tests
    nodes.push(await spawnGateway(config('node-4')));
    const running = live();
    const lead = await leader();
    const follower = live().find((n) => n !== lead)!;
    const onLeader = await TestClient.connect(`${lead.ws}?snapshot=false`);
    const onFollower = await TestClient.connect(`${follower.ws}?snapshot=false`);
    await onFollower.next(isRecord, 15_000);
    await kafka.stop();
    await waitFor(async () => (await getJson<{ kafka: { path: string } }>(`${lead.http}/api/ws/infra-health`)).kafka.path === 'direct-fallback', 20_000, 'leader fallback');
    const from = onLeader.frames.length;
    await onLeader.next(isRecord, 10_000, from);
    await waitFor(async () => (await getJson<{ kafka: { healthy: boolean } }>(`${follower.http}/api/ws/infra-health`)).kafka.healthy === false, 30_000, 'follower reports the outage');
    await kafka.start();
    await waitFor(async () => (await getJson<{ kafka: { path: string } }>(`${lead.http}/api/ws/infra-health`)).kafka.path === 'kafka', 30_000, 'leader back on Kafka');
    const resumedFrom = onFollower.frames.length;
    await onFollower.next(isRecord, 30_000, resumedFrom);
    assert.ok(running.length >= 2 && running.every((n) => n.alive()), 'no node crashed');
    await onLeader.close();
    await onFollower.close();
  });

  it('spreads clients over the nodes behind nginx (least_conn), each receiving the stream', async () => {
    const lb = await startNginx({ upstreams: live().map((n) => `127.0.0.1:${n.port}`) });
    try {
      const clients = await Promise.all(Array.from({ length: 12 }, () => TestClient.connect(`${lb.url.replace('http', 'ws')}/ws/exchange?snapshot=false`)));
      await Promise.all(clients.map((c) => c.next(isRecord, 20_000)));
      const counts = await Promise.all(live().map(async (n) => (await getJson<{ clients: number }>(`${n.http}/api/ws/infra-health`)).clients));
      assert.ok(counts.filter((n) => n > 0).length >= 2, `clients per node: ${counts}`);
      await Promise.all(clients.map((c) => c.close()));
    } finally {
      await lb.close();
    }
  });
});
