// The latest value of every stream key in Redis (one hash: field = stream key, value = the msgpack record), so a
// node that starts or restarts can replay snapshots at once.

import type { RecordBatch } from '../../boundary/batch.ts';
import { recordAt } from '../../boundary/batch.ts';
import type { Logger } from '../log.ts';
import { connectRedis } from './redis-connection.ts';
import type { RedisConnection } from './redis-connection.ts';

const LOAD_TIMEOUT_MS = 3000;

export class RedisLatest {
  private readonly conn: RedisConnection;
  private writes = 0;
  private failures = 0;
  private inFlight = 0;

  constructor(
    url: string,
    private readonly hash: string,
    private readonly log: Logger,
  ) {
    this.conn = connectRedis(url, 'latest', log);
  }

  /** every stored record, or nothing when Redis does not answer in time */
  async load(): Promise<Map<string, Uint8Array>> {
    const out = new Map<string, Uint8Array>();
    try {
      await waitReady(this.conn, LOAD_TIMEOUT_MS);
      const all = await this.conn.client.hgetallBuffer(this.hash);
      for (const [key, value] of Object.entries(all)) out.set(key, value);
      this.log.info(`loaded ${out.size} latest records from Redis`);
    } catch (err) {
      this.log.warn(`could not load latest records from Redis: ${(err as Error).message}; starting without them`);
    }
    return out;
  }

  /** one HSET per batch with the newest record of each key; fire and forget, failures are counted */
  write(batch: RecordBatch): void {
    if (!this.conn.healthy() || this.inFlight > 100) {
      this.failures++;
      return;
    }
    const latest = new Map<string, Uint8Array>();
    for (let i = 0; i < batch.keys.length; i++) latest.set(batch.keys[i]!, recordAt(batch, i));
    const args: (string | Buffer)[] = [];
    for (const [k, v] of latest) args.push(k, Buffer.from(v));
    this.inFlight++;
    this.conn.client
      .hset(this.hash, ...args)
      .then(() => this.writes++)
      .catch(() => this.failures++)
      .finally(() => this.inFlight--);
  }

  health(): Record<string, unknown> {
    const e = this.conn.lastError();
    return { healthy: this.conn.healthy(), hash: this.hash, writes: this.writes, failedWrites: this.failures, ...(e && !this.conn.healthy() ? { lastError: e } : {}) };
  }

  close(): Promise<void> {
    return this.conn.close();
  }
}

export function waitReady(conn: RedisConnection, timeoutMs: number): Promise<void> {
  if (conn.healthy()) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      conn.client.off('ready', onReady);
      reject(new Error(conn.lastError() ?? `no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    const onReady = () => {
      clearTimeout(timer);
      resolve();
    };
    conn.client.once('ready', onReady);
  });
}
