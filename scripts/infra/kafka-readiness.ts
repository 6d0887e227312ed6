// Proof that a Kafka broker really works for kafkajs, not merely that it printed "started": a record produced and
// consumed by a fresh group on every topic, and, after a restart, a leader for every partition.

import { randomBytes } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { InfraError } from './errors.ts';
import { until } from './wait.ts';

/** The key of the one record the readiness proof leaves at the start of each topic it checks. */
export const KAFKA_READY_KEY = '__infra_ready__';

function client(brokers: string[]): Kafka {
  return new Kafka({
    clientId: 'infra-readiness',
    brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3000,
    // The group coordinator answers "not available" until the broker has created __consumer_offsets on the first
    // group lookup; short, many retries ride over that instead of failing.
    retry: { retries: 30, initialRetryTime: 100, maxRetryTime: 1000 },
  });
}

/** Produces one `KAFKA_READY_KEY` record to each topic (acks -1) and waits until a fresh group has read them all. */
export async function proveProduceConsume(brokers: string[], topics: string[], timeoutMs: number): Promise<void> {
  const kafka = client(brokers);
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  const consumer = kafka.consumer({
    groupId: `infra-ready-${randomBytes(4).toString('hex')}`,
    sessionTimeout: 6000,
    heartbeatInterval: 500,
    maxWaitTimeInMs: 100,
  });
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const proof = (async () => {
      await producer.connect();
      await producer.sendBatch({
        acks: -1,
        topicMessages: topics.map((topic) => ({ topic, messages: [{ key: KAFKA_READY_KEY, value: 'ready' }] })),
      });
      await consumer.connect();
      await consumer.subscribe({ topics, fromBeginning: true });
      const seen = new Set<string>();
      await new Promise<void>((resolve) => {
        void consumer.run({
          eachMessage: async ({ topic, message }) => {
            if (message.key?.toString() === KAFKA_READY_KEY) seen.add(topic);
            if (seen.size === topics.length) resolve();
          },
        });
      });
    })();
    const deadline = new Promise<never>((_, reject) => {
      const what = `Kafka did not deliver a record on ${topics.join(', ')} within ${timeoutMs} ms`;
      timer = setTimeout(() => reject(new InfraError('INFRA_START_TIMEOUT', what)), timeoutMs);
    });
    await Promise.race([proof, deadline]);
  } catch (err) {
    if (err instanceof InfraError) throw err;
    throw new InfraError('INFRA_START_TIMEOUT', `Kafka readiness proof failed: ${(err as Error).message}`, { cause: err });
  } finally {
    clearTimeout(timer);
    await Promise.allSettled([consumer.disconnect(), producer.disconnect()]);
  }
}

/** Waits until the metadata names a leader for every partition of the topics (after a broker restart). */
export async function waitForLeaders(brokers: string[], topics: string[], timeoutMs: number): Promise<void> {
  if (topics.length === 0) return;
  const admin = client(brokers).admin();
  try {
    await until(
      `leaders for ${topics.join(', ')}`,
      async () => {
        await admin.connect();
        const { topics: found } = await admin.fetchTopicMetadata({ topics });
        return found.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0));
      },
      { timeoutMs, intervalMs: 100 },
    );
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

/**
 * Waits until a fresh consumer group can join on these brokers (its coordinator answers and has taken the group
 * on), e.g. after a partition leader or the group coordinator moved; resolves with how long it took.
 */
export async function waitForGroupJoin(brokers: string[], topic: string, timeoutMs: number): Promise<number> {
  const t0 = Date.now();
  const consumer = client(brokers).consumer({ groupId: `infra-join-${randomBytes(4).toString('hex')}`, sessionTimeout: 6000, heartbeatInterval: 500 });
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
    await consumer.connect();
    await consumer.subscribe({ topics: [topic] });
    await consumer.run({ eachMessage: async () => {} });
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new InfraError('INFRA_START_TIMEOUT', `no consumer group could join on ${topic} within ${timeoutMs} ms`)), timeoutMs);
    });
    await Promise.race([joined, deadline]);
    return Date.now() - t0;
  } finally {
    clearTimeout(timer);
    await consumer.disconnect().catch(() => {});
  }
}
