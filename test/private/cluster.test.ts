// Private streams in cluster mode (real ZooKeeper; real Redis pub/sub or Kafka as the bus): the leader's private records reach the
// entitled clients of every node, sealed with AES-256-GCM on a channel of their own; the public channel never
// carries them, a node with another key cannot open them, and a node without a key refuses to start.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { parseConfig } from '../../kernel/config.ts';
import { Kernel } from '../../kernel/kernel.ts';
import { createLogger } from '../../kernel/log.ts';
import { startKafka, startRedis, startZooKeeper } from '../../scripts/infra/index.ts';
import { consume, kafkaClient } from '../infra/helpers.ts';
import { startUpbitSim } from '../../plugins/upbit/sim.ts';
import type { SimHandle } from '../../sim/index.ts';
import { TestClient, waitFor } from '../support/client.ts';
import type { Frame } from '../support/client.ts';

const ENV = {
  PVC_AK: `cluster-access-${randomBytes(8).toString('hex')}`,
  PVC_SK: `cluster-secret-${randomBytes(8).toString('hex')}`,
  PVC_TOKEN: `cluster-token-${randomBytes(8).toString('hex')}`,
  PVC_SEAL: randomBytes(32).toString('hex'),
  PVC_OTHER_SEAL: randomBytes(32).toString('hex'),
};
const isPrivate = (f: Frame) => f.ty === 'myOrder' || f.ty === 'myAsset';

describe('private streams in a cluster on Redis pub/sub', () => {
  let redis: Awaited<ReturnType<typeof startRedis>>;
  let zk: Awaited<ReturnType<typeof startZooKeeper>>;
  let sim: SimHandle;
  let tap: Redis;
  const tapped = { public: [] as Buffer[], private: [] as Buffer[] };
  const nodes: Kernel[] = [];
  const clients: TestClient[] = [];

  const doc = (nodeId: string, sealKeyEnv = 'PVC_SEAL') => ({
    mode: 'cluster',
    nodeId,
    server: { host: '127.0.0.1', port: 0 },
    cluster: { zookeeper: zk.connectString, path: '/gw-private', sessionTimeoutMs: 3000 },
    redis: { enabled: true, url: redis.url },
    exchanges: { upbit: { url: sim.url, restUrl: sim.restUrl, symbols: ['BTC/KRW'] } },
    auth: { tokens: [{ id: 'alice-app', env: 'PVC_TOKEN', accounts: ['alice'] }] },
    private: { sealKeyEnv, accounts: [{ id: 'alice', exchange: 'upbit', accessKeyEnv: 'PVC_AK', secretKeyEnv: 'PVC_SK' }] },
  });
  const start = async (d: Record<string, unknown>) => {
    const k = new Kernel({ config: parseConfig(d), log: createLogger('error'), statsIntervalMs: 200 });
    await k.start();
    nodes.push(k);
    return k;
  };
  const connect = async (k: Kernel, token?: string) => {
    const c = await TestClient.connect(`ws://127.0.0.1:${k.port}/ws/exchange?snapshot=false${token ? `&access_token=${token}` : ''}`);
    clients.push(c);
    return c;
  };

  before(async () => {
    Object.assign(process.env, ENV);
    redis = await startRedis();
    zk = await startZooKeeper();
    sim = await startUpbitSim({ intervalMs: 30, seed: 5, accounts: [{ accessKey: ENV.PVC_AK, secretKey: ENV.PVC_SK }] });
    tap = new Redis(redis.url);
    await tap.subscribe('gateway:records', 'gateway:records:private');
    tap.on('messageBuffer', (channel: Buffer, message: Buffer) => {
      (channel.toString() === 'gateway:records' ? tapped.public : tapped.private).push(message);
    });
    await start(doc('p-1'));
    await start(doc('p-2'));
    // a node holding another key: it runs, but cannot read the private channel
    await start(doc('p-3', 'PVC_OTHER_SEAL'));
  });

  after(async () => {
    for (const c of clients) await c.close();
    for (const n of nodes) await n.close();
    tap?.disconnect();
    await sim?.close();
    await zk?.close();
    await redis?.close();
    for (const k of Object.keys(ENV)) delete process.env[k];
  });

  it('serves the leader\'s private records to the entitled clients of every node holding the key', async () => {
    await waitFor(() => nodes.some((n) => n.role === 'leader'), 20_000, 'a leader');
    const sameKey = nodes.slice(0, 2);
    const entitled = await Promise.all(sameKey.map((n) => connect(n, ENV.PVC_TOKEN)));
    const anonymous = await Promise.all(sameKey.map((n) => connect(n)));
    const otherKey = await connect(nodes[2]!, ENV.PVC_TOKEN);
    await Promise.all(entitled.map((c) => c.collect(isPrivate, 6, 30_000)));
    assert.equal(sim.connections(), 2, 'one public and one private connection, both on the leader');
    for (const c of entitled) for (const f of c.frames.filter(isPrivate)) assert.equal(f.acct, 'alice');
    // both nodes serve the same private stream
    const ids = entitled.map((c) => new Set(c.frames.filter(isPrivate).map((f) => `${f.ty}|${f.ep}|${f.sq}`)));
    assert.ok([...ids[0]!].filter((k) => ids[1]!.has(k)).length >= 3);
    for (const c of anonymous) assert.equal(c.frames.filter(isPrivate).length, 0);
    assert.equal(otherKey.frames.filter(isPrivate).length, 0, 'a node with another key delivers nothing');
    const health = (await (await fetch(`http://127.0.0.1:${nodes[2]!.port}/api/ws/infra-health`)).json()) as { private: { transport: string; refused: number } };
    assert.equal(health.private.transport, 'sealed');
    assert.ok(health.private.refused > 0, 'frames it could not open are counted');

    // what crossed Redis: ciphertext on the private channel, no private record on the public one
    const secrets = [ENV.PVC_AK, ENV.PVC_SK, 'alice', 'myOrder', 'myAsset', ...entitled[0]!.frames.filter((f) => f.ty === 'myOrder').map((f) => f.uid as string)];
    assert.ok(tapped.private.length > 0);
    for (const m of tapped.private) for (const s of secrets) assert.equal(m.includes(Buffer.from(s)), false, `"${s}" readable on the private channel`);
    assert.ok(tapped.public.length > 0);
    for (const m of tapped.public) for (const s of ['myOrder', 'myAsset', 'alice']) assert.equal(m.includes(Buffer.from(s)), false, `"${s}" on the public channel`);
  });

  it('refuses to start a cluster node with private accounts but no sealing key', async () => {
    const k = new Kernel({ config: parseConfig(doc('p-4', 'PVC_NOT_SET')), log: createLogger('error') });
    await assert.rejects(k.start(), (e: Error & { code?: string }) => e.code === 'CONFIG_INVALID' && e.message.includes('PVC_NOT_SET'));
    await k.close();
  });
});

describe('private streams in a cluster on Kafka', () => {
  const TOPIC = 'pv-market';
  let zk: Awaited<ReturnType<typeof startZooKeeper>>;
  let kafka: Awaited<ReturnType<typeof startKafka>>;
  let sim: SimHandle;
  const nodes: Kernel[] = [];
  const clients: TestClient[] = [];

  before(async () => {
    Object.assign(process.env, ENV);
    zk = await startZooKeeper();
    kafka = await startKafka({ zookeeper: zk.connectString, topics: [{ name: TOPIC, partitions: 3 }, { name: `${TOPIC}.private`, partitions: 1 }] });
    sim = await startUpbitSim({ intervalMs: 30, seed: 6, accounts: [{ accessKey: ENV.PVC_AK, secretKey: ENV.PVC_SK }] });
    for (const nodeId of ['k-1', 'k-2']) {
      const k = new Kernel({
        config: parseConfig({
          mode: 'cluster',
          nodeId,
          server: { host: '127.0.0.1', port: 0 },
          cluster: { zookeeper: zk.connectString, path: '/gw-private-kafka', sessionTimeoutMs: 3000 },
          kafka: { enabled: true, brokers: kafka.brokers, topic: TOPIC, acks: 1, maxWaitMs: 10 },
          exchanges: { upbit: { url: sim.url, restUrl: sim.restUrl, symbols: ['BTC/KRW'] } },
          auth: { tokens: [{ id: 'alice-app', env: 'PVC_TOKEN', accounts: ['alice'] }] },
          private: { sealKeyEnv: 'PVC_SEAL', accounts: [{ id: 'alice', exchange: 'upbit', accessKeyEnv: 'PVC_AK', secretKeyEnv: 'PVC_SK' }] },
        }),
        log: createLogger('error'),
        statsIntervalMs: 200,
      });
      await k.start();
      nodes.push(k);
    }
  });

  after(async () => {
    for (const c of clients) await c.close();
    for (const n of nodes) await n.close();
    await sim?.close();
    await kafka?.close();
    await zk?.close();
    for (const k of Object.keys(ENV)) delete process.env[k];
  });

  it('carries them sealed on <topic>.private to the entitled clients of both nodes, and never on the public topic', async () => {
    await waitFor(() => nodes.some((n) => n.role === 'leader'), 30_000, 'a leader');
    for (const n of nodes) {
      const c = await TestClient.connect(`ws://127.0.0.1:${n.port}/ws/exchange?snapshot=false&access_token=${ENV.PVC_TOKEN}`);
      clients.push(c);
    }
    await Promise.all(clients.map((c) => c.collect(isPrivate, 6, 40_000)));
    for (const c of clients) for (const f of c.frames.filter(isPrivate)) assert.equal(f.acct, 'alice');
    const client = kafkaClient(kafka.brokers);
    const sealed = await consume(client, 'pv-tap-private', `${TOPIC}.private`, 5);
    const uids = clients[0]!.frames.filter((f) => f.ty === 'myOrder').map((f) => f.uid as string);
    for (const m of sealed) {
      assert.equal(m.key?.toString(), 'private', 'the Kafka key names no account or market');
      for (const s of [ENV.PVC_AK, ENV.PVC_SK, 'alice', 'myOrder', 'myAsset', ...uids]) assert.equal(m.value!.includes(Buffer.from(s)), false, `"${s}" readable`);
    }
    const open = await consume(client, 'pv-tap-public', TOPIC, 50);
    for (const m of open) {
      assert.equal(/myOrder|myAsset/.test(m.key?.toString() ?? ''), false);
      assert.equal(m.value!.includes(Buffer.from('alice')), false);
    }
  });
});
