// The cluster bus on Kafka: the leader produces every record (key = stream key, value = the msgpack record); every
// node consumes everything from the latest offset. When producing fails (or a send hangs), the leader serves its own
// clients directly and probes Kafka until it answers, then produces again with a new producer. The consumer has
// its own watchdog (kafka-consumer.ts). State, reasons and counters: BusStatus (docs/operations.md).

import { Kafka, logLevel } from 'kafkajs';
import type { KafkaConfig, Message, Producer } from 'kafkajs';
import type { RecordBatch } from '../../boundary/batch.ts';
import { recordAt } from '../../boundary/batch.ts';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics.ts';
import type { Bus } from './bus.ts';
import { BusStatus, DEFAULT_RECOVERY } from './bus-status.ts';
import type { BusHealth, BusRecovery } from './bus-status.ts';
import { KafkaConsumerLoop } from './kafka-consumer.ts';
import type { ConsumerPhase } from './kafka-consumer.ts';

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
  /** recovery timing (config `bus`); defaults when absent */
  recovery?: Partial<BusRecovery>;
  log: Logger;
}

/** KafkaBus.health(): the common BusHealth fields and the producer's and consumer's own */
export interface KafkaHealth extends BusHealth {
  enabled: true;
  brokers: string[];
  topic: string;
  producer: { active: boolean; healthy: boolean; produced: number; rebuilds: number };
  consumer: { group: string; healthy: boolean; phase: ConsumerPhase; consumed: number; lag: number; lastFetchAgeMs: number | null };
}

export class KafkaBus implements Bus {
  readonly kind = 'kafka';
  readonly status: BusStatus;
  private readonly recovery: BusRecovery;
  private readonly client: KafkaConfig;
  private readonly kafka: Kafka;
  private producer: Producer | undefined;
  private readonly consumer: KafkaConsumerLoop;
  private readonly handlers: ((batch: RecordBatch) => void)[] = [];
  private queue: RecordBatch[] = [];
  private sending = false;
  /** producing failed: the leader delivers its own records locally until a probe succeeds */
  private fallback = false;
  private fallbackReason = '';
  private probeTimer: ReturnType<typeof setTimeout> | undefined;
  private produced = 0;
  private producerRebuilds = 0;
  private closed = false;
  private producingNow = false;

  constructor(private readonly opts: KafkaBusOptions) {
    this.recovery = { ...DEFAULT_RECOVERY, ...opts.recovery };
    this.status = new BusStatus('kafka', opts.log);
    this.client = {
      clientId: `gateway-${opts.nodeId}`,
      brokers: opts.brokers,
      logLevel: logLevel.NOTHING,
      connectionTimeout: 3000,
      requestTimeout: 10_000,
      retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 1000 },
    };
    this.kafka = new Kafka(this.client);
    const r = this.recovery;
    this.consumer = new KafkaConsumerLoop({
      client: this.client,
      topic: opts.topic,
      // one group per node, process start and consumer generation: every node receives every record, a restarted
      // node never replays what its previous life served, and a rebuilt consumer never waits for a stale member
      groupPrefix: `gateway-${opts.nodeId}-${Date.now()}`,
      maxWaitMs: opts.maxWaitMs,
      // a fetch may legitimately wait maxWaitMs for data
      stallMs: Math.max(r.stallTimeoutMs, 2 * opts.maxWaitMs + 1000),
      probeMs: r.probeIntervalMs,
      rebuildInitialMs: r.rebuildInitialDelayMs,
      rebuildMaxMs: r.rebuildMaxDelayMs,
      log: opts.log,
      onBatch: (batch) => this.deliver(batch),
      onPhase: (phase, reason) => this.update(phase, reason),
      onStall: () => this.status.stall(),
      onRebuild: () => this.status.rebuilt(),
      onError: (message) => this.status.error(message),
      onTick: () => this.status.tick(),
    });
  }

  /** set by the kernel: only the leader produces */
  get producing(): boolean {
    return this.producingNow;
  }

  set producing(on: boolean) {
    this.producingNow = on;
    this.update(this.consumer.phase, this.consumerReason);
  }

  private consumerReason: string | null = 'starting';

  /** the overall state from the consumer's phase and, on the leader, the producer's */
  private update(phase: ConsumerPhase, reason: string | null): void {
    this.consumerReason = reason;
    if (this.closed) return;
    if (this.producingNow && this.fallback) this.status.set('degraded', `producing fails (${this.fallbackReason}): serving this node's clients directly`);
    else if (phase === 'fetching') this.status.set('up', null);
    else this.status.set('down', reason);
  }

  /** Connects producer and consumer; resolves even when Kafka is down (the outage is reported, and retried). */
  async start(): Promise<void> {
    await this.ensureTopic();
    this.producer = this.newProducer(this.kafka);
    await this.producer.connect().catch((err) => this.producerFailed(err));
    this.consumer.start();
  }

  private newProducer(kafka: Kafka): Producer {
    return kafka.producer({ allowAutoTopicCreation: false, retry: { retries: 2, initialRetryTime: 100 } });
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
      let timer: ReturnType<typeof setTimeout> | undefined;
      try {
        // a send that hangs counts as failed: its records are served directly, and the producer is replaced
        const hung = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`send took over ${this.recovery.stallTimeoutMs} ms`)), this.recovery.stallTimeoutMs);
        });
        await Promise.race([this.producer.send({ topic: this.opts.topic, acks: this.opts.acks, messages }), hung]);
        this.produced += messages.length;
      } catch (err) {
        this.producerFailed(err);
        // nothing is lost for this node's clients: what could not be sent is served directly
        for (const b of [...batches, ...this.queue]) this.deliver(b);
        this.queue = [];
      } finally {
        clearTimeout(timer);
      }
    }
    this.sending = false;
  }

  private producerFailed(err: unknown): void {
    const message = (err as Error).message;
    this.status.error(message);
    if (this.fallback || this.closed) return;
    this.fallback = true;
    this.fallbackReason = message;
    this.update(this.consumer.phase, this.consumerReason);
    this.probe();
  }

  /** until Kafka answers a metadata request again; then producing resumes on a new client and producer */
  private probe(): void {
    clearTimeout(this.probeTimer);
    this.probeTimer = setTimeout(async () => {
      if (this.closed) return;
      const kafka = new Kafka(this.client);
      const admin = kafka.admin({ retry: { retries: 0 } });
      const producer = this.newProducer(kafka);
      try {
        await admin.connect();
        await admin.fetchTopicMetadata({ topics: [this.opts.topic] });
        await producer.connect();
        if (this.closed) return void producer.disconnect().catch(() => undefined);
        const old = this.producer;
        this.producer = producer;
        this.producerRebuilds++;
        this.status.rebuilt();
        void old?.disconnect().catch(() => undefined);
        this.fallback = false;
        this.update(this.consumer.phase, this.consumerReason);
        this.opts.log.debug('Kafka answers again: producing with a new producer');
      } catch (err) {
        this.status.error((err as Error).message);
        this.fallbackReason = (err as Error).message;
        void producer.disconnect().catch(() => undefined);
        this.probe();
      } finally {
        await admin.disconnect().catch(() => undefined);
      }
    }, this.recovery.probeIntervalMs);
  }

  private deliver(batch: RecordBatch): void {
    for (const h of this.handlers) h(batch);
  }

  subscribe(handler: (batch: RecordBatch) => void): void {
    this.handlers.push(handler);
  }

  /** which path records take to this node's clients */
  registerMetrics(metrics: Metrics): void {
    metrics.gauge('gateway_kafka_healthy', '1 while the Kafka path works for this node', () => [{ labels: {}, value: this.health().healthy ? 1 : 0 }]);
    metrics.gauge('gateway_kafka_consumer_lag', 'Records behind the end of the topic, as of the last fetch', () => [
      { labels: {}, value: this.health().consumer.lag },
    ]);
    metrics.gauge('gateway_bus_fallback', '1 while the leader serves its own clients directly because Kafka fails', () => [
      { labels: {}, value: this.path === 'direct-fallback' ? 1 : 0 },
    ]);
  }

  get path(): 'kafka' | 'direct-fallback' | 'none' {
    if (this.producing && this.fallback) return 'direct-fallback';
    return this.consumerHealthy ? 'kafka' : 'none';
  }

  get consumerHealthy(): boolean {
    return this.consumer.phase === 'fetching';
  }

  health(): KafkaHealth {
    return {
      ...this.status.snapshot(this.path),
      enabled: true,
      brokers: this.opts.brokers,
      topic: this.opts.topic,
      producer: { active: this.producing, healthy: !this.fallback, produced: this.produced, rebuilds: this.producerRebuilds },
      consumer: {
        group: this.consumer.group,
        healthy: this.consumerHealthy,
        phase: this.consumer.phase,
        consumed: this.consumer.consumed,
        lag: this.consumer.lag,
        lastFetchAgeMs: this.consumer.fetchAgeMs,
      },
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.probeTimer);
    this.handlers.length = 0;
    await Promise.allSettled([this.producer?.disconnect(), this.consumer.close()]);
  }
}
