// The running exchanges: one plugin and one supervised worker each; started, changed live and stopped here.

import type { RecordBatch } from '../boundary/batch.ts';
import type { Config, ExchangeConfig } from './config.ts';
import { EXCHANGE_KERNEL_KEYS } from './config.ts';
import { GatewayError } from '../sdk/errors.ts';
import type { Catalog } from './filter.ts';
import type { Logger } from './log.ts';
import { DERIVED_TYPES, LISTING_TYPE, RECORD_TYPES, isSymbol } from '../sdk/model.ts';
import type { RecordType } from '../sdk/model.ts';
import type { ExchangePlugin, PluginConfig } from '../sdk/plugin.ts';
import { PLUGINS_DIR, checkPluginConfig, loadPlugin } from '../plugins/registry.ts';
import type { PrivateAccountInit } from '../sdk/private.ts';
import type { SnapshotStore } from './store/snapshot-store.ts';
import type { RecordOptions } from '../boundary/worker-protocol.ts';
import { ExchangeSupervisor } from './supervisor.ts';
import type { Invalidation } from '../boundary/worker-protocol.ts';

/** A change to one exchange's subscriptions: `symbols` replaces the list; `add`/`remove` edit it. */
export interface SubscriptionChange {
  symbols?: unknown;
  add?: unknown;
  remove?: unknown;
  channels?: unknown;
}

interface Running {
  plugin: ExchangePlugin;
  config: PluginConfig;
  ex: ExchangeConfig;
  /** present while the set is active */
  supervisor?: ExchangeSupervisor;
}

export interface ExchangeSetOptions {
  pluginsDir?: string;
  statsIntervalMs: number;
  depth: number;
  catalog: Catalog;
  store: SnapshotStore;
  log: Logger;
  onBatch(exchange: string, batch: RecordBatch): void;
  /** recording settings for every worker (absent = not recording) */
  record?: RecordOptions;
  onInvalidate?(exchange: string, keys: Invalidation[]): void;
  onStats?(exchange: string): void;
  /** the exchange's worker crashed (it is restarted with backoff) */
  onCrash?(exchange: string): void;
  /** the private accounts (with keys) an exchange's worker connects, and where their records go */
  privateAccounts?(exchange: string): PrivateAccountInit[];
  onPrivate?(exchange: string, batch: RecordBatch): void;
  /** a whole-universe exchange's market list changed: the kernel applies it as a subscription change */
  onMarkets?(exchange: string, symbols: string[]): void;
}

function stringList(name: string, v: unknown): string[] {
  if (!Array.isArray(v) || !v.every((s) => typeof s === 'string')) {
    throw new GatewayError('BAD_REQUEST', `${name}: expected a list of strings`);
  }
  return v as string[];
}

export class ExchangeSet {
  private readonly running = new Map<string, Running>();
  private active = false;

  constructor(private readonly opts: ExchangeSetOptions) {}

  get supervisors(): ExchangeSupervisor[] {
    return [...this.running.values()].flatMap((r) => (r.supervisor ? [r.supervisor] : []));
  }

  /** ids of the configured exchanges, running or not */
  get ids(): string[] {
    return [...this.running.keys()];
  }

  get(id: string): Running | undefined {
    return this.running.get(id);
  }

  /** Loads the plugin and checks this exchange's section against it; throws a coded error naming the key. */
  async resolve(id: string, ex: ExchangeConfig): Promise<{ plugin: ExchangePlugin; config: PluginConfig }> {
    const plugin = await loadPlugin(id, this.opts.pluginsDir);
    const options = Object.fromEntries(Object.entries(ex).filter(([k]) => !EXCHANGE_KERNEL_KEYS.has(k)));
    const defaults = plugin.defaultUrls(options);
    const config: PluginConfig = {
      id,
      url: ex.url ?? defaults.url,
      restUrl: ex.restUrl ?? defaults.restUrl,
      // `all` / `{quote}`: no markets until the worker has read the exchange's list
      symbols: Array.isArray(ex.symbols) ? ex.symbols : [],
      channels: ex.channels,
      depth: this.opts.depth,
      options,
    };
    checkPluginConfig(plugin, config);
    return { plugin, config };
  }

  /** Registers a resolved exchange; its worker runs while the set is active (always in standalone mode). */
  async add(plugin: ExchangePlugin, config: PluginConfig, ex: ExchangeConfig): Promise<void> {
    this.running.set(config.id, { plugin, config, ex });
    this.opts.catalog.set(config.id, { symbols: config.symbols, channels: config.channels });
    if (this.active) await this.launch(this.running.get(config.id)!);
  }

  private async launch(r: Running): Promise<void> {
    if (r.supervisor) return;
    const { config, ex } = r;
    r.supervisor = new ExchangeSupervisor({
      init: {
        plugin: config,
        pluginsDir: this.opts.pluginsDir ?? PLUGINS_DIR,
        reconnect: ex.reconnect,
        stallTimeoutMs: ex.stallTimeoutMs,
        maxConnectionAgeMs: ex.maxConnectionAgeMs,
        nice: ex.nice,
        statsIntervalMs: this.opts.statsIntervalMs,
        record: this.opts.record,
        private: this.opts.privateAccounts?.(config.id),
        ...(Array.isArray(ex.symbols) ? {} : { markets: { select: ex.symbols, refreshMs: ex.marketRefreshMs } }),
      },
      log: this.opts.log.child(config.id),
      onBatch: (batch) => this.opts.onBatch(config.id, batch),
      onInvalidate: (keys) => this.opts.onInvalidate?.(config.id, keys),
      onStats: () => this.opts.onStats?.(config.id),
      onCrash: () => this.opts.onCrash?.(config.id),
      onPrivate: (batch) => this.opts.onPrivate?.(config.id, batch),
      onMarkets: (change) => this.opts.onMarkets?.(config.id, change.symbols),
    });
    await r.supervisor.start().catch(() => {
      /* logged by the supervisor and shown in health; other exchanges go on */
    });
  }

  /** Opens the exchange connections: standalone start-up, or this node became the cluster leader. */
  async activate(): Promise<void> {
    this.active = true;
    await Promise.all([...this.running.values()].map((r) => this.launch(r)));
  }

  /** Closes every exchange connection (fencing: this node is no longer leader); the configuration stays. */
  async deactivate(deadlineMs = 1000): Promise<void> {
    this.active = false;
    const sups = [...this.running.values()].flatMap((r) => (r.supervisor ? [r.supervisor] : []));
    for (const r of this.running.values()) r.supervisor = undefined;
    await Promise.all(sups.map((s) => s.close(deadlineMs)));
  }

  get isActive(): boolean {
    return this.active;
  }

  /** Changes an exchange's subscriptions live: only its changed connections roll over; nothing restarts. */
  /**
   * The symbols the config file gives an exchange: its list, or for `all` / `{quote}` the markets its list selects
   * now (the market list is authoritative for those: SPEC §7, docs/symbols.md).
   */
  fileSymbols(id: string): string[] {
    const r = this.running.get(id)!;
    return Array.isArray(r.ex.symbols) ? [...r.ex.symbols] : [...r.config.symbols];
  }

  update(id: string, change: SubscriptionChange): PluginConfig {
    return this.reconfigure(this.running.get(id)!, this.plan(id, change));
  }

  /**
   * Validates a change without applying it: the subscriptions it gives, edited from `base` (default: those in
   * force). Throws BAD_REQUEST naming what is wrong.
   */
  plan(id: string, change: SubscriptionChange, base?: { symbols: string[]; channels: string[] }): PluginConfig {
    const r = this.running.get(id);
    if (!r) throw new GatewayError('BAD_REQUEST', `exchange: "${id}" is not running`);
    const from = base ?? r.config;
    let symbols = change.symbols === undefined ? [...from.symbols] : stringList('symbols', change.symbols);
    if (change.add !== undefined) symbols.push(...stringList('add', change.add).filter((s) => !symbols.includes(s)));
    if (change.remove !== undefined) {
      const drop = new Set(stringList('remove', change.remove));
      symbols = symbols.filter((s) => !drop.has(s));
    }
    const channels = change.channels === undefined ? from.channels : stringList('channels', change.channels);
    for (const s of symbols) if (!isSymbol(s)) throw new GatewayError('BAD_REQUEST', `symbols: malformed symbol "${s}" (expected BASE/QUOTE)`);
    for (const c of channels) {
      if (!(RECORD_TYPES as readonly string[]).includes(c)) throw new GatewayError('BAD_REQUEST', `channels: unknown type "${c}"`);
    }
    if (symbols.length === 0) throw new GatewayError('BAD_REQUEST', 'symbols: at least one symbol is needed (disable the exchange instead)');
    if (channels.length === 0) throw new GatewayError('BAD_REQUEST', 'channels: at least one channel is needed');
    const next = { ...r.config, symbols, channels: channels as RecordType[] };
    try {
      checkPluginConfig(r.plugin, next);
    } catch (err) {
      throw new GatewayError('BAD_REQUEST', (err as Error).message, { cause: err });
    }
    return next;
  }

  private reconfigure(r: Running, next: PluginConfig): PluginConfig {
    try {
      checkPluginConfig(r.plugin, next);
    } catch (err) {
      throw new GatewayError('BAD_REQUEST', (err as Error).message, { cause: err });
    }
    // the same again (e.g. a cluster node applying the set it wrote itself): nothing rolls over
    if (JSON.stringify(r.config) === JSON.stringify(next)) return r.config;
    r.config = next;
    r.supervisor?.update(next);
    this.opts.catalog.set(next.id, { symbols: next.symbols, channels: next.channels });
    // derived records (premium, candle) of the exchange's markets stay: the derived stage owns them
    this.opts.store.retain(
      (e) =>
        e.ex !== next.id ||
        e.ty === LISTING_TYPE ||
        (next.symbols.includes(e.cd) && ((next.channels as string[]).includes(e.ty) || (DERIVED_TYPES as readonly string[]).includes(e.ty))),
    );
    this.opts.log.info(`subscriptions of ${next.id}: ${next.symbols.join(' ')} × ${next.channels.join(' ')}`);
    return next;
  }

  /** Applies a reloaded configuration: exchanges added, removed, or with new URLs, symbols or channels. */
  async reload(config: Config): Promise<void> {
    const wanted = Object.entries(config.exchanges).filter(([, ex]) => ex.enabled);
    for (const id of [...this.running.keys()]) {
      if (!wanted.some(([w]) => w === id)) await this.stop(id);
    }
    for (const [id, ex] of wanted) {
      const { plugin, config: next } = await this.resolve(id, ex);
      const r = this.running.get(id);
      if (!r) await this.add(plugin, next, ex);
      else if (JSON.stringify(r.config) !== JSON.stringify(next)) this.reconfigure(r, next);
    }
  }

  async stop(id: string): Promise<void> {
    const r = this.running.get(id);
    if (!r) return;
    this.running.delete(id);
    this.opts.catalog.delete(id);
    this.opts.store.retain((e) => e.ex !== id);
    await r.supervisor?.close();
    this.opts.log.info(`exchange ${id} stopped`);
  }

  /** the subscriptions in force, per exchange */
  describe(): Record<string, { symbols: string[]; channels: string[]; url: string }> {
    return Object.fromEntries([...this.running].map(([id, r]) => [id, { symbols: r.config.symbols, channels: r.config.channels, url: r.config.url }]));
  }

  async close(deadlineMs: number): Promise<void> {
    await this.deactivate(deadlineMs);
  }
}
