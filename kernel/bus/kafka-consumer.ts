// The Kafka consumer of one node, kept alive by its own watchdog rather than by kafkajs's restart logic: a consumer
// that crashes, or has not fetched for `stallMs`, is thrown away with its client and built again (fresh connections,
// a fresh consumer group, the partitions sought to where the last one stopped), with backoff, once the broker answers.

import { Kafka, logLevel } from 'kafkajs';
import type { Consumer, KafkaConfig } from 'kafkajs';
import type { RecordBatch } from '../../boundary/batch.ts';
import { BatchBuilder } from '../../boundary/batch.ts';
import type { Logger } from '../log.ts';
import { RebuildBackoff } from './bus-status.ts';

export interface KafkaConsumerOptions {
  client: KafkaConfig;
  topic: string;
  /** consumer groups are `<groupPrefix>-<generation>` */
  groupPrefix: string;
  maxWaitMs: number;
  /** no fetch for this long while it runs: the consumer is stalled and rebuilt */
  stallMs: number;
  /** how often the watchdog looks, and how often a broker that does not answer is probed */
  probeMs: number;
  rebuildInitialMs: number;
  rebuildMaxMs: number;
  log: Logger;
  onBatch(batch: RecordBatch): void;
  /** phase changes, with the reason when not fetching */
  onPhase(phase: ConsumerPhase, reason: string | null): void;
  /** a stall was detected / a consumer was built again */
  onStall(): void;
  onRebuild(): void;
  onError(message: string): void;
  /** every watchdog round */
  onTick(): void;
}

/** `starting`: being built; `fetching`: fetched within stallMs; `stalled`: not, rebuild pending; `waiting`: the broker does not answer */
export type ConsumerPhase = 'starting' | 'fetching' | 'stalled' | 'waiting' | 'closed';

const withTimeout = <T>(p: Promise<T>, ms: number, what: string): Promise<T> =>
  Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms).unref?.())]);

export class KafkaConsumerLoop {
  phase: ConsumerPhase = 'starting';
  group = '';
  consumed = 0;
  lag = 0;
  lastFetchAt = 0;
  private generation = 0;
  private consumer: Consumer | undefined;
  /** since when the current consumer runs (its stall clock starts there) */
  private runningSince = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private watchdog: ReturnType<typeof setInterval> | undefined;
  private readonly backoff: RebuildBackoff;
  /** next offset to read per partition, so a rebuilt consumer carries on where the last one stopped */
  private readonly positions = new Map<number, string>();
  private building = false;
  /** consumers built so far (the first is no rebuild) */
  private built = 0;
  private closed = false;

  constructor(private readonly opts: KafkaConsumerOptions) {
    this.backoff = new RebuildBackoff(opts.rebuildInitialMs, opts.rebuildMaxMs);
  }

  start(): void {
    this.watchdog = setInterval(() => this.check(), this.opts.probeMs);
    void this.build();
  }

  get fetchAgeMs(): number | null {
    return this.lastFetchAt ? Date.now() - this.lastFetchAt : null;
  }

  private setPhase(phase: ConsumerPhase, reason: string | null): void {
    if (this.closed && phase !== 'closed') return;
    this.phase = phase;
    this.opts.onPhase(phase, reason);
  }

  /** the watchdog: a running consumer that has not fetched for stallMs is rebuilt */
  private check(): void {
    this.opts.onTick();
    if (this.closed || this.building || this.phase !== 'fetching' && this.phase !== 'starting' || !this.consumer) return;
    const last = Math.max(this.lastFetchAt, this.runningSince);
    const age = Date.now() - last;
    if (age < this.opts.stallMs) {
      // worked for a whole stall period since its build: later trouble starts the backoff afresh
      if (this.lastFetchAt > this.runningSince + this.opts.stallMs) this.backoff.reset();
      return;
    }
    this.opts.onStall();
    this.replace(`no fetch for ${(age / 1000).toFixed(1)} s: rebuilding the consumer`, this.backoff.next());
  }

  /**
   * A consumer that failed before its first fetch (the group coordinator or a partition leader is moving) is tried
   * again at the probe interval, as a broker that does not answer is; one that worked and then failed backs off.
   */
  private retryDelay(): number {
    return this.lastFetchAt > this.runningSince ? this.backoff.next() : this.opts.probeMs;
  }

  /** throws the current consumer away (without waiting for it) and builds another after `delayMs` */
  private replace(reason: string, delayMs: number): void {
    const old = this.consumer;
    this.consumer = undefined;
    if (old) void withTimeout(old.disconnect(), 3000, 'disconnect').catch(() => undefined);
    this.setPhase('stalled', reason);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.build(), delayMs);
  }

  /** probes the broker with a fresh client; when it answers, builds a consumer on that client */
  private async build(): Promise<void> {
    if (this.closed) return;
    if (this.building) {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => void this.build(), this.opts.probeMs);
      return;
    }
    this.building = true;
    const gen = ++this.generation;
    const kafka = new Kafka({ ...this.opts.client, logLevel: logLevel.NOTHING });
    const admin = kafka.admin({ retry: { retries: 0 } });
    try {
      await withTimeout(admin.connect(), 5000, 'connect');
      await withTimeout(admin.fetchTopicMetadata({ topics: [this.opts.topic] }), 5000, 'metadata');
    } catch (err) {
      this.building = false;
      const message = (err as Error).message;
      this.opts.onError(message);
      this.setPhase('waiting', `broker does not answer (${message})`);
      void admin.disconnect().catch(() => undefined);
      clearTimeout(this.timer);
      if (!this.closed) this.timer = setTimeout(() => void this.build(), this.opts.probeMs);
      return;
    }
    void admin.disconnect().catch(() => undefined);
    if (this.built++ > 0) this.opts.onRebuild();
    this.group = `${this.opts.groupPrefix}-${gen}`;
    const consumer = kafka.consumer({
      groupId: this.group,
      maxWaitTimeInMs: this.opts.maxWaitMs,
      minBytes: 1,
      sessionTimeout: 10_000,
      heartbeatInterval: 1000,
      // kafkajs does not restart it: a crash is ours to handle, by building a new one
      retry: { retries: 3, initialRetryTime: 200, maxRetryTime: 1000, restartOnFailure: async () => false },
    });
    this.consumer = consumer;
    this.runningSince = Date.now();
    this.setPhase('starting', 'joining the consumer group');
    const mine = () => consumer === this.consumer && !this.closed;
    consumer.on(consumer.events.FETCH, () => {
      if (!mine()) return;
      this.lastFetchAt = Date.now();
      if (this.phase !== 'fetching') this.setPhase('fetching', null);
    });
    consumer.on(consumer.events.CRASH, (e) => {
      if (!mine()) return;
      this.opts.onError(e.payload.error.message);
      this.opts.log.debug(`Kafka consumer crashed: ${e.payload.error.message}`);
      this.replace(`consumer crashed (${e.payload.error.message}): rebuilding it`, this.retryDelay());
    });
    try {
      // a consumer that has not joined its group and started within a stall period is stalled like one that stopped
      // fetching (a coordinator or partition leader on a broker that just went away): thrown away and built again
      await withTimeout(this.run(consumer, mine), this.opts.stallMs, 'consumer start');
      // carry on where the previous consumer stopped (an offset gone from the log falls back to the latest)
      if (mine()) for (const [partition, offset] of this.positions) consumer.seek({ topic: this.opts.topic, partition, offset });
      this.opts.log.debug(`consuming ${this.opts.topic} as group ${this.group}`);
    } catch (err) {
      const message = (err as Error).message;
      this.opts.onError(message);
      if (mine()) this.replace(`consumer cannot start (${message}): rebuilding it`, this.retryDelay());
    } finally {
      this.building = false;
    }
  }

  private async run(consumer: Consumer, mine: () => boolean): Promise<void> {
    await consumer.connect();
    await consumer.subscribe({ topic: this.opts.topic, fromBeginning: false });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        if (!mine()) return;
        if (batch.messages.length) this.positions.set(batch.partition, String(Number(batch.lastOffset()) + 1));
        const b = new BatchBuilder();
        for (const m of batch.messages) if (m.key && m.value) b.add(m.key.toString('utf8'), m.value);
        const last = batch.messages.length ? Number(batch.lastOffset()) : -1;
        this.lag = Math.max(0, Number(batch.highWatermark) - last - 1);
        if (!b.length) return;
        this.consumed += b.length;
        this.opts.onBatch(b.take());
      },
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.timer);
    clearInterval(this.watchdog);
    this.phase = 'closed';
    const c = this.consumer;
    this.consumer = undefined;
    await withTimeout(c?.disconnect() ?? Promise.resolve(), 3000, 'disconnect').catch(() => undefined);
  }
}
