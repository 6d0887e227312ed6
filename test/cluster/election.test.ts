// Leader election and the Kafka bus in-process against real ZooKeeper and Kafka (runs under Node and Deno).

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startKafka, startZooKeeper } from '../../scripts/infra/index.ts';
import { BatchBuilder } from '../../boundary/batch.ts';
import type { RecordBatch } from '../../boundary/batch.ts';
import { KafkaBus } from '../../kernel/bus/kafka.ts';
import { LeaderElection } from '../../kernel/cluster/election.ts';
import { createLogger } from '../../kernel/log.ts';
import { waitFor } from '../support/client.ts';

const log = createLogger('error');

describe('leader election on ZooKeeper', () => {
  let zk: Awaited<ReturnType<typeof startZooKeeper>>;
  const elections: LeaderElection[] = [];
  const elect = (nodeId: string, onDisconnect: 'fence' | 'grace' = 'fence') => {
    const e = new LeaderElection({ connectString: zk.connectString, path: '/election-test', sessionTimeoutMs: 2000, nodeId, onDisconnect, log });
    elections.push(e);
    e.start();
    return e;
  };

  before(async () => {
    zk = await startZooKeeper();
  });

  after(async () => {
    await Promise.all(elections.map((e) => e.close()));
    await zk?.close();
  });

  it('elects the first candidate, the others follow and agree on who leads', async () => {
    const a = elect('a');
    await waitFor(() => a.isLeader, 10_000, 'a elected');
    const b = elect('b');
    const c = elect('c');
    await waitFor(() => b.state === 'follower' && c.state === 'follower', 10_000, 'followers');
    assert.equal(b.leaderId, 'a');
    assert.ok(!b.isLeader && !c.isLeader);
  });

  it('hands over to the next candidate within a second when the leader closes', async () => {
    const [a, b, c] = elections;
    let revoked = '';
    a!.once('revoked', (why: string) => (revoked = why));
    const t0 = Date.now();
    await a!.close();
    // b and c joined together: whichever got the lower sequence number is next
    const next = (await waitFor(() => [b!, c!].find((e) => e.isLeader), 5000, 'a successor'))!;
    assert.ok(Date.now() - t0 < 1000, `handover took ${Date.now() - t0} ms`);
    assert.equal(revoked, 'closing');
    const other = next === b ? c! : b!;
    assert.equal(other.isLeader, false);
    const nextId = next === b ? 'b' : 'c';
    await waitFor(() => other.leaderId === nextId, 5000, 'the follower learns the new leader');
  });

  it('fences the leader at once when its ZooKeeper connection is lost', async () => {
    const b = elections.find((e) => e.isLeader)!;
    let fencedAt = 0;
    b.once('revoked', () => (fencedAt = Date.now()));
    const t0 = Date.now();
    await zk.close();
    await waitFor(() => fencedAt > 0, 5000, 'fenced');
    assert.ok(fencedAt - t0 < 2000, `fenced after ${fencedAt - t0} ms (session timeout 2000 ms)`);
    assert.equal(b.isLeader, false);
    assert.equal(b.state, 'disconnected');
  });
});

describe('the Kafka bus', () => {
  let zk: Awaited<ReturnType<typeof startZooKeeper>>;
  let kafka: Awaited<ReturnType<typeof startKafka>>;
  const buses: KafkaBus[] = [];

  before(async () => {
    zk = await startZooKeeper();
    kafka = await startKafka({ zookeeper: zk.connectString, topics: [{ name: 'bus-test', partitions: 2 }] });
  });

  after(async () => {
    await Promise.all(buses.map((b) => b.close()));
    await kafka?.close();
    await zk?.close();
  });

  it('delivers what the producing node publishes to every node, in order per key', async () => {
    const got: RecordBatch[][] = [[], []];
    for (const i of [0, 1]) {
      const bus = new KafkaBus({ brokers: kafka.brokers, topic: 'bus-test', partitions: 2, nodeId: `n${i}`, acks: -1, maxWaitMs: 10, log });
      bus.subscribe((b) => got[i]!.push(b));
      await bus.start();
      buses.push(bus);
    }
    await waitFor(() => buses.every((b) => b.consumerHealthy), 20_000, 'consumers fetching');
    buses[0]!.producing = true;
    for (let i = 0; i < 50; i++) {
      const b = new BatchBuilder();
      b.add(`upbit|trade|${i % 2 ? 'BTC' : 'ETH'}/KRW`, new Uint8Array([i]));
      buses[0]!.publish(b.take());
    }
    const values = (i: number, key: string) =>
      got[i]!.flatMap((b) => b.keys.flatMap((k, j) => (k === key ? [b.buf[j === 0 ? 0 : b.ends[j - 1]!]!] : [])));
    await waitFor(() => got.every((_, i) => values(i, 'upbit|trade|BTC/KRW').length === 25 && values(i, 'upbit|trade|ETH/KRW').length === 25), 15_000, 'all records on both nodes');
    for (const i of [0, 1]) {
      assert.deepEqual(values(i, 'upbit|trade|BTC/KRW'), Array.from({ length: 25 }, (_, k) => 2 * k + 1));
      assert.deepEqual(values(i, 'upbit|trade|ETH/KRW'), Array.from({ length: 25 }, (_, k) => 2 * k));
    }
    const h = buses[1]!.health() as { healthy: boolean; path: string; consumer: { lag: number } };
    assert.equal(h.healthy, true);
    assert.equal(h.path, 'kafka');
  });
});
