// The infrastructure launchers against the real services: ZooKeeper (standalone and an ensemble losing its leader),
// Kafka 0.9 through the ApiVersions proxy with kafkajs, Redis and nginx. Each test closes what it started.

import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, describe, test } from 'node:test';
import { CompressionTypes } from 'kafkajs';
import type { Client } from 'node-zookeeper-client';
import type WebSocket from 'ws';
import {
  redisCommand,
  startKafka,
  startNginx,
  startRedis,
  startZooKeeper,
  startZooKeeperEnsemble,
} from '../../scripts/infra/index.ts';
import type { KafkaHandle, ZkHandle } from '../../scripts/infra/index.ts';
import {
  asText,
  assertGone,
  consume,
  createEphemeral,
  exists,
  kafkaClient,
  openSocket,
  retrying,
  startUpstream,
  tryConnect,
  zkClient,
} from './helpers.ts';

/** A hang fails the suite instead of stalling the run; everything here normally takes seconds. */
const LIMIT_MS = 90_000;

// ---- ZooKeeper -----------------------------------------------------------------------------------------------

describe('ZooKeeper', { timeout: LIMIT_MS }, () => {
  test('a standalone server serves a session that creates an ephemeral node, and close() leaves nothing running', async () => {
    const zk = await startZooKeeper();
    try {
      assert.equal(zk.connectString, `127.0.0.1:${zk.port}`);
      const client = await zkClient(zk.connectString);
      await createEphemeral(client, '/infra-test');
      assert.equal(await exists(client, '/infra-test'), true);
      client.close();
    } finally {
      await zk.close();
      await zk.close();
    }
    assertGone(zk.pid);
    assert.equal(await tryConnect(zk.port), 'ECONNREFUSED');
  });

  test('an ensemble elects a new leader after its leader is SIGKILLed, and a client session carries on', async () => {
    const ensemble = await startZooKeeperEnsemble(3);
    let client: Client | undefined;
    try {
      assert.equal(ensemble.connectString.split(',').length, 3);
      client = await zkClient(ensemble.connectString);
      const sessionId = client.getSessionId().toString('hex');
      await createEphemeral(client, '/before-failover');

      const oldLeader = await ensemble.leader();
      await oldLeader.kill9();
      assertGone(oldLeader.pid);
      const newLeader = await ensemble.leader();
      assert.notEqual(newLeader.id, oldLeader.id);

      // The same session (its ephemeral node still there) and it can still write.
      const c = client;
      assert.equal(await retrying(() => exists(c, '/before-failover')), true);
      await retrying(() => createEphemeral(c, '/after-failover'));
      assert.equal(client.getSessionId().toString('hex'), sessionId);

      await oldLeader.restart();
      assert.equal(await oldLeader.mode(), 'follower');
    } finally {
      client?.close();
      await ensemble.close();
    }
    for (const m of ensemble.members) assertGone(m.pid);
  });
});

// ---- Kafka ---------------------------------------------------------------------------------------------------

describe('Kafka 0.9 behind the ApiVersions proxy', { timeout: LIMIT_MS }, () => {
  let zk: ZkHandle;
  let kafka: KafkaHandle;

  before(async () => {
    zk = await startZooKeeper();
    kafka = await startKafka({
      zookeeper: zk.connectString,
      topics: [
        { name: 'trades', partitions: 3 },
        { name: 'outage', partitions: 1 },
      ],
    });
  });

  after(async () => {
    await kafka?.close();
    await kafka?.close();
    await zk?.close();
    if (kafka) assertGone(kafka.pid);
  });

  test('two consumer groups each receive every keyed, gzipped message from the start, in key order', async () => {
    const client = kafkaClient(kafka.brokers);
    const producer = client.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    const messages = Array.from({ length: 30 }, (_, i) => ({ key: `BTC-${i % 3}`, value: `trade-${i}` }));
    try {
      await producer.send({ topic: 'trades', acks: -1, compression: CompressionTypes.GZIP, messages });
    } finally {
      await producer.disconnect();
    }
    const [a, b] = await Promise.all([
      consume(client, 'group-a', 'trades', messages.length),
      consume(client, 'group-b', 'trades', messages.length),
    ]);
    const expected = messages.map((m) => `${m.key}=${m.value}`);
    for (const got of [a, b]) {
      assert.deepEqual(got.map(asText).sort(), [...expected].sort());
      // One key lives in one partition, so each key's records keep their order.
      for (const key of ['BTC-0', 'BTC-1', 'BTC-2']) {
        const ofKey = (list: string[]) => list.filter((t) => t.startsWith(`${key}=`));
        assert.deepEqual(ofKey(got.map(asText)), ofKey(expected));
      }
    }
  });

  test('while stopped the broker address refuses connections; after start() the same producer sends again', async () => {
    const client = kafkaClient(kafka.brokers);
    const producer = client.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    try {
      await producer.send({ topic: 'outage', acks: -1, messages: [{ key: 'k', value: 'before' }] });
      const port = Number(kafka.brokers[0]!.split(':')[1]);
      const oldPid = kafka.pid;

      await kafka.stop();
      assertGone(oldPid);
      assert.equal(await tryConnect(port), 'ECONNREFUSED');

      await kafka.start();
      assert.notEqual(kafka.pid, oldPid);
      await producer.send({ topic: 'outage', acks: -1, messages: [{ key: 'k', value: 'after' }] });
    } finally {
      await producer.disconnect();
    }
    // The broker came back on its old data: both records are there for a new group.
    const got = await consume(client, 'group-after-restart', 'outage', 2);
    assert.deepEqual(got.map(asText), ['k=before', 'k=after']);
  });
});

// ---- Redis ---------------------------------------------------------------------------------------------------

describe('Redis', { timeout: LIMIT_MS }, () => {
  test('a private redis-server answers PING and close() frees its port', async () => {
    const redis = await startRedis();
    try {
      assert.equal(redis.url, `redis://127.0.0.1:${redis.port}`);
      assert.equal(await redisCommand(redis.port, 'PING'), '+PONG');
    } finally {
      await redis.close();
      await redis.close();
    }
    assertGone(redis.pid);
    assert.equal(await tryConnect(redis.port), 'ECONNREFUSED');
  });
});

// ---- nginx ---------------------------------------------------------------------------------------------------

describe('nginx', { timeout: LIMIT_MS }, () => {
  test('proxies HTTP and WebSocket upgrades to two upstreams by least connections', async () => {
    const upstreams = await Promise.all([startUpstream('node-a'), startUpstream('node-b')]);
    const nginx = await startNginx({ upstreams: upstreams.map((u) => u.address) });
    const sockets: WebSocket[] = [];
    try {
      const res = await fetch(nginx.url);
      assert.equal(res.status, 200);
      assert.ok(['node-a', 'node-b'].includes(await res.text()));

      const wsUrl = nginx.url.replace('http:', 'ws:');
      const first = await openSocket(wsUrl);
      sockets.push(first.ws);
      // The first upstream now holds a connection, so least_conn sends the next one to the other.
      const second = await openSocket(wsUrl);
      sockets.push(second.ws);
      assert.deepEqual([first.greeting, second.greeting].sort(), ['node-a', 'node-b']);

      second.ws.send('ping');
      const [echo] = (await once(second.ws, 'message')) as [Buffer];
      assert.equal(echo.toString(), `${second.greeting}:ping`);
    } finally {
      for (const ws of sockets) ws.terminate();
      await nginx.close();
      await nginx.close();
      await Promise.all(upstreams.map((u) => u.close()));
    }
    assertGone(nginx.pid);
    assert.equal(await tryConnect(nginx.port), 'ECONNREFUSED');
  });
});
