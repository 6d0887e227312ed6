// The cluster bus on Kafka: the leader produces every record (key = stream key, value = the msgpack record); every
// node consumes everything with its own consumer group from the latest offset. When producing fails, the leader
// serves its own clients directly and probes Kafka until it answers again.

import { Kafka, logLevel } from 'kafkajs';
import type { Consumer, Message, Producer } from 'kafkajs';
import type { RecordBatch } from '../batch.ts';
import { BatchBuilder, recordAt } from '../batch.ts';
import type { Logger } from '../log.ts';
import type { Bus } from './bus.ts';

export interface KafkaBusOptions {
  brokers: string[];
  topic: string;
  /** used when the topic is missing and the gateway creates it */
  partitions: number;
  nodeId: string;
  /** -1 = all in-sync replicas, 1 = the partition leader */
  acks: -1 | 1;
  /** how long the consumer's fetch waits for data; lower = less latency, more requests */
  maxWaitMs: number;
  log: Logger;
}

/** after a failed send, how often Kafka is probed */
const PROBE_MS = 2000;
/** a consumer that has not fetched for this long is reported unhealthy */
const CONSUMER_STALE_MS = 15_000;

export class KafkaBus implements Bus {
  readonly kind = 'kafka';
  /** set by the kernel: only the leader produces */
  producing = false;
  private readonly kafka: Kafka;
  private producer: Producer | undefined;
  private consumer: Consumer | undefined;
  private readonly handlers: ((batch: RecordBatch) => void)[] = [];
  private queue: RecordBatch[] = [];
  private sending = false;
  /** producing failed: the leader delivers its own records locally until a probe succeeds */
  private fallback = false;
  private probeTimer: ReturnType<typeof setTimeout> | undefined;
  private lastFetchAt = 0;
  private lastError: string | undefined;
  private lag = 0;
  private consumed = 0;
  private produced = 0;
  private closed = false;
  private readonly groupId: string;

  constructor(private readonly opts: KafkaBusOptions) {
    this.kafka = new Kafka({
      clientId: `gateway-${opts.nodeId}`,
      brokers: opts.brokers,
      logLevel: logLevel.NOTHING,
      connectionTimeout: 3000,
      requestTimeout: 10_000,
      retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 1000 },
    });
    // One group per node and process start: every node receives every record, starting from the latest offset,
    // and a restarted node never replays what its previous life already served.
    this.groupId = `gateway-${opts.nodeId}-${Date.now()}`;
  }

  /** Connects producer and consumer; resolves even when Kafka is down (the outage is reported, and retried). */
  async start(): Promise<void> {
    await this.ensureTopic();
    this.producer = this.kafka.producer({ allowAutoTopicCreation: false, retry: { retries: 2, initialRetryTime: 100 } });
    await this.producer.connect().catch((err) => this.producerFailed(err));
    void this.startConsumer();
  }

  /** creates the topic when it is missing (brokers that cannot, such as 0.9, need it created beforehand) */
  private async ensureTopic(): Promise<void> {
    const { topic, partitions, log } = this.opts;
    const admin = this.kafka.admin({ retry: { retries: 0 } });
    try {
      await admin.connect();
      if ((await admin.listTopics()).includes(topic)) return;
      await admin.createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: true, timeout: 5000 });
      log.info(`created topic ${topic} with ${partitions} partitions`);
    } catch (err) {
      log.warn(`could not check or create topic ${topic} (${(err as Error).message}); create it with ${partitions} partitions if it is missing`);
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  private async startConsumer(): Promise<void> {
    if (this.closed) return;
    const consumer = this.kafka.consumer({
      groupId: this.groupId,
      maxWaitTimeInMs: this.opts.maxWaitMs,
      minBytes: 1,
      sessionTimeout: 10_000,
      heartbeatInterval: 1000,
      retry: { retries: 5, initialRetryTime: 200, maxRetryTime: 2000, restartOnFailure: async () => !this.closed },
    });
    this.consumer = consumer;
    consumer.on(consumer.events.FETCH, () => (this.lastFetchAt = Date.now()));
    consumer.on(consumer.events.CRASH, (e) => {
      this.lastError = e.payload.error.message;
      this.opts.log.warn(`Kafka consumer crashed: ${e.payload.error.message}; restarting`);
    });
    try {
      await consumer.connect();
      await consumer.subscribe({ topic: this.opts.topic, fromBeginning: false });
      await consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          const b = new BatchBuilder();
          for (const m of batch.messages) if (m.key && m.value) b.add(m.key.toString('utf8'), m.value);
          const last = batch.messages.length ? Number(batch.lastOffset()) : -1;
          this.lag = Math.max(0, Number(batch.highWatermark) - last - 1);
          if (!b.length) return;
          this.consumed += b.length;
          const records = b.take();
          for (const h of this.handlers) h(records);
        },
      });
      this.opts.log.info(`consuming ${this.opts.topic} as group ${this.groupId}`);
    } catch (err) {
      this.lastError = (err as Error).message;
      this.opts.log.warn(`Kafka consumer cannot start: ${(err as Error).message}; retrying`);
      await consumer.disconnect().catch(() => undefined);
      setTimeout(() => void this.startConsumer(), PROBE_MS);
    }
  }

  /** From this node's workers (only while leader). Sends are serialized, so per-key order holds. */
  publish(batch: RecordBatch): void {
    if (this.fallback) return this.deliver(batch);
    this.queue.push(batch);
    void this.drain();
  }

  private async drain(): Promise<void> {
    if (this.sending || !this.producer) return;
    this.sending = true;
    while (this.queue.length && !this.fallback && !this.closed) {
      const batches = this.queue;
      this.queue = [];
      const messages: Message[] = [];
      for (const b of batches) {
        for (let i = 0; i < b.keys.length; i++) messages.push({ key: b.keys[i]!, value: Buffer.from(recordAt(b, i)) });
      }
      try {
        await this.producer.send({ topic: this.opts.topic, acks: this.opts.acks, messages });
        this.produced += messages.length;
      } catch (err) {
        this.producerFailed(err);
        // nothing is lost for this node's clients: what could not be sent is served directly
        for (const b of [...batches, ...this.queue]) this.deliver(b);
        this.queue = [];
      }
    }
    this.sending = false;
  }

  private producerFailed(err: unknown): void {
    this.lastError = (err as Error).message;
    if (this.fallback || this.closed) return;
    this.fallback = true;
    this.opts.log.warn(`Kafka unreachable (${this.lastError}): serving this node's clients directly until it returns`);
    this.probe();
  }

  /** until Kafka answers a metadata request again; then producing resumes */
  private probe(): void {
    clearTimeout(this.probeTimer);
    this.probeTimer = setTimeout(async () => {
      if (this.closed) return;
      const admin = this.kafka.admin({ retry: { retries: 0 } });
      try {
        await admin.connect();
        await admin.fetchTopicMetadata({ topics: [this.opts.topic] });
        await this.producer!.connect();
        this.fallback = false;
        this.opts.log.info('Kafka is back: producing again');
      } catch (err) {
        this.lastError = (err as Error).message;
        this.probe();
      } finally {
        await admin.disconnect().catch(() => undefined);
      }
    }, PROBE_MS);
  }

  private deliver(batch: RecordBatch): void {
    for (const h of this.handlers) h(batch);
  }

  subscribe(handler: (batch: RecordBatch) => void): void {
    this.handlers.push(handler);
  }

  /** which path records take to this node's clients */
  get path(): 'kafka' | 'direct-fallback' | 'none' {
    if (this.producing && this.fallback) return 'direct-fallback';
    return this.consumerHealthy ? 'kafka' : 'none';
  }

  get consumerHealthy(): boolean {
    return this.lastFetchAt > 0 && Date.now() - this.lastFetchAt < CONSUMER_STALE_MS;
  }

  health(): Record<string, unknown> {
    const producerHealthy = !this.fallback;
    return {
      kind: this.kind,
      enabled: true,
      healthy: this.consumerHealthy && (!this.producing || producerHealthy),
      path: this.path,
      brokers: this.opts.brokers,
      topic: this.opts.topic,
      producer: { active: this.producing, healthy: producerHealthy, produced: this.produced },
      consumer: { group: this.groupId, healthy: this.consumerHealthy, consumed: this.consumed, lag: this.lag, lastFetchAgeMs: this.lastFetchAt ? Date.now() - this.lastFetchAt : null },
      ...(this.lastError ? { lastError: this.lastError } : {}),
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.probeTimer);
    this.handlers.length = 0;
    await Promise.allSettled([this.producer?.disconnect(), this.consumer?.disconnect()]);
  }
}
