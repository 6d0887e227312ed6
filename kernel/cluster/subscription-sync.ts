// Cluster mode: live subscription changes go through the set stored in ZooKeeper, and every node applies what is
// stored: the leader to its exchange connections, every node to its catalog (what clients may subscribe to).
// Standalone mode changes the running set directly. The config file is the starting point; the stored set wins
// until an operator resets it (DELETE /api/subscriptions, or `--reset-subscriptions` at start).

import type { ExchangeSet, SubscriptionChange } from '../exchanges.ts';
import type { Logger } from '../log.ts';
import type { PluginConfig } from '../../sdk/plugin.ts';
import { SharedSubscriptions } from './shared-subscriptions.ts';
import type { SharedSubscriptionsOptions, StoredSubscriptions, SubscriptionSet } from './shared-subscriptions.ts';

export class SubscriptionSync {
  readonly shared: SharedSubscriptions;

  constructor(
    private readonly exchanges: ExchangeSet,
    opts: SharedSubscriptionsOptions,
    private readonly log: Logger,
  ) {
    this.shared = new SharedSubscriptions(opts);
    this.shared.on('change', (stored: StoredSubscriptions | null, version: number) => {
      this.log.info(stored ? `subscription set v${version} from ${stored.updatedBy}: applying` : 'no stored subscription set: following the config file');
      this.apply();
    });
  }

  /** `reset`: remove the stored set first (the operator's `--reset-subscriptions`) */
  async start(reset = false): Promise<void> {
    this.shared.start();
    if (!reset) return;
    await this.ready(15_000);
    try {
      await this.shared.reset();
      this.log.warn('stored subscription set removed (--reset-subscriptions): every node follows its config file');
    } catch (err) {
      this.log.error(`--reset-subscriptions: ${(err as Error).message}; the stored set stays`);
    }
  }

  /** resolves once the stored set has been read (a new leader waits for it before connecting), or after `timeoutMs` */
  ready(timeoutMs: number): Promise<void> {
    return Promise.race([this.shared.loaded, new Promise<void>((r) => setTimeout(r, timeoutMs).unref?.())]);
  }

  /** the config file's subscriptions of one exchange */
  private fileEntry(id: string): { symbols: string[]; channels: string[] } {
    const { ex } = this.exchanges.get(id)!;
    return { symbols: this.exchanges.fileSymbols(id), channels: [...ex.channels] };
  }

  /** what every exchange should subscribe to now: the stored set, or the file for exchanges it does not name */
  private wanted(): SubscriptionSet {
    const stored = this.shared.stored?.exchanges ?? {};
    return Object.fromEntries(this.exchanges.ids.map((id) => [id, stored[id] ?? this.fileEntry(id)]));
  }

  /** applies the stored set to this node (exchanges this node does not run are left out, and said so once) */
  apply(): void {
    const stored = this.shared.stored?.exchanges ?? {};
    for (const id of Object.keys(stored)) {
      if (!this.exchanges.get(id)) this.log.warn(`stored subscriptions name exchange "${id}", which this node does not run`);
    }
    for (const [id, entry] of Object.entries(this.wanted())) {
      try {
        this.exchanges.update(id, { symbols: entry.symbols, channels: entry.channels });
      } catch (err) {
        this.log.error(`cannot apply stored subscriptions of ${id}: ${(err as Error).message}; keeping the current ones`);
      }
    }
  }

  /** POST /api/subscriptions in cluster mode: validated here, written with compare-and-set, applied here at once */
  async change(id: string, change: SubscriptionChange): Promise<PluginConfig> {
    let planned: PluginConfig | undefined;
    await this.shared.update((current) => {
      const base = { ...this.wanted(), ...(current ?? {}) };
      planned = this.exchanges.plan(id, change, base[id]);
      return { ...base, [id]: { symbols: planned.symbols, channels: planned.channels } };
    });
    this.apply();
    return this.exchanges.get(id)!.config;
  }

  /** DELETE /api/subscriptions: back to every node's config file */
  async reset(): Promise<void> {
    await this.shared.reset();
    this.log.info('stored subscription set removed: following the config file');
    this.apply();
  }

  health(): Record<string, unknown> {
    return this.shared.health();
  }

  close(): Promise<void> {
    return this.shared.close();
  }
}
