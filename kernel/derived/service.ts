// Everything derived, as the kernel sees it: the stage (kernel/derived/runner.ts) while this node feeds the bus, the FX source,
// the history built from the derived records on the bus, the HTTP routes and the health figures.

import type { Hono } from 'hono';
import type { RecordBatch } from '../../boundary/batch.ts';
import { recordAt } from '../../boundary/batch.ts';
import { decode } from '../../boundary/codec.ts';
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import { splitStreamKey } from '../../sdk/model.ts';
import type { SnapshotStore } from '../store/snapshot-store.ts';
import { registerDerivedRoutes } from './api.ts';
import type { DerivedConfig } from './config.ts';
import { FxSource } from './fx.ts';
import type { FxState } from './fx.ts';
import type { HistoryBackend } from './history.ts';
import { MemoryHistory } from './history.ts';
import { RedisHistory } from './history-redis.ts';
import { durationMs } from './interval.ts';
import type { DerivedSetup } from './plan.ts';
import type { PremiumPair } from './premium.ts';
import { DerivedRunner } from './runner.ts';
import type { CandleRecord, PremiumRecord } from './types.ts';

export interface DerivedServiceOptions {
  config: Config;
  setup: DerivedSetup;
  log: Logger;
  /** publishes derived batches on the bus (and the latest-value store) */
  publish(batch: RecordBatch): void;
}

export class DerivedService {
  readonly history: HistoryBackend;
  private readonly runner: DerivedRunner;
  private readonly fx: FxSource | undefined;
  private readonly d: DerivedConfig;
  private readonly redis: boolean;
  private producing = false;
  /** premium key → the sample bucket last kept */
  private readonly sampled = new Map<string, number>();
  private readonly types = new Map<string, string>();

  constructor(private readonly opts: DerivedServiceOptions) {
    const { config, setup, log } = opts;
    this.d = config.derived!;
    const retention = { premiumMs: durationMs(this.d.history.premiumRetention)!, candles: this.d.history.candles };
    this.redis = config.redis.enabled;
    this.history = this.redis
      ? new RedisHistory(config.redis.url, this.d.history.redisPrefix, retention, log.child('history'))
      : new MemoryHistory(retention);
    this.runner = new DerivedRunner({ plan: setup.plan, log, thread: this.d.thread, onBatch: (b) => opts.publish(b) });
    if (setup.usesFx) {
      const fx = this.d.fx;
      this.fx = new FxSource({ ...fx, log: log.child('fx') });
      this.fx.onChange((rate) => this.runner.fx(rate));
    }
  }

  get pairs(): PremiumPair[] {
    return (this.opts.setup.plan.computations.find((c) => c.name === 'premium')?.plan.params as { pairs: PremiumPair[] } | undefined)?.pairs ?? [];
  }

  /** this node feeds the bus (standalone, or elected leader): run the stage with a new ep; or stop it */
  setProducing(on: boolean, store: SnapshotStore): void {
    if (on === this.producing) return;
    this.producing = on;
    if (on) {
      this.fx?.start();
      this.runner.start(() => store.select({ exchange: null, symbol: null, type: new Set(['candle']) }).map((e) => e.bytes.slice()));
    } else {
      void this.runner.stop();
      this.fx?.close();
    }
  }

  /** exchange records from this node's workers */
  input(batch: RecordBatch): void {
    this.runner.input(batch);
  }

  /** every batch this node receives from the bus: derived records go to the history */
  ingest(batch: RecordBatch): void {
    // with Redis, the node that produces them writes them once for every node
    if (this.redis && !this.producing) return;
    for (let i = 0; i < batch.keys.length; i++) {
      const key = batch.keys[i]!;
      const ty = this.typeOf(key);
      if (ty === 'premium') {
        const r = decode<PremiumRecord>(recordAt(batch, i));
        const bucket = Math.floor(r.tms / this.d.history.premiumSampleMs);
        if (bucket <= (this.sampled.get(key) ?? -1)) continue;
        this.sampled.set(key, bucket);
        this.history.addPremium(key, r);
      } else if (ty === 'candle') {
        const r = decode<CandleRecord>(recordAt(batch, i));
        if (r.cl) this.history.addCandle(key, r);
      }
    }
  }

  /** a stream key's record type when it is a derived one, '' otherwise (remembered: every bus record asks) */
  private typeOf(key: string): string {
    let ty = this.types.get(key);
    if (ty === undefined) {
      const t = splitStreamKey(key).ty;
      ty = t === 'premium' || t === 'candle' ? t : '';
      // keys come from the subscribed markets, a bounded set; a cleared cache is rebuilt as keys come
      if (this.types.size >= 100_000) this.types.clear();
      this.types.set(key, ty);
    }
    return ty;
  }

  /** the FX source's state (shown in /api/ws/infra-health; status events may show it too) */
  fxState(): FxState | { enabled: false } | { enabled: true; active: false } {
    if (!this.fx) return { enabled: false };
    if (!this.producing) return { enabled: true, active: false };
    return this.fx.state();
  }

  routes(app: Hono): void {
    const candlePlan = this.opts.setup.plan.computations.find((c) => c.name === 'candles')?.plan;
    registerDerivedRoutes(app, {
      pairs: this.pairs,
      intervals: (candlePlan?.params as { intervals: string[] } | undefined)?.intervals ?? [],
      candleExchanges: new Set(candlePlan?.needs.map((n) => n.exchange) ?? []),
      premiumRetentionMs: durationMs(this.d.history.premiumRetention)!,
      history: this.history,
    });
  }

  /** the stage's counts and busy time (benchmarks, diagnostics) */
  stageStats(): Promise<Record<string, number> | undefined> {
    return this.runner.stats();
  }

  health(): Record<string, unknown> {
    return { enabled: true, producing: this.producing, types: this.opts.setup.emits, stage: this.runner.health(), fx: this.fxState(), history: this.history.health() };
  }

  async close(): Promise<void> {
    this.fx?.close();
    await this.runner.close();
    await this.history.close();
  }
}
