// A Kafka 0.9.0.1 broker for tests and demos: its own temp dir and ZooKeeper chroot, topics created up front, and
// the ApiVersions proxy in front so kafkajs 2.x can use it. The broker can be stopped and started again in place.

import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort, retryOnPortClash } from './free-port.ts';
import { BROKER_STARTED, brokerProperties, createTopic, KAFKA_START_TIMEOUT_MS, spawnBroker } from './kafka-broker.ts';
import type { TopicSpec } from './kafka-broker.ts';
import { startKafkaProxy } from './kafka-proxy.ts';
import type { KafkaProxy } from './kafka-proxy.ts';
import { proveProduceConsume, waitForLeaders } from './kafka-readiness.ts';
import type { OwnedProcess } from './owned-process.ts';
import { makeTempDir, removeDir } from './temp-dir.ts';

export interface KafkaOptions {
  /** ZooKeeper connect string (no chroot: the broker gets a fresh one of its own) */
  zookeeper: string;
  /** created with Kafka's TopicCommand before startKafka resolves */
  topics?: TopicSpec[];
  /** the client-facing (proxy) port; the OS chooses when absent */
  port?: number;
  /**
   * Where the readiness proof (one record with key KAFKA_READY_KEY, produced and consumed) happens: in each topic
   * (the default), or in a private topic `__infra_probe` so the topics given stay empty. Without topics the private
   * topic is always used.
   */
  proof?: 'each-topic' | 'private-topic';
}

export const KAFKA_PROBE_TOPIC = '__infra_probe';
const TOPIC_COMMANDS_AT_ONCE = 3;
const STILL_REGISTERED = /A broker is already registered on the path/;

export interface KafkaHandle {
  /** for kafkajs: the proxy's address, which the broker advertises */
  brokers: string[];
  /** the broker JVM's PID (changes after start()) */
  readonly pid: number;
  /** the connect string with this broker's chroot, e.g. for more TopicCommand calls */
  zookeeper: string;
  /** Stops the broker (SIGTERM, SIGKILL after 10 s) and makes the proxy refuse connections: an outage. */
  stop(): Promise<void>;
  /** Like stop(), but SIGKILL: the broker leaves no goodbye (its ZooKeeper session lingers until it times out). */
  kill9(): Promise<void>;
  /** Starts the broker again on the same data and ports; resolves when every topic has a partition leader. */
  start(): Promise<void>;
  /** Stops everything and removes the temp dir. Idempotent. */
  close(): Promise<void>;
}

export function startKafka(opts: KafkaOptions): Promise<KafkaHandle> {
  // The internal port is always ours to choose, so a clash there is always worth another try.
  return retryOnPortClash(false, () => startOnce(opts));
}

async function startOnce(opts: KafkaOptions): Promise<KafkaHandle> {
  const dir = await makeTempDir('kafka');
  const zookeeper = `${opts.zookeeper}/kafka-${randomBytes(4).toString('hex')}`;
  const privateProof = opts.proof === 'private-topic' || !opts.topics?.length;
  const topics = [...(opts.topics ?? []), ...(privateProof ? [{ name: KAFKA_PROBE_TOPIC, partitions: 1 }] : [])];
  const names = topics.map((t) => t.name);
  let proxy: KafkaProxy | undefined;
  let broker: OwnedProcess | undefined;
  const shutDown = async (): Promise<void> => {
    await proxy?.close();
    await broker?.stop();
    await removeDir(dir);
  };
  try {
    const listenPort = await freePort();
    proxy = await startKafkaProxy({ upstreamPort: listenPort, port: opts.port });
    const brokers = [`127.0.0.1:${proxy.port}`];
    const propertiesPath = join(dir, 'server.properties');
    await mkdir(join(dir, 'logs'));
    await writeFile(
      propertiesPath,
      brokerProperties({ listenPort, advertisedPort: proxy.port, logDir: join(dir, 'data'), zookeeper }),
    );
    const launch = async (): Promise<OwnedProcess> => {
      const deadline = Date.now() + KAFKA_START_TIMEOUT_MS;
      for (;;) {
        const proc = spawnBroker(propertiesPath, join(dir, 'logs'), proxy!.port);
        broker = proc;
        try {
          await proc.waitForOutput(BROKER_STARTED, KAFKA_START_TIMEOUT_MS);
          return proc;
        } catch (err) {
          // After kill9() the old broker's ZooKeeper registration lives until its session times out (6 s): the new
          // one exits at once. Start it again, as a supervisor would, until the registration is gone.
          if (!STILL_REGISTERED.test(proc.output()) || Date.now() > deadline) throw err;
          await new Promise((r) => setTimeout(r, 500));
        }
      }
    };
    await launch();
    // One JVM per topic, a few side by side: each spends most of its second starting Scala, mostly on one core.
    for (let i = 0; i < topics.length; i += TOPIC_COMMANDS_AT_ONCE) {
      await Promise.all(topics.slice(i, i + TOPIC_COMMANDS_AT_ONCE).map((t) => createTopic(zookeeper, t)));
    }
    await proveProduceConsume(brokers, privateProof ? [KAFKA_PROBE_TOPIC] : names, KAFKA_START_TIMEOUT_MS);

    let closing: Promise<void> | undefined;
    return {
      brokers,
      get pid() {
        return broker!.pid;
      },
      zookeeper,
      stop: async () => {
        await proxy!.pause();
        await broker!.stop();
      },
      kill9: async () => {
        await proxy!.pause();
        await broker!.kill9();
      },
      start: async () => {
        if (closing) return;
        if (!broker!.running) await launch();
        await proxy!.resume();
        await waitForLeaders(brokers, names, KAFKA_START_TIMEOUT_MS);
      },
      close: () => (closing ??= shutDown()),
    };
  } catch (err) {
    await shutDown();
    throw err;
  }
}
