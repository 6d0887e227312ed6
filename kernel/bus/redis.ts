// The cluster bus on Redis pub/sub (for deployments without Kafka): the leader publishes each batch as one
// message; every node subscribes. At-most-once, like Redis pub/sub itself; the leader serves its own clients
// directly while publishing fails. Every node also publishes a small probe on the channel each probe interval, so a
// subscription that hears nothing (not even its own probe) while Redis answers is known dead and rebuilt.

import type { RecordBatch } from '../../boundary/batch.ts';
import { decode, encode } from '../../boundary/codec.ts';
import type { Logger } from '../log.ts';
import { connectRedis } from '../store/redis-connection.ts';
import type { RedisConnection } from '../store/redis-connection.ts';
import type { Bus } from './bus.ts';
import { BusStatus, DEFAULT_RECOVERY, RebuildBackoff, quiet } from './bus-status.ts';
import type { BusHealth, BusRecovery } from './bus-status.ts';

/** a batch on the wire; a probe is an empty batch carrying `p` (the sender), which older nodes deliver as nothing */
interface WireBatch {
  k: string[];
  e: number[];
  b: Uint8Array;
  p?: string;
}

export interface RedisHealth extends BusHealth {
  channel: string;
  published: number;
  received: number;
  failures: number;
  subscriber: { connected: boolean; lastHeardAgeMs: number | null; probesSent: number };
}

export class RedisBus implements Bus {
  readonly kind = 'redis';
  readonly status: BusStatus;
  private readonly recovery: BusRecovery;
  private readonly pub: RedisConnection;
  private sub: RedisConnection;
  private readonly handlers: ((batch: RecordBatch) => void)[] = [];
  private readonly backoff: RebuildBackoff;
  private producingNow = false;
  private published = 0;
  private received = 0;
  private failures = 0;
  private probesSent = 0;
  private fallback = false;
  private fallbackAt = 0;
  /** last message of any kind (data or probe) on the channel */
  private lastHeardAt = 0;
  /** since when the current subscriber exists (its stall clock starts there) */
  private subSince = Date.now();
  /** last probe Redis accepted: it answers, so a silent subscription is ours to fix */
  private lastProbeOkAt = 0;
  /** since when Redis answers probes again (a reconnecting subscriber gets a stall period to resubscribe) */
  private answersSince = 0;
  private watchdog: ReturnType<typeof setInterval> | undefined;
  private rebuildTimer: ReturnType<typeof setTimeout> | undefined;
  private rebuilding = false;
  private closed = false;

  constructor(
    private readonly url: string,
    private readonly channel: string,
    private readonly log: Logger,
    private readonly nodeId = 'node',
    recovery: Partial<BusRecovery> = {},
  ) {
    this.recovery = { ...DEFAULT_RECOVERY, ...recovery };
    this.status = new BusStatus('redis', log);
    this.backoff = new RebuildBackoff(this.recovery.rebuildInitialDelayMs, this.recovery.rebuildMaxDelayMs);
    // a server that hangs fails publishes after a stall period: the leader then serves its clients directly
    this.pub = connectRedis(url, 'publisher', quiet(log), { commandTimeout: this.recovery.stallTimeoutMs });
    this.sub = this.subscriber();
  }

  get producing(): boolean {
    return this.producingNow;
  }

  set producing(on: boolean) {
    this.producingNow = on;
    this.update();
  }

  async start(): Promise<void> {
    this.watchdog = setInterval(() => this.tick(), this.recovery.probeIntervalMs);
    this.tick();
  }

  /** a subscriber connection, subscribed (ioredis subscribes again after its own reconnects) */
  private subscriber(): RedisConnection {
    const conn = connectRedis(this.url, 'subscriber', quiet(this.log));
    this.subSince = Date.now();
    // commands fail at once while disconnected (no offline queue): subscribe whenever the connection is ready
    const subscribe = () =>
      conn.client.subscribe(this.channel).catch((err: Error) => this.log.debug(`Redis subscribe failed: ${err.message}; retrying when ready`));
    conn.client.on('ready', () => void subscribe());
    conn.client.on('close', () => conn === this.sub && this.update());
    if (conn.client.status === 'ready') void subscribe();
    conn.client.on('messageBuffer', (channel: Buffer, message: Buffer) => {
      if (conn !== this.sub || channel.toString() !== this.channel) return;
      let wire: WireBatch;
      try {
        wire = decode<WireBatch>(message);
        if (!Array.isArray(wire.k) || !Array.isArray(wire.e)) throw new Error('not a batch');
      } catch {
        this.failures++;
        return;
      }
      this.lastHeardAt = Date.now();
      if (this.status.state !== 'up') this.update();
      if (!wire.k.length) return;
      this.received += wire.k.length;
      this.deliver({ keys: wire.k, ends: wire.e, buf: wire.b });
    });
    return conn;
  }

  /** every probe interval: probe through the channel, and rebuild a subscriber that hears nothing while Redis answers */
  private tick(): void {
    if (this.closed) return;
    this.status.tick();
    if (this.pub.healthy()) {
      const probe: WireBatch = { k: [], e: [], b: new Uint8Array(0), p: this.nodeId };
      this.pub.client
        .publish(this.channel, Buffer.from(encode(probe)))
        .then(() => {
          this.probesSent++;
          const now = Date.now();
          if (now - this.lastProbeOkAt > 2 * this.recovery.probeIntervalMs + 1000) this.answersSince = now;
          this.lastProbeOkAt = now;
        })
        .catch((err: Error) => this.status.error(err.message));
    }
    const now = Date.now();
    const silentMs = now - Math.max(this.lastHeardAt, this.subSince, this.answersSince);
    const answers = now - this.lastProbeOkAt < 2 * this.recovery.probeIntervalMs + 1000;
    if (!this.rebuilding && answers && silentMs >= this.recovery.stallTimeoutMs) {
      this.status.stall();
      this.rebuild(`subscription heard nothing for ${(silentMs / 1000).toFixed(1)} s while Redis answers: rebuilding the subscriber`);
    }
    // publishing again once a probe sent after the failure came back through our own subscription
    if (this.fallback && this.pub.healthy() && this.lastHeardAt > this.fallbackAt + this.recovery.probeIntervalMs && this.subHealthy) {
      this.setFallback(false);
    }
    this.update();
  }

  private rebuild(reason: string): void {
    this.rebuilding = true;
    this.status.set(this.producingNow && this.fallback ? 'degraded' : 'down', reason);
    const old = this.sub;
    void old.close();
    clearTimeout(this.rebuildTimer);
    this.rebuildTimer = setTimeout(() => {
      this.rebuilding = false;
      if (this.closed) return;
      this.status.rebuilt();
      this.sub = this.subscriber();
    }, this.backoff.next());
  }

  private get subHealthy(): boolean {
    return this.sub.healthy() && Date.now() - this.lastHeardAt < this.recovery.stallTimeoutMs;
  }

  private update(): void {
    if (this.closed || this.rebuilding) return;
    if (this.producingNow && this.fallback) {
      this.status.set('degraded', `publishing fails (${(this.pub.healthy() ? this.status.lastError : this.pub.lastError()) ?? 'not connected'}): serving this node's clients directly`);
    } else if (this.subHealthy) {
      // worked for a whole stall period since its build: later trouble starts the backoff afresh
      if (this.lastHeardAt > this.subSince + this.recovery.stallTimeoutMs) this.backoff.reset();
      this.status.set('up', null);
    } else if (!this.sub.healthy()) {
      this.status.set('down', `Redis subscriber not connected (${this.sub.lastError() ?? 'connecting'})`);
    } else {
      this.status.set('down', this.lastHeardAt ? 'subscription silent' : 'subscribing');
    }
  }

  publish(batch: RecordBatch): void {
    // while falling back, records go straight to this node's clients; the probes tell when Redis carries them again
    if (this.fallback || !this.pub.healthy()) {
      this.setFallback(true);
      return this.deliver(batch);
    }
    this.pub.client
      .publish(this.channel, Buffer.from(encode({ k: batch.keys, e: batch.ends, b: batch.buf } satisfies WireBatch)))
      .then(() => (this.published += batch.keys.length))
      .catch((err: Error) => {
        this.failures++;
        this.status.error(err.message);
        this.setFallback(true);
        this.deliver(batch);
      });
  }

  private setFallback(on: boolean): void {
    if (on === this.fallback) return;
    this.fallback = on;
    if (on) this.fallbackAt = Date.now();
    this.update();
  }

  private deliver(batch: RecordBatch): void {
    for (const h of this.handlers) h(batch);
  }

  subscribe(handler: (batch: RecordBatch) => void): void {
    this.handlers.push(handler);
  }

  get path(): 'redis' | 'direct-fallback' | 'none' {
    if (this.producing && this.fallback) return 'direct-fallback';
    return this.subHealthy ? 'redis' : 'none';
  }

  health(): RedisHealth {
    return {
      ...this.status.snapshot(this.path),
      channel: this.channel,
      published: this.published,
      received: this.received,
      failures: this.failures,
      subscriber: {
        connected: this.sub.healthy(),
        lastHeardAgeMs: this.lastHeardAt ? Date.now() - this.lastHeardAt : null,
        probesSent: this.probesSent,
      },
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.watchdog);
    clearTimeout(this.rebuildTimer);
    this.handlers.length = 0;
    await Promise.all([this.pub.close(), this.sub.close()]);
  }
}
