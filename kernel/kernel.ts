// The kernel: wires config, exchanges (plugins in workers), bus, snapshot store, hub and HTTP server;
// closes them in reverse order under one deadline.

import { hostname } from 'node:os';
import type { Bus } from './bus/bus.ts';
import { DirectBus } from './bus/direct.ts';
import { KafkaBus } from './bus/kafka.ts';
import { LeaderElection } from './cluster/election.ts';
import { SubscriptionSync } from './cluster/subscription-sync.ts';
import { RedisBus } from './bus/redis.ts';
import { registerBusMetrics } from './bus/bus-metrics.ts';
import { RedisLatest } from './store/redis-latest.ts';
import { filterBatch } from '../boundary/batch.ts';
import type { Config } from './config.ts';
import { GatewayError } from '../sdk/errors.ts';
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
import { SnapshotStore } from './store/snapshot-store.ts';
import { planDerived } from './derived/plan.ts';
import { DerivedService } from './derived/service.ts';
import type { RecordBatch } from '../boundary/batch.ts';
import { recordOptions } from './recording/options.ts';
import { registerRecordingMetrics } from './recording/metrics.ts';

/**
 * Where records come from instead of exchange workers (replay/serve.ts): started once the server listens, closed
 * first. It publishes batches as a worker's would reach the kernel, and may wait on clients' backlog.
 */
export interface RecordSource {
  start(sink: { publish(exchange: string, batch: RecordBatch): void; backlogBytes(): number; clients(): number; catalog: Catalog }): Promise<void>;
  close(): Promise<void>;
}
import { NodeStream } from './node-stream.ts';
import { PrivateStreams } from './private/streams.ts';
import { Security } from './security/security.ts';
import { StageLatency } from './latency.ts';
import { WsGate } from './security/ws-gate.ts';

export interface KernelOptions {
  config: Config;
  log?: Logger;
  /** where plugins live (tests use their own) */
  pluginsDir?: string;
  /** how often workers report connection figures */
  statsIntervalMs?: number;
  /** a replay instead of exchange workers (the configured exchanges are registered, never connected) */
  source?: RecordSource;
  /** cluster mode: remove the stored live subscription set at start (`--reset-subscriptions`) */
  resetSubscriptions?: boolean;
}

export class Kernel {
  readonly metrics = new Metrics();
  readonly store = new SnapshotStore();
  readonly catalog = new Catalog();
  readonly nodeId: string;
  readonly log: Logger;
  readonly exchanges: ExchangeSet;
  /** per-account private streams: never on the public bus, store or snapshot (core/private/) */
  readonly privateStreams: PrivateStreams;
  private config: Config;
  private bus: Bus | undefined;
  private hub: Hub | undefined;
  private server: ServerHandle | undefined;
  private closing: Promise<void> | undefined;
  private election: LeaderElection | undefined;
  private latest: RedisLatest | undefined;
  /** premium, candles, their history (kernel/derived/); undefined when not configured */
  private derived: DerivedService | undefined;
  /** history, status and resync around the bus stream */
  readonly stream: NodeStream;
  /** cluster mode: the live subscription set kept in ZooKeeper */
  private subs: SubscriptionSync | undefined;
  private readonly resetSubscriptions: boolean;
  /** resolves when the last leadership transition has finished */
  private roleChanges: () => Promise<void> = async () => {};
  private readonly source: RecordSource | undefined;

  constructor(opts: KernelOptions) {
    this.config = opts.config;
    this.log = opts.log ?? createLogger(opts.config.log.level);
    this.nodeId = opts.config.nodeId ?? `${hostname()}-${process.pid}`;
    this.source = opts.source;
    this.resetSubscriptions = opts.resetSubscriptions ?? false;
    const records = this.metrics.counter('gateway_records_total', 'Records received from exchange workers, by exchange');
    const priv = (this.privateStreams = new PrivateStreams({ config: opts.config, nodeId: this.nodeId, log: this.log, metrics: this.metrics, hub: () => this.hub }));
    this.exchanges = new ExchangeSet({
      record: opts.source ? undefined : recordOptions(opts.config),
      pluginsDir: opts.pluginsDir,
      statsIntervalMs: opts.statsIntervalMs ?? 1000,
      depth: opts.config.orderbook.depth,
      catalog: this.catalog,
      store: this.store,
      log: this.log,
      onBatch: (exchange, batch) => this.ingest(exchange, batch),
      onInvalidate: (exchange, keys) => this.stream.invalidated(exchange, keys),
      onStats: (exchange) => this.stream.source.evaluate(exchange),
      onCrash: (exchange) => this.stream.crashed(exchange),
      privateAccounts: (exchange) => priv.accounts.forExchange(exchange),
      onPrivate: (_exchange, batch) => priv.publish(batch),
      // `symbols: all` / `{quote}`: the market list is applied like a live change (cluster: through the shared set)
      onMarkets: (exchange, symbols) =>
        void Promise.resolve()
          .then(() => (this.subs ? this.subs.change(exchange, { symbols }) : this.exchanges.update(exchange, { symbols })))
          .catch((err) => this.log.warn(`market list of ${exchange} not applied: ${(err as Error).message}`)),
    });
    this.stream = new NodeStream({
      config: opts.config,
      exchanges: this.exchanges,
      store: this.store,
      metrics: this.metrics,
      log: this.log,
      bus: () => this.bus,
      hub: () => this.hub,
      election: () => this.election,
      role: () => this.role,
    });
    this.ingest = (exchange, batch) => {
      records.inc({ exchange }, batch.keys.length);
      // After a live unsubscribe the old connection still produces until the switch: drop what is no longer served.
      const served = filterBatch(batch, (key) => this.catalog.serves(key));
      if (!served.keys.length) return;
      this.stream.produced(exchange, served.keys);
      this.bus?.publish(served);
      this.latest?.write(served);
      this.derived?.input(served);
    };
  }

  /** a batch from an exchange worker (or the replay source) onto the bus */
  private readonly ingest: (exchange: string, batch: RecordBatch) => void;

  get port(): number {
    return this.server?.port ?? 0;
  }

  get role(): 'standalone' | 'leader' | 'follower' {
    if (this.config.mode === 'standalone') return 'standalone';
    return this.election?.isLeader ? 'leader' : 'follower';
  }

  get supervisors() {
    return this.exchanges.supervisors;
  }

  /** Validates every enabled exchange against its plugin, then starts bus, server and workers. */
  async start(): Promise<void> {
    // the derived stage's plan adds the markets it needs to the subscriptions (a copy: the caller's config stays)
    this.config = structuredClone(this.config);
    const derived = planDerived(this.config);
    if (derived) this.catalog.setDerived(derived.emits);
    const { config } = this;
    // Refuse rather than silently run without what the operator turned on.
    if (config.mode === 'cluster' && !config.kafka.enabled && !config.redis.enabled) {
      throw new GatewayError(
        'CONFIG_INVALID',
        'mode: cluster needs kafka.enabled: true or redis.enabled: true (followers receive records through Kafka or Redis pub/sub)',
      );
    }
    // secrets are read from the environment here, once, before anything starts: a missing one is CONFIG_INVALID
    const security = await Security.create(config, this.metrics);
    const gate = new WsGate(security);
    const enabled = Object.entries(config.exchanges).filter(([, ex]) => ex.enabled);
    const resolved = [];
    for (const [id, ex] of enabled) resolved.push({ ...(await this.exchanges.resolve(id, ex)), ex });
    // registered now (catalog), connected later: at once when standalone, when elected in a cluster
    for (const r of resolved) await this.exchanges.add(r.plugin, r.config, r.ex);

    this.bus = config.kafka.enabled
      ? new KafkaBus({ ...config.kafka, nodeId: this.nodeId, recovery: config.bus, log: this.log.child('kafka') })
      : config.mode === 'cluster'
        ? new RedisBus(config.redis.url, config.redis.channel, this.log.child('redis'), this.nodeId, config.bus)
        : new DirectBus();
    if (config.redis.enabled) {
      this.latest = new RedisLatest(config.redis.url, config.redis.hash, this.log.child('redis'));
      // a restarted node replays the latest values at once, before live data arrives
      for (const [key, bytes] of await this.latest.load()) if (this.catalog.serves(key)) this.store.put(key, bytes);
    }
    const hub = (this.hub = new Hub({
      store: this.store,
      catalog: this.catalog,
      maxBufferedBytes: config.server.maxBufferedBytes,
      metrics: this.metrics,
      log: this.log.child('hub'),
      maxDepth: config.orderbook.depth,
      history: this.stream.history,
      statuses: (exchanges) => this.stream.statuses(exchanges),
      guard: { control: (msg) => gate.guardControl(msg), filter: (f, identity, keys) => gate.guardFilter(f, identity, keys) },
    }));
    if (derived) {
      const service = (this.derived = new DerivedService({
        config,
        setup: derived,
        log: this.log.child('derived'),
        publish: (batch) => {
          this.bus?.publish(batch);
          this.latest?.write(batch);
        },
      }));
      this.bus.subscribe((batch) => service.ingest(batch));
    }
    // latest values, history and hub, in that order; status and resync messages among the records
    this.bus.subscribe((batch) => this.stream.accept(batch));
    // after the hub: the client stage ends after the hub's write of this turn
    const latency = new StageLatency(this.metrics, () => hub.size > 0);
    this.bus.subscribe((batch) => latency.onBus(batch));
    await this.bus.start();
    this.stream.start();
    await this.privateStreams.start((id) => this.exchanges.get(id)?.plugin);
    registerExchangeMetrics(this.metrics, () => this.exchanges.supervisors, this.store);
    if (config.record.enabled && !this.source) registerRecordingMetrics(this.metrics, () => this.exchanges.supervisors);
    registerBusMetrics(this.metrics, this.bus);
    this.privateStreams.registerMetrics(() => this.exchanges.supervisors);
    this.metrics.gauge('gateway_cluster_leader', '1 while this node holds the exchange connections', () => [
      { labels: { node: this.nodeId }, value: this.role === 'follower' ? 0 : 1 },
    ]);
    if (config.redis.enabled) {
      this.metrics.gauge('gateway_redis_healthy', '1 while Redis (latest values, and the bus where it is one) answers', () => [
        { labels: {}, value: this.redisHealthy() ? 1 : 0 },
      ]);
    }
    if (this.bus instanceof KafkaBus) {
      const kafka = this.bus;
      this.metrics.gauge('gateway_kafka_healthy', '1 while the Kafka path works for this node', () => [
        { labels: {}, value: kafka.health().healthy ? 1 : 0 },
      ]);
      this.metrics.gauge('gateway_kafka_consumer_lag', 'Records behind the end of the topic, as of the last fetch', () => [
        { labels: {}, value: kafka.health().consumer.lag },
      ]);
      this.metrics.gauge('gateway_bus_fallback', '1 while the leader serves its own clients directly because Kafka fails', () => [
        { labels: {}, value: kafka.path === 'direct-fallback' ? 1 : 0 },
      ]);
    }

    const app = createApp({
      info: () => ({
        mode: config.mode,
        role: this.role,
        nodeId: this.nodeId,
        ...(this.election ? { leaderId: this.election.leaderId ?? null } : {}),
      }),
      infraHealth: () => this.infraHealth(),
      routes: (app) => this.derived?.routes(app),
      store: this.store,
      catalog: this.catalog,
      metrics: this.metrics,
      subscriptions: {
        list: () => this.exchanges.describe(),
        change: (id, change) => (this.subs ? this.subs.change(id, change) : this.exchanges.update(id, change)),
        reset: () => (this.subs ? this.subs.reset() : this.resetToFile()),
      },
      security,
    });
    this.server = await startServer({
      app,
      hub,
      catalog: this.catalog,
      host: config.server.host,
      port: config.server.port,
      log: this.log.child('http'),
      metrics: this.metrics,
      maxDepth: config.orderbook.depth,
      gate,
    });
    this.log.info(`serving on http://${config.server.host}:${this.server.port} (mode ${config.mode}, node ${this.nodeId})`);
    if (this.source) {
      this.setProducing(true);
      const publish = (exchange: string, batch: RecordBatch) => this.ingest(exchange, batch);
      await this.source.start({ publish, backlogBytes: () => hub.backlogBytes(), clients: () => hub.size, catalog: this.catalog });
    } else if (config.mode === 'standalone') {
      this.setProducing(true);
      // One exchange failing to start never stops the others: it is logged and shown in health.
      await this.exchanges.activate();
    } else {
      const { cluster } = config;
      this.subs = new SubscriptionSync(this.exchanges, { ...cluster, connectString: cluster.zookeeper, nodeId: this.nodeId, log: this.log.child('subscriptions') }, this.log.child('subscriptions'));
      await this.subs.start(this.resetSubscriptions);
      this.startElection();
    }
  }

  /** standalone DELETE /api/subscriptions: every exchange back to the config file's subscriptions */
  private async resetToFile(): Promise<void> {
    for (const id of this.exchanges.ids) {
      const { ex } = this.exchanges.get(id)!;
      this.exchanges.update(id, { symbols: this.exchanges.fileSymbols(id), channels: ex.channels });
    }
  }

  /** Cluster mode: only the elected leader holds exchange connections; losing leadership closes them at once. */
  private startElection(): void {
    const { cluster } = this.config;
    const election = (this.election = new LeaderElection({
      connectString: cluster.zookeeper,
      path: cluster.path,
      sessionTimeoutMs: cluster.sessionTimeoutMs,
      onDisconnect: cluster.onDisconnect,
      nodeId: this.nodeId,
      log: this.log.child('cluster'),
    }));
    // Transitions run one at a time, in order, so a quick elected/revoked/elected never leaves workers behind.
    let chain = Promise.resolve();
    const then = (step: () => Promise<void>) => (chain = chain.then(step).catch((err) => this.log.error(`role change failed: ${(err as Error).message}`)));
    election.on('elected', () =>
      then(async () => {
        if (!election.isLeader) return;
        // connect with the subscriptions the cluster agreed on, not the file's
        await this.subs?.ready(this.config.cluster.sessionTimeoutMs);
        if (!election.isLeader) return;
        this.setProducing(true);
        await this.exchanges.activate();
      }),
    );
    election.on('revoked', () => {
      // fencing: stop producing at once, then close the exchange connections
      this.setProducing(false);
      then(() => this.exchanges.deactivate());
    });
    this.roleChanges = () => chain;
    election.start();
  }

  private setProducing(on: boolean): void {
    if (this.bus && 'producing' in this.bus) this.bus.producing = on;
    this.stream.setProducing(on);
    this.privateStreams.setProducing(on);
    this.derived?.setProducing(on, this.store);
  }

  /** the derived stage thread's counts and busy ms, while it runs on this node */
  derivedStats(): Promise<Record<string, number> | undefined> {
    return this.derived?.stageStats() ?? Promise.resolve(undefined);
  }

  /** the FX source's state for premiums' `pf` (health, status events) */
  fxState(): Record<string, unknown> {
    return { ...(this.derived?.fxState() ?? { enabled: false }) };
  }

  /**
   * Applies a re-read config file (SIGHUP): exchanges and their subscriptions change live; other sections need a
   * restart and are reported as such.
   */
  async reload(next: Config): Promise<void> {
    for (const key of ['mode', 'nodeId', 'server', 'auth', 'limits', 'orderbook', 'log', 'cluster', 'kafka', 'redis', 'bus', 'private', 'derived'] as const) {
      if (JSON.stringify(next[key]) !== JSON.stringify(this.config[key])) {
        this.log.warn(`config reload: "${key}" changed; it takes effect after a restart`);
      }
    }
    next = structuredClone(next);
    planDerived(next);
    await this.exchanges.reload(next);
    this.config = { ...this.config, exchanges: next.exchanges };
    // cluster mode: the stored live set still wins over the file's symbols and channels (docs/operations.md)
    if (this.subs?.shared.stored) {
      this.log.warn('config reload: a stored subscription set exists; it stays in force over the file (DELETE /api/subscriptions to follow the file)');
      this.subs.apply();
    }
    this.log.info('config reloaded');
  }

  infraHealth(): Record<string, unknown> {
    const { config } = this;
    return {
      nodeId: this.nodeId,
      mode: config.mode,
      role: this.role,
      exchanges: Object.fromEntries(
        this.exchanges.ids.map((id) => {
          const sup = this.exchanges.supervisors.find((s) => s.id === id);
          // a follower holds no exchange connection: the leader does
          const told = this.stream.view.status(id);
          const status = { state: told.state, since: told.since, ...(told.reason ? { reason: told.reason } : {}) };
          return [id, { ...(sup ? exchangeHealth(sup) : { active: false, connected: false, healthy: this.role === 'follower', worker: 'inactive' }), status }];
        }),
      ),
      bus: this.bus?.health() ?? { kind: 'none', healthy: false },
      kafka: this.bus instanceof KafkaBus ? this.bus.health() : { enabled: false, healthy: true },
      zookeeper: this.election
        ? {
            enabled: true,
            healthy: this.election.state === 'leader' || this.election.state === 'follower',
            state: this.election.state,
            connectString: config.cluster.zookeeper,
            sessionTimeoutMs: config.cluster.sessionTimeoutMs,
            leaderId: this.election.leaderId ?? null,
            candidate: this.election.candidate ?? null,
          }
        : { enabled: false, healthy: true },
      redis: config.redis.enabled
        ? { enabled: true, latest: this.latest?.health(), ...(this.bus instanceof RedisBus ? { bus: this.bus.health() } : {}), healthy: this.redisHealthy() }
        : { enabled: false, healthy: true },
      clients: this.hub?.size ?? 0,
      ...(this.subs ? { subscriptions: this.subs.health() } : {}),
      private: this.privateStreams.health(() => this.exchanges.supervisors),
      derived: this.derived?.health() ?? { enabled: false },
    };
  }

  private redisHealthy(): boolean {
    const latest = this.latest?.health().healthy !== false;
    return latest && (!(this.bus instanceof RedisBus) || this.bus.health().healthy === true);
  }

  /** Closes workers (exchange sockets first), then clients, server and bus, under one deadline. Idempotent. */
  close(deadlineMs = 5000): Promise<void> {
    this.closing ??= (async () => {
      const deadline = Date.now() + deadlineMs;
      const left = () => Math.max(100, deadline - Date.now());
      // Step down first: removing our candidate node lets a successor take over at once.
      await this.election?.close();
      await this.roleChanges();
      await this.source?.close();
      await this.exchanges.close(left());
      await this.derived?.close();
      this.hub?.close();
      this.stream.close();
      await Promise.race([this.server?.close(), new Promise((r) => setTimeout(r, left()))]);
      await this.bus?.close();
      await this.privateStreams.close();
      await this.latest?.close();
      await this.subs?.close();
      this.log.info('closed');
    })();
    return this.closing;
  }
}
