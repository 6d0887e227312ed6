// The private (per-account) connections of one exchange worker: one feed per configured account, its upgrade signed
// with the account's keys on every attempt, its records posted to the main thread apart from the public batches.

import { randomUUID } from 'node:crypto';
import { BatchBuilder } from '../boundary/batch.ts';
import type { ConnectionPlan, ExchangePlugin, PluginConfig } from '../sdk/plugin.ts';
import type { PrivateAccountInit, PrivateRecord } from '../sdk/private.ts';
import { privateKey } from '../sdk/private.ts';
import type { ConnectionStats, FromWorker } from '../boundary/worker-protocol.ts';
import { Feed } from './feed.ts';
import type { FeedOptions } from './feed.ts';

type Level = 'debug' | 'info' | 'warn' | 'error';

export class PrivateFeeds {
  private readonly feeds: Feed[] = [];
  private readonly builder = new BatchBuilder();
  private flushScheduled = false;

  constructor(
    private readonly post: (msg: FromWorker, transfer?: ArrayBuffer[]) => void,
    private readonly log: (level: Level, msg: string) => void,
    private readonly changed: () => void,
  ) {}

  /** opens one connection per account; an exchange without private streams is reported, not fatal */
  start(plugin: ExchangePlugin, config: PluginConfig, accounts: readonly PrivateAccountInit[], options: FeedOptions): void {
    for (const account of accounts) {
      if (!plugin.privateConnection) {
        this.log('error', `private account ${account.id}: plugin "${plugin.id}" has no private streams`);
        continue;
      }
      const { credentials, ...visible } = account;
      const plan = plugin.privateConnection(visible, config);
      const signed: ConnectionPlan = {
        ...plan,
        name: `private-${account.id}`,
        // a fresh nonce and time on every attempt: the exchanges refuse a token they have seen
        headers: () => plan.authorize(credentials, { nonce: randomUUID(), tms: Date.now() }),
      };
      const feed = new Feed(signed, options, {
        record: (_key, record) => this.add(record as unknown as PrivateRecord, account.id),
        log: (level, msg) => this.log(level, msg),
        changed: this.changed,
        // private streams carry no books: nothing to invalidate
        invalidate: () => {},
      });
      this.feeds.push(feed);
      feed.start();
    }
  }

  private add(record: PrivateRecord, acct: string): void {
    // the account comes from the configuration, whatever the mapper wrote
    record.acct = acct;
    this.builder.addRecord(privateKey(record.ex, record.ty, record.ty === 'myOrder' ? record.cd : undefined, acct), record);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => this.flush());
  }

  flush(): void {
    this.flushScheduled = false;
    if (this.builder.length === 0) return;
    const batch = this.builder.take();
    this.post({ t: 'private', batch }, [batch.buf.buffer as ArrayBuffer]);
  }

  stats(): ConnectionStats[] {
    return this.feeds.map((f) => f.snapshot());
  }

  async close(): Promise<void> {
    await Promise.all(this.feeds.map((f) => f.close()));
    this.flush();
  }
}
