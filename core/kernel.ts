// The kernel: wires config, plugins, exchange workers, bus, snapshot store, hub and HTTP server; closes in reverse.

import { hostname } from 'node:os';
import type { RecordBatch } from './batch.ts';
import type { Bus } from './bus/bus.ts';
import { DirectBus } from './bus/direct.ts';
import type { Config } from './config.ts';
import { EXCHANGE_KERNEL_KEYS } from './config.ts';
import { createApp } from './fanout/app.ts';
import { Hub } from './fanout/hub.ts';
import { startServer } from './fanout/server.ts';
import type { ServerHandle } from './fanout/server.ts';
import { Catalog } from './filter.ts';
import type { Logger } from './log.ts';
import { createLogger } from './log.ts';
import { Metrics } from './metrics.ts';
import type { PluginConfig } from './plugin.ts';
import { PLUGINS_DIR, checkPluginConfig, loadPlugin } from './registry.ts';
import { SnapshotStore } from './snapshot-store.ts';
import { ExchangeSupervisor } from './supervisor.ts';
import { exchangeHealth } from './health.ts';
import { GatewayError } from './errors.ts';

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
  readonly nodeId: string;
  readonly log: Logger;
  readonly supervisors: ExchangeSupervisor[] = [];
  private bus: Bus | undefined;
  private hub: Hub | undefined;
  private server: ServerHandle | undefined;
  private closing: Promise<void> | undefined;

  constructor(private readonly opts: KernelOptions) {
    this.log = opts.log ?? createLogger(opts.config.log.level);
    this.nodeId = opts.config.nodeId ?? `${hostname()}-${process.pid}`;
  }

  get port(): number {
    return this.server?.port ?? 0;
  }

  get role(): string {
    return this.opts.config.mode === 'standalone' ? 'standalone' : 'leader';
  }

  /** Validates every enabled plugin against its config, then starts bus, server and workers. */
  async start(): Promise<void> {
    const { config } = this.opts;
    // Refuse rather than silently run without what the operator turned on.
    if (config.mode === 'cluster' || config.kafka.enabled || config.redis.enabled) {
      throw new GatewayError(
        'CONFIG_INVALID',
        'mode: cluster, kafka.enabled and redis.enabled are not available in this version yet (standalone only)',
      );
    }
    const pluginConfigs = await this.resolvePlugins();
    const catalog = new Catalog(new Map(pluginConfigs.map((p) => [p.id, { symbols: p.symbols, channels: p.channels }])));

    this.bus = new DirectBus();
    this.hub = new Hub({
      store: this.store,
      catalog,
      maxBufferedBytes: config.server.maxBufferedBytes,
      metrics: this.metrics,
      log: this.log.child('hub'),
    });
    const hub = this.hub;
    this.bus.subscribe((batch) => this.store.putBatch(batch));
    this.bus.subscribe((batch) => hub.deliver(batch));
    await this.bus.start();
    this.registerMetrics();

    const app = createApp({
      info: () => ({ mode: config.mode, role: this.role, nodeId: this.nodeId }),
      infraHealth: () => this.infraHealth(),
      store: this.store,
      catalog,
      metrics: this.metrics,
    });
    this.server = await startServer({
      app,
      hub,
      catalog,
      host: config.server.host,
      port: config.server.port,
      log: this.log.child('http'),
      metrics: this.metrics,
    });
    this.log.info(`serving on http://${config.server.host}:${this.server.port} (mode ${config.mode}, node ${this.nodeId})`);

    const records = this.metrics.counter('gateway_records_total', 'Records received from exchange workers, by exchange');
    const bus = this.bus;
    for (const plugin of pluginConfigs) {
      const ex = config.exchanges[plugin.id]!;
      const sup = new ExchangeSupervisor({
        init: {
          plugin,
          pluginsDir: this.opts.pluginsDir ?? PLUGINS_DIR,
          reconnect: ex.reconnect,
          stallTimeoutMs: ex.stallTimeoutMs,
          maxConnectionAgeMs: ex.maxConnectionAgeMs,
          statsIntervalMs: this.opts.statsIntervalMs ?? 1000,
        },
        log: this.log.child(plugin.id),
        onBatch: (batch: RecordBatch) => {
          records.inc({ exchange: plugin.id }, batch.keys.length);
          bus.publish(batch);
        },
      });
      this.supervisors.push(sup);
    }
    // One exchange failing to start never stops the others: it is logged and shown in health.
    await Promise.allSettled(this.supervisors.map((s) => s.start()));
  }

  /** Loads each enabled exchange's plugin and checks the config against it; throws a coded error naming the key. */
  private async resolvePlugins(): Promise<PluginConfig[]> {
    const { config } = this.opts;
    const out: PluginConfig[] = [];
    for (const [id, ex] of Object.entries(config.exchanges)) {
      if (!ex.enabled) continue;
      const plugin = await loadPlugin(id, this.opts.pluginsDir);
      const options = Object.fromEntries(Object.entries(ex).filter(([k]) => !EXCHANGE_KERNEL_KEYS.has(k)));
      const defaults = plugin.defaultUrls(options);
      const pc: PluginConfig = {
        id,
        url: ex.url ?? defaults.url,
        restUrl: ex.restUrl ?? defaults.restUrl,
        symbols: ex.symbols,
        channels: ex.channels,
        depth: config.orderbook.depth,
        options,
      };
      checkPluginConfig(plugin, pc);
      out.push(pc);
    }
    return out;
  }

  private registerMetrics(): void {
    const m = this.metrics;
    const each = <T>(fn: (sup: ExchangeSupervisor, c: ExchangeSupervisor['connections'][number]) => T) =>
      this.supervisors.flatMap((s) => s.connections.map((c) => fn(s, c)));
    const labels = (s: ExchangeSupervisor, c: { name: string }) => ({ exchange: s.id, connection: c.name });
    m.gauge('gateway_exchange_connected', '1 while the exchange connection is open', () =>
      each((s, c) => ({ labels: labels(s, c), value: c.state === 'open' ? 1 : 0 })),
    );
    m.collectedCounter('gateway_exchange_messages_total', 'Frames received from the exchange', () =>
      each((s, c) => ({ labels: labels(s, c), value: c.messages })),
    );
    m.collectedCounter('gateway_exchange_bytes_total', 'Bytes received from the exchange', () =>
      each((s, c) => ({ labels: labels(s, c), value: c.bytes })),
    );
    m.collectedCounter('gateway_exchange_reconnects_total', 'Reconnects of the exchange connection', () =>
      each((s, c) => ({ labels: labels(s, c), value: c.reconnects })),
    );
    m.collectedCounter('gateway_exchange_errors_total', 'Errors on the exchange connection, by code (BAD_FRAME, EXCHANGE_ERROR, ...)', () =>
      this.supervisors.flatMap((s) =>
        s.connections.flatMap((c) => Object.entries(c.errors).map(([code, value]) => ({ labels: { ...labels(s, c), code }, value }))),
      ),
    );
    m.collectedCounter('gateway_worker_restarts_total', 'Exchange worker restarts after a crash', () =>
      this.supervisors.map((s) => ({ labels: { exchange: s.id }, value: s.restarts })),
    );
    m.gauge('gateway_snapshot_keys', 'Stream keys held in the latest-value store', () => [{ labels: {}, value: this.store.size }]);
  }

  infraHealth(): Record<string, unknown> {
    const { config } = this.opts;
    return {
      nodeId: this.nodeId,
      mode: config.mode,
      role: this.role,
      exchanges: Object.fromEntries(this.supervisors.map((s) => [s.id, exchangeHealth(s)])),
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
      await Promise.all(this.supervisors.map((s) => s.close(left())));
      this.hub?.close();
      await Promise.race([this.server?.close(), new Promise((r) => setTimeout(r, left()))]);
      await this.bus?.close();
      this.log.info('closed');
    })();
    return this.closing;
  }
}
