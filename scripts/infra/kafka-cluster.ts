// Several Kafka 0.9.0.1 brokers in one cluster (one ZooKeeper chroot), each behind its own ApiVersions proxy, with
// replicated topics: stopping the broker that leads a partition moves its leadership to another, as in production.

import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { freePort } from './free-port.ts';
import { BROKER_STARTED, brokerProperties, createTopic, KAFKA_START_TIMEOUT_MS, spawnBroker } from './kafka-broker.ts';
import type { TopicSpec } from './kafka-broker.ts';
import { startKafkaProxy } from './kafka-proxy.ts';
import type { KafkaProxy } from './kafka-proxy.ts';
import { proveProduceConsume, waitForGroupJoin, waitForLeaders } from './kafka-readiness.ts';
import type { OwnedProcess } from './owned-process.ts';
import { makeTempDir, removeDir } from './temp-dir.ts';

export interface KafkaClusterOptions {
  zookeeper: string;
  /** brokers, default 2 */
  size?: number;
  /** created with every broker as a replica (replicas = size unless given) */
  topics: TopicSpec[];
}

export interface KafkaMember {
  /** broker.id */
  id: number;
  readonly pid: number;
  readonly running: boolean;
  /** SIGTERM; its partitions' leadership moves to another replica at once (its ZooKeeper session ends) */
  stop(): Promise<void>;
  /** SIGKILL; leadership moves when its ZooKeeper session times out (6 s) */
  kill9(): Promise<void>;
  /** starts it again on its data (after kill9, once its old registration has expired) */
  start(): Promise<void>;
}

export interface KafkaClusterHandle {
  /** every member's proxy address */
  brokers: string[];
  members: KafkaMember[];
  zookeeper: string;
  /** partition → leading broker id (-1: none) for `topic`, from a fresh metadata request */
  leaders(topic: string): Promise<Record<number, number>>;
  /** ms until a fresh consumer group has joined on `topic` through the running members (the coordinator is ready) */
  groupJoin(topic: string, timeoutMs?: number): Promise<number>;
  close(): Promise<void>;
}

const STILL_REGISTERED = /A broker is already registered on the path/;

export async function startKafkaCluster(opts: KafkaClusterOptions): Promise<KafkaClusterHandle> {
  const size = opts.size ?? 2;
  const dir = await makeTempDir('kafka-cluster');
  const zookeeper = `${opts.zookeeper}/kafka-${randomBytes(4).toString('hex')}`;
  const proxies: KafkaProxy[] = [];
  const procs: (OwnedProcess | undefined)[] = [];
  const shutDown = async (): Promise<void> => {
    await Promise.all(proxies.map((p) => p.close()));
    await Promise.all(procs.map((p) => p?.stop()));
    await removeDir(dir);
  };
  try {
    const launchers: (() => Promise<void>)[] = [];
    for (let id = 0; id < size; id++) {
      const listenPort = await freePort();
      const proxy = await startKafkaProxy({ upstreamPort: listenPort });
      proxies.push(proxy);
      const props = join(dir, `server-${id}.properties`);
      const logs = join(dir, `logs-${id}`);
      await mkdir(logs);
      await writeFile(
        props,
        brokerProperties({ listenPort, advertisedPort: proxy.port, logDir: join(dir, `data-${id}`), zookeeper, brokerId: id, offsetsReplicas: size }),
      );
      launchers.push(async () => {
        const deadline = Date.now() + KAFKA_START_TIMEOUT_MS;
        for (;;) {
          const proc = spawnBroker(props, logs, proxy.port);
          procs[id] = proc;
          try {
            await proc.waitForOutput(BROKER_STARTED, KAFKA_START_TIMEOUT_MS);
            return;
          } catch (err) {
            if (!STILL_REGISTERED.test(proc.output()) || Date.now() > deadline) throw err;
            await new Promise((r) => setTimeout(r, 500));
          }
        }
      });
    }
    await Promise.all(launchers.map((l) => l()));
    const brokers = proxies.map((p) => `127.0.0.1:${p.port}`);
    for (const t of opts.topics) await createTopic(zookeeper, { ...t, replicas: t.replicas ?? size });
    const names = opts.topics.map((t) => t.name);
    await proveProduceConsume(brokers, names, KAFKA_START_TIMEOUT_MS);

    const members: KafkaMember[] = launchers.map((launch, id) => ({
      id,
      get pid() {
        return procs[id]!.pid;
      },
      get running() {
        return procs[id]!.running;
      },
      stop: async () => {
        await proxies[id]!.pause();
        await procs[id]!.stop();
      },
      kill9: async () => {
        await proxies[id]!.pause();
        await procs[id]!.kill9();
      },
      start: async () => {
        if (!procs[id]!.running) await launch();
        await proxies[id]!.resume();
        await waitForLeaders(brokers, names, KAFKA_START_TIMEOUT_MS);
      },
    }));
    let closing: Promise<void> | undefined;
    const liveBrokers = () => brokers.filter((_, i) => procs[i]?.running);
    return {
      brokers,
      members,
      zookeeper,
      leaders: async (topic) => {
        const admin = new Kafka({ clientId: 'infra-leaders', brokers: liveBrokers(), logLevel: logLevel.NOTHING, retry: { retries: 1 } }).admin();
        try {
          await admin.connect();
          const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
          return Object.fromEntries(topics[0]!.partitions.map((p) => [p.partitionId, p.leader]));
        } finally {
          await admin.disconnect().catch(() => undefined);
        }
      },
      groupJoin: (topic, timeoutMs = KAFKA_START_TIMEOUT_MS) => waitForGroupJoin(liveBrokers(), topic, timeoutMs),
      close: () => (closing ??= shutDown()),
    };
  } catch (err) {
    await shutDown();
    throw err;
  }
}
