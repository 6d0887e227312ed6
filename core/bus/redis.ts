// The cluster bus on Redis pub/sub (for deployments without Kafka): the leader publishes each batch as one
// message; every node subscribes. At-most-once, like Redis pub/sub itself; the leader serves its own clients
// directly while publishing fails.

import type { RecordBatch } from '../batch.ts';
import { decode, encode } from '../codec.ts';
import type { Logger } from '../log.ts';
import { connectRedis } from '../redis/connection.ts';
import type { RedisConnection } from '../redis/connection.ts';
import type { Bus } from './bus.ts';

interface WireBatch {
  k: string[];
  e: number[];
  b: Uint8Array;
}

export class RedisBus implements Bus {
  readonly kind = 'redis';
  producing = false;
  private readonly pub: RedisConnection;
  private readonly sub: RedisConnection;
  private readonly handlers: ((batch: RecordBatch) => void)[] = [];
  private published = 0;
  private received = 0;
  private failures = 0;
  private fallback = false;

  constructor(
    url: string,
    private readonly channel: string,
    private readonly log: Logger,
  ) {
    this.pub = connectRedis(url, 'publisher', log);
    this.sub = connectRedis(url, 'subscriber', log);
  }

  async start(): Promise<void> {
    // ioredis re-subscribes by itself after a reconnect, but only to channels it has subscribed to: with the
    // offline queue off, a subscribe sent before the connection is ready fails, so it is sent again once ready
    let subscribed = false;
    const subscribe = () =>
      this.sub.client
        .subscribe(this.channel)
        .then(() => (subscribed = true))
        .catch((err: Error) => this.log.warn(`Redis subscribe failed: ${err.message}; retrying when connected`));
    this.sub.client.on('ready', () => subscribed || void subscribe());
    if (this.sub.client.status === 'ready') void subscribe();
    this.sub.client.on('messageBuffer', (channel: Buffer, message: Buffer) => {
      if (channel.toString() !== this.channel) return;
      let wire: WireBatch;
      try {
        wire = decode<WireBatch>(message);
      } catch {
        this.failures++;
        return;
      }
      this.received += wire.k.length;
      this.deliver({ keys: wire.k, ends: wire.e, buf: wire.b });
    });
  }

  publish(batch: RecordBatch): void {
    if (!this.pub.healthy()) {
      this.setFallback(true);
      return this.deliver(batch);
    }
    this.pub.client
      .publish(this.channel, Buffer.from(encode({ k: batch.keys, e: batch.ends, b: batch.buf } satisfies WireBatch)))
      .then(() => {
        this.published += batch.keys.length;
        this.setFallback(false);
      })
      .catch(() => {
        this.failures++;
        this.setFallback(true);
        this.deliver(batch);
      });
  }

  private setFallback(on: boolean): void {
    if (on === this.fallback) return;
    this.fallback = on;
    if (on) this.log.warn("Redis unreachable: serving this node's clients directly until it returns");
    else this.log.info('Redis is back: publishing again');
  }

  private deliver(batch: RecordBatch): void {
    for (const h of this.handlers) h(batch);
  }

  subscribe(handler: (batch: RecordBatch) => void): void {
    this.handlers.push(handler);
  }

  get path(): 'redis' | 'direct-fallback' | 'none' {
    if (this.producing && this.fallback) return 'direct-fallback';
    return this.sub.healthy() ? 'redis' : 'none';
  }

  health(): Record<string, unknown> {
    return {
      kind: this.kind,
      healthy: this.sub.healthy() && (!this.producing || this.pub.healthy()),
      path: this.path,
      channel: this.channel,
      published: this.published,
      received: this.received,
      failures: this.failures,
    };
  }

  async close(): Promise<void> {
    this.handlers.length = 0;
    await Promise.all([this.pub.close(), this.sub.close()]);
  }
}
