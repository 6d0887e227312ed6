// The kernel: wires config, exchanges (plugins in workers), bus, snapshot store, hub and HTTP server;
// closes them in reverse order under one deadline.

import { hostname } from 'node:os';
import type { Bus } from './bus/bus.ts';
import { DirectBus } from './bus/direct.ts';
import { filterBatch } from './batch.ts';
import type { Config } from './config.ts';
import { GatewayError } from './errors.ts';
import { ExchangeSet } from './exchanges.ts';
import { createApp } from './fanout/app.ts';
import { Hub } from './fanout/hub.ts';
import { startServer } from './fanout/server.ts';
import type { ServerHandle } from './fanout/server.ts';
import { Catalog } from './filter.ts';
import { exchangeHealth } from './health.ts';
import type { Logger } from './log.ts';
import { createLogger } from './log.ts';
import { Metrics } from './metrics.ts';
import { registerExchangeMetrics } from './exchange-metrics.ts';
import { SnapshotStore } from './snapshot-store.ts';

export interface KernelOptions {
  config: Config;
  log?: Logger;
  /** where plugins live (tests use their own) */
  pluginsDir?: string;
  /** how often workers report connection figures */
  statsIntervalMs?: number;
}

export class Kernel {
  readonly metrics = new Metrics();
  readonly store = new SnapshotStore();
  readonly catalog = new Catalog();
  readonly nodeId: string;
  readonly log: Logger;
  readonly exchanges: ExchangeSet;
  private config: Config;
  private bus: Bus | undefined;
  private hub: Hub | undefined;
  private server: ServerHandle | undefined;
  private closing: Promise<void> | undefined;

  constructor(opts: KernelOptions) {
    this.config = opts.config;
    this.log = opts.log ?? createLogger(opts.config.log.level);
    this.nodeId = opts.config.nodeId ?? `${hostname()}-${process.pid}`;
    const records = this.metrics.counter('gateway_records_total', 'Records received from exchange workers, by exchange');
    this.exchanges = new ExchangeSet({
      pluginsDir: opts.pluginsDir,
      statsIntervalMs: opts.statsIntervalMs ?? 1000,
      depth: opts.config.orderbook.depth,
      catalog: this.catalog,
      store: this.store,
      log: this.log,
      onBatch: (exchange, batch) => {
        records.inc({ exchange }, batch.keys.length);
        // After a live unsubscribe the old connection still produces until the switch: drop what is no longer served.
        const served = filterBatch(batch, (key) => this.catalog.serves(key));
        if (served.keys.length) this.bus?.publish(served);
      },
    });
  }

  get port(): number {
    return this.server?.port ?? 0;
  }

  get role(): string {
    return this.config.mode === 'standalone' ? 'standalone' : 'leader';
  }

  get supervisors() {
    return this.exchanges.supervisors;
  }

  /** Validates every enabled exchange against its plugin, then starts bus, server and workers. */
  async start(): Promise<void> {
    const { config } = this;
    // Refuse rather than silently run without what the operator turned on.
    if (config.mode === 'cluster' || config.kafka.enabled || config.redis.enabled) {
      throw new GatewayError(
        'CONFIG_INVALID',
        'mode: cluster, kafka.enabled and redis.enabled are not available in this version yet (standalone only)',
      );
    }
    const enabled = Object.entries(config.exchanges).filter(([, ex]) => ex.enabled);
    const resolved = [];
    for (const [id, ex] of enabled) resolved.push({ ...(await this.exchanges.resolve(id, ex)), ex });

    this.bus = new DirectBus();
    const hub = (this.hub = new Hub({
      store: this.store,
      catalog: this.catalog,
      maxBufferedBytes: config.server.maxBufferedBytes,
      metrics: this.metrics,
      log: this.log.child('hub'),
    }));
    this.bus.subscribe((batch) => this.store.putBatch(batch));
    this.bus.subscribe((batch) => hub.deliver(batch));
    await this.bus.start();
    registerExchangeMetrics(this.metrics, () => this.exchanges.supervisors, this.store);

    const app = createApp({
      info: () => ({ mode: config.mode, role: this.role, nodeId: this.nodeId }),
      infraHealth: () => this.infraHealth(),
      store: this.store,
      catalog: this.catalog,
      metrics: this.metrics,
      subscriptions: {
        list: () => this.exchanges.describe(),
        change: (id, change) => this.exchanges.update(id, change),
      },
      adminToken: process.env.GATEWAY_ADMIN_TOKEN,
    });
    this.server = await startServer({
      app,
      hub,
      catalog: this.catalog,
      host: config.server.host,
      port: config.server.port,
      log: this.log.child('http'),
      metrics: this.metrics,
    });
    this.log.info(`serving on http://${config.server.host}:${this.server.port} (mode ${config.mode}, node ${this.nodeId})`);
    // One exchange failing to start never stops the others: it is logged and shown in health.
    await Promise.all(resolved.map((r) => this.exchanges.start(r.plugin, r.config, r.ex)));
  }

  /**
   * Applies a re-read config file (SIGHUP): exchanges and their subscriptions change live; other sections need a
   * restart and are reported as such.
   */
  async reload(next: Config): Promise<void> {
    for (const key of ['mode', 'nodeId', 'server', 'orderbook', 'log', 'cluster', 'kafka', 'redis'] as const) {
      if (JSON.stringify(next[key]) !== JSON.stringify(this.config[key])) {
        this.log.warn(`config reload: "${key}" changed; it takes effect after a restart`);
      }
    }
    await this.exchanges.reload(next);
    this.config = { ...this.config, exchanges: next.exchanges };
    this.log.info('config reloaded');
  }

  infraHealth(): Record<string, unknown> {
    const { config } = this;
    return {
      nodeId: this.nodeId,
      mode: config.mode,
      role: this.role,
      exchanges: Object.fromEntries(this.exchanges.supervisors.map((s) => [s.id, exchangeHealth(s)])),
      bus: this.bus?.health() ?? { kind: 'none', healthy: false },
      kafka: { enabled: config.kafka.enabled, healthy: !config.kafka.enabled },
      zookeeper: { enabled: config.mode === 'cluster', healthy: config.mode !== 'cluster' },
      redis: { enabled: config.redis.enabled, healthy: !config.redis.enabled },
      clients: this.hub?.size ?? 0,
    };
  }

  /** Closes workers (exchange sockets first), then clients, server and bus, under one deadline. Idempotent. */
  close(deadlineMs = 5000): Promise<void> {
    this.closing ??= (async () => {
      const deadline = Date.now() + deadlineMs;
      const left = () => Math.max(100, deadline - Date.now());
      await this.exchanges.close(left());
      this.hub?.close();
      await Promise.race([this.server?.close(), new Promise((r) => setTimeout(r, left()))]);
      await this.bus?.close();
      this.log.info('closed');
    })();
    return this.closing;
  }
}
