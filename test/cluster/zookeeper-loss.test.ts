// Cluster mode on a three-member ZooKeeper ensemble: a member's death changes nothing; losing the quorum fences
// the leader (no exchange connections without a session), and the cluster recovers when ZooKeeper returns.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startKafka, startZooKeeper, startZooKeeperEnsemble } from '../../scripts/infra/index.ts';
import { startSimulators } from '../../sim/index.ts';
import { TestClient, waitFor } from '../support/client.ts';
import { getJson, spawnGateway } from '../support/process.ts';
import type { GatewayProcess } from '../support/process.ts';
import { isRecord } from '../support/streams.ts';

const SESSION_MS = 3000;

describe('cluster on a ZooKeeper ensemble', () => {
  let ensemble: Awaited<ReturnType<typeof startZooKeeperEnsemble>>;
  let kafkaZk: Awaited<ReturnType<typeof startZooKeeper>>;
  let kafka: Awaited<ReturnType<typeof startKafka>>;
  let sims: Awaited<ReturnType<typeof startSimulators>>;
  const nodes: GatewayProcess[] = [];
  const roles = () => Promise.all(nodes.map(async (n) => (await getJson<{ role: string }>(`${n.http}/ws/info`)).role));

  before(async () => {
    ensemble = await startZooKeeperEnsemble(3);
    // Kafka keeps its own ZooKeeper so that the ensemble's outage below is the gateways' alone.
    kafkaZk = await startZooKeeper();
    kafka = await startKafka({ zookeeper: kafkaZk.connectString, topics: [{ name: 'market-data', partitions: 1 }] });
    sims = await startSimulators({ seed: 6, intervalMs: 50 });
    for (const nodeId of ['zk-a', 'zk-b']) {
      nodes.push(
        await spawnGateway({
          mode: 'cluster',
          nodeId,
          cluster: { zookeeper: ensemble.connectString, path: '/gw-ensemble', sessionTimeoutMs: SESSION_MS },
          kafka: { enabled: true, brokers: kafka.brokers, acks: 1, maxWaitMs: 10 },
          exchanges: { upbit: { url: sims.get('upbit').url, symbols: ['BTC/KRW'], reconnect: { initialDelayMs: 100 } } },
        }),
      );
    }
    await waitFor(async () => (await roles()).sort().join() === 'follower,leader', 20_000, 'a leader');
  });

  after(async () => {
    await Promise.all(nodes.map((n) => n.stop()));
    await sims?.close();
    await kafka?.close();
    await kafkaZk?.close();
    await ensemble?.close();
  });

  it('keeps working when the ZooKeeper ensemble loses a member, even its leader', async () => {
    const c = await TestClient.connect(`${nodes[1]!.ws}?snapshot=false`);
    await c.next(isRecord, 15_000);
    await (await ensemble.leader()).kill9();
    const from = c.frames.length;
    await new Promise((r) => setTimeout(r, SESSION_MS)); // let any session trouble show
    await c.next(isRecord, 10_000, c.frames.length);
    assert.ok(c.frames.length > from);
    assert.deepEqual((await roles()).sort(), ['follower', 'leader']);
    assert.equal(sims.get('upbit').connections(), 1);
    await c.close();
  });

  it('fences the leader when ZooKeeper is lost, keeps serving HTTP, and elects again when it returns', async () => {
    // one member is already down; one more loses the quorum
    const up = [];
    for (const m of ensemble.members) if ((await m.mode()) !== 'down') up.push(m);
    await up[0]!.kill9();
    await waitFor(() => sims.get('upbit').connections() === 0, 10_000, 'the leader to close its exchange connections');
    for (const n of nodes) assert.equal((await fetch(`${n.http}/health`)).status, 200);
    const infra = await getJson<{ zookeeper: { healthy: boolean } }>(`${nodes[0]!.http}/api/ws/infra-health`);
    assert.equal(infra.zookeeper.healthy, false);
    for (const m of ensemble.members) if ((await m.mode()) === 'down') await m.restart();
    await waitFor(async () => (await roles()).sort().join() === 'follower,leader', 30_000, 'a leader again');
    await waitFor(() => sims.get('upbit').connections() === 1, 15_000, 'exchange connection again');
    const c = await TestClient.connect(`${nodes[0]!.ws}?snapshot=false`);
    await c.next(isRecord, 15_000);
    await c.close();
  });
});
