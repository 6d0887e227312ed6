// Derived history in Redis: one sorted set per derived stream key (`<prefix>:<key>`), score = the record's `tms`,
// member = the record as JSON. Premium samples are trimmed by age, candles to the newest N per key.

import type { Logger } from '../log.ts';
import { connectRedis } from '../store/redis-connection.ts';
import type { RedisConnection } from '../store/redis-connection.ts';
import type { HistoryBackend, HistoryQuery, Retention } from './history.ts';
import { mergeNewest } from './history.ts';
import type { CandleRecord, DerivedRecord, PremiumRecord } from './types.ts';

/** premium sets are trimmed by age at most this often per key */
const TRIM_EVERY_MS = 60_000;

export class RedisHistory implements HistoryBackend {
  private readonly conn: RedisConnection;
  private readonly trimmedAt = new Map<string, number>();
  private writes = 0;
  private failures = 0;
  private inFlight = 0;

  constructor(
    url: string,
    private readonly prefix: string,
    private readonly retention: Retention,
    log: Logger,
    private readonly now: () => number = Date.now,
  ) {
    this.conn = connectRedis(url, 'history', log);
  }

  redisKey(key: string): string {
    return `${this.prefix}:${key}`;
  }

  private run(fn: () => Promise<unknown>): void {
    if (!this.conn.healthy() || this.inFlight > 200) {
      this.failures++;
      return;
    }
    this.inFlight++;
    fn()
      .then(() => this.writes++)
      .catch(() => this.failures++)
      .finally(() => this.inFlight--);
  }

  addPremium(key: string, r: PremiumRecord): void {
    const k = this.redisKey(key);
    const now = this.now();
    const trim = now - (this.trimmedAt.get(key) ?? 0) >= TRIM_EVERY_MS;
    if (trim) this.trimmedAt.set(key, now);
    this.run(() => {
      const m = this.conn.client.multi().zadd(k, r.tms, JSON.stringify(r));
      if (trim) m.zremrangebyscore(k, '-inf', `(${now - this.retention.premiumMs}`);
      return m.exec();
    });
  }

  addCandle(key: string, r: CandleRecord): void {
    const k = this.redisKey(key);
    // one member per open time: a candle written twice (two leaders in turn) replaces the older one
    this.run(() =>
      this.conn.client
        .multi()
        .zremrangebyscore(k, r.tms, r.tms)
        .zadd(k, r.tms, JSON.stringify(r))
        .zremrangebyrank(k, 0, -(this.retention.candles + 1))
        .exec(),
    );
  }

  async query(q: HistoryQuery): Promise<DerivedRecord[]> {
    const minPremium = this.now() - this.retention.premiumMs;
    const lists = await Promise.all(
      q.keys.map(async (key) => {
        const members = await this.conn.client.zrevrangebyscore(this.redisKey(key), q.to, q.from, 'LIMIT', 0, q.limit);
        const records = members.map((m) => JSON.parse(m) as DerivedRecord).reverse();
        return records.filter((r) => r.ty !== 'premium' || r.tms >= minPremium);
      }),
    );
    return mergeNewest(lists, q.limit);
  }

  health(): Record<string, unknown> {
    const e = this.conn.lastError();
    return { store: 'redis', healthy: this.conn.healthy(), prefix: this.prefix, writes: this.writes, failedWrites: this.failures, ...(e && !this.conn.healthy() ? { lastError: e } : {}) };
  }

  close(): Promise<void> {
    return this.conn.close();
  }
}
