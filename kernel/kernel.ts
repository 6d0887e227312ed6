// The kernel: wires config, exchanges (plugins in workers), bus, snapshot store, hub and HTTP server;
// closes them in reverse order under one deadline.

import { hostname } from 'node:os';
import { filterBatch } from '../boundary/batch.ts';
import type { RecordBatch } from '../boundary/batch.ts';
import type { Bus } from './bus/bus.ts';
import { checkBusConfig, createBus } from './bus/create.ts';
import type { LeaderElection } from './cluster/election.ts';
import { followLeadership } from './cluster/leadership.ts';
import { SubscriptionSync } from './cluster/subscription-sync.ts';
import type { Config } from './config.ts';
import { planDerived } from './derived/plan.ts';
import type { DerivedSetup } from './derived/plan.ts';
import { DerivedService } from './derived/service.ts';
import { ExchangeSet } from './exchanges.ts';
import { Hub } from './fanout/hub.ts';
import type { ServerHandle } from './fanout/server.ts';
import { Catalog } from './filter.ts';
import { serveHttp } from './http.ts';
import { infraHealth, redisHealthy } from './infra-health.ts';
import { registerKernelMetrics } from './kernel-metrics.ts';
import { StageLatency } from './latency.ts';
import type { Logger } from './log.ts';
import { createLogger } from './log.ts';
import { Metrics } from './metrics.ts';
import { NodeStream } from './node-stream.ts';
import { PrivateStreams } from './private/streams.ts';
import type { RecordSource } from './record-source.ts';
import { recordOptions } from './recording/options.ts';
import { Security } from './security/security.ts';
import { WsGate } from './security/ws-gate.ts';
import { reloadConfig } from './reload.ts';
import { RedisLatest } from './store/redis-latest.ts';
import { SnapshotStore } from './store/snapshot-store.ts';

export type { RecordSource, RecordSink } from './record-source.ts';

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
  /** per-account private streams: never on the public bus, store or snapshot (kernel/private/) */
  readonly privateStreams: PrivateStreams;
  private config: Config;
  private bus?: Bus;
  private hub?: Hub;
  private server?: ServerHandle;
  private closing?: Promise<void>;
  private election?: LeaderElection;
  private latest?: RedisLatest;
  /** premium, candles, their history (kernel/derived/); undefined when not configured */
  private derived: DerivedService | undefined;
  readonly stream: NodeStream; // history, status and resync around the bus stream
  /** cluster mode: the live subscription set kept in ZooKeeper; `--reset-subscriptions` removes it at start */
  private subs?: SubscriptionSync;
  private readonly resetSubscriptions: boolean;
  private roleChanges: () => Promise<void> = async () => {}; // resolves when the last role change has finished
  private readonly source?: RecordSource;

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
      ...{ depth: opts.config.orderbook.depth, catalog: this.catalog, store: this.store, log: this.log },
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
    const later = { bus: () => this.bus, hub: () => this.hub, election: () => this.election, role: () => this.role };
    this.stream = new NodeStream({ ...this.parts, ...later });
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

  /** what most of the kernel's parts are built from */
  private get parts() {
    const { config, nodeId, log, store, catalog, metrics, exchanges, privateStreams } = this;
    return { config, nodeId, log, store, catalog, metrics, exchanges, privateStreams };
  }

  get supervisors() {
    return this.exchanges.supervisors;
  }

  /** Validates every enabled exchange against its plugin, then starts bus, server and workers: these steps, in order. */
  async start(): Promise<void> {
    const derived = this.planDerivedStage();
    checkBusConfig(this.config);
    // secrets are read from the environment here, once, before anything starts: a missing one is CONFIG_INVALID
    const security = await Security.create(this.config, this.metrics);
    const gate = new WsGate(security);
    await this.registerExchanges();
    const bus = (this.bus = createBus(this.config, { nodeId: this.nodeId, log: this.log }));
    await this.restoreLatest();
    const hub = (this.hub = this.createHub(gate));
    if (derived) this.startDerived(derived);
    this.subscribeToBus(bus, hub);
    await bus.start();
    this.stream.start();
    await this.privateStreams.start((id) => this.exchanges.get(id)?.plugin);
    this.registerMetrics(bus);
    this.server = await this.serve(hub, security, gate);
    await this.produce(hub);
  }

  /** the derived stage's plan adds the markets it needs to the subscriptions (on a copy: the caller's config stays) */
  private planDerivedStage(): DerivedSetup | undefined {
    this.config = structuredClone(this.config);
    const derived = planDerived(this.config);
    if (derived) this.catalog.setDerived(derived.emits);
    return derived;
  }

  /** every enabled exchange checked against its plugin, then registered (catalog); connected later (produce()) */
  private async registerExchanges(): Promise<void> {
    const enabled = Object.entries(this.config.exchanges).filter(([, ex]) => ex.enabled);
    const resolved = [];
    for (const [id, ex] of enabled) resolved.push({ ...(await this.exchanges.resolve(id, ex)), ex });
    for (const r of resolved) await this.exchanges.add(r.plugin, r.config, r.ex);
  }

  /** a restarted node serves the latest values from Redis at once, before live data arrives */
  private async restoreLatest(): Promise<void> {
    const { redis } = this.config;
    if (!redis.enabled) return;
    this.latest = new RedisLatest(redis.url, redis.hash, this.log.child('redis'));
    for (const [key, bytes] of await this.latest.load()) if (this.catalog.serves(key)) this.store.put(key, bytes);
  }

  private createHub(gate: WsGate): Hub {
    const { config, store, catalog, metrics, stream } = this;
    return new Hub({
      ...{ store, catalog, metrics, history: stream.history, log: this.log.child('hub') },
      maxBufferedBytes: config.server.maxBufferedBytes,
      maxDepth: config.orderbook.depth,
      statuses: (exchanges) => stream.statuses(exchanges),
      guard: { control: (msg) => gate.guardControl(msg), filter: (f, identity, keys) => gate.guardFilter(f, identity, keys) },
    });
  }

  /** premiums and candles: computed from the bus's records, published back onto it like exchange records */
  private startDerived(setup: DerivedSetup): void {
    this.derived = new DerivedService({
      config: this.config,
      setup,
      log: this.log.child('derived'),
      publish: (batch) => {
        this.bus?.publish(batch);
        this.latest?.write(batch);
      },
    });
  }

  /** the bus's readers, in order: the derived stage; latest values, history and hub; then the latency stages */
  private subscribeToBus(bus: Bus, hub: Hub): void {
    const derived = this.derived;
    if (derived) bus.subscribe((batch) => derived.ingest(batch));
    // status and resync messages travel among the records
    bus.subscribe((batch) => this.stream.accept(batch));
    // after the hub: the client stage ends after the hub's write of this turn
    const latency = new StageLatency(this.metrics, () => hub.size > 0);
    bus.subscribe((batch) => latency.onBus(batch));
  }

  private registerMetrics(bus: Bus): void {
    const redis = () => redisHealthy(this.latest, this.bus);
    registerKernelMetrics({ ...this.parts, bus, replaying: this.source !== undefined, role: () => this.role, redisHealthy: redis });
  }

  /** the HTTP app (API, health, metrics, monitor) and the client WebSocket endpoint */
  private serve(hub: Hub, security: Security, gate: WsGate): Promise<ServerHandle> {
    const later = { election: () => this.election, derived: () => this.derived, subs: () => this.subs };
    return serveHttp({ ...this.parts, ...later, hub, security, gate, role: () => this.role, infraHealth: () => this.infraHealth() });
  }

  /**
   * Records start flowing: from the replay source; from every exchange at once when standalone (one failing to start
   * never stops the others: it is logged and shown in health); in a cluster, once this node is elected.
   */
  private async produce(hub: Hub): Promise<void> {
    if (this.source) {
      this.setProducing(true);
      const publish = (exchange: string, batch: RecordBatch) => this.ingest(exchange, batch);
      await this.source.start({ publish, backlogBytes: () => hub.backlogBytes(), clients: () => hub.size, catalog: this.catalog });
    } else if (this.config.mode === 'standalone') {
      this.setProducing(true);
      await this.exchanges.activate();
    } else {
      const { cluster } = this.config;
      const log = this.log.child('subscriptions');
      this.subs = new SubscriptionSync(this.exchanges, { ...cluster, connectString: cluster.zookeeper, nodeId: this.nodeId, log }, log);
      await this.subs.start(this.resetSubscriptions);
      const leadership = followLeadership({ ...this.parts, subs: this.subs, setProducing: (on) => this.setProducing(on) });
      this.election = leadership.election;
      this.roleChanges = leadership.settled;
    }
  }

  private setProducing(on: boolean): void {
    if (this.bus && 'producing' in this.bus) this.bus.producing = on;
    this.stream.setProducing(on);
    this.privateStreams.setProducing(on);
    this.derived?.setProducing(on, this.store);
  }

  /** the derived stage's counts and busy ms, while it runs on this node */
  derivedStats = (): Promise<Record<string, number> | undefined> => this.derived?.stageStats() ?? Promise.resolve(undefined);
  /** the FX source's state for premiums' `pf` (health, status events) */
  fxState = (): Record<string, unknown> => ({ ...(this.derived?.fxState() ?? { enabled: false }) });

  /**
   * Applies a re-read config file (SIGHUP): exchanges and their subscriptions change live; other sections need a
   * restart and are reported as such.
   */
  async reload(next: Config): Promise<void> {
    this.config = await reloadConfig({ ...this.parts, next, subs: this.subs });
  }

  infraHealth(): Record<string, unknown> {
    const { stream, bus, election, latest, subs, derived, role } = this;
    return infraHealth({ ...this.parts, stream, bus, election, latest, subs, derived, role, clients: this.hub?.size ?? 0 });
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
