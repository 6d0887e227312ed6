// The one worker entry: load a plugin, keep its connections alive, map and encode records, post batches to main.

import { parentPort, workerData } from 'node:worker_threads';
import { BatchBuilder } from '../boundary/batch.ts';
import { serializeError } from '../sdk/errors.ts';
import type { ExchangePlugin, PluginConfig } from '../sdk/plugin.ts';
import { checkPluginConfig, loadPlugin } from '../plugins/registry.ts';
import type { FromWorker, ToWorker, WorkerInit } from '../boundary/worker-protocol.ts';
import { limitWindowMs } from './pushback.ts';
import { Feed } from './feed.ts';
import { MarketWatcher } from './markets.ts';
import type { FeedOptions } from './feed.ts';
import { PrivateFeeds } from './private-feeds.ts';
import { lowerThisThread } from './priority.ts';
import { RateLimiter } from './rate-limiter.ts';
import { RecordClient } from './recorder/client.ts';

const port = parentPort;
if (!port) throw new Error('worker/exchange.ts runs only as a worker thread');
const init = workerData as WorkerInit;
const post = (msg: FromWorker, transfer?: ArrayBuffer[]) => port.postMessage(msg, transfer ?? []);

/** how much earlier than the exchange's own limit a connection is rolled over */
const AGE_MARGIN_MS = 30 * 60_000;

const builder = new BatchBuilder();
let flushScheduled = false;

/** Records of one event-loop turn travel together: one postMessage, one transferred buffer. */
function schedule(): void {
  if (!flushScheduled) {
    flushScheduled = true;
    setImmediate(flush);
  }
}

function flush(): void {
  flushScheduled = false;
  if (builder.length === 0) return;
  const batch = builder.take();
  post({ t: 'batch', batch }, [batch.buf.buffer as ArrayBuffer]);
}

const log = (level: 'debug' | 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) =>
  post({ t: 'log', level, msg, fields });

// before any connection: this thread yields to the main thread's fan-out when the cores are full
const notNiced = lowerThisThread(init.nice ?? 0);
if (notNiced) log('warn', notNiced);

const feeds = new Map<string, Feed>();
/** raw frames and REST answers to disk, when `record.enabled` (docs/replay.md) */
const recorder = init.record ? new RecordClient(init.record, init.plugin.id, init.plugin, (level, msg) => log(level, msg)) : undefined;
const reportStats = () =>
  post({
    t: 'stats',
    connections: [...feeds.values()].map((f) => f.snapshot()),
    ...(init.private?.length ? { private: privateFeeds.stats() } : {}),
    ...(recorder ? { recording: { ...recorder.stats } } : {}),
    heapUsed: process.memoryUsage().heapUsed,
  });
const privateFeeds = new PrivateFeeds(post, log, () => reportStats());

function feedOptions(plugin: ExchangePlugin): FeedOptions {
  const limits = plugin.limits ?? {};
  const windows = [];
  if (limits.connectsPerSecond) windows.push({ count: limits.connectsPerSecond, windowMs: 1000 });
  if (limits.connectsPerWindow) windows.push(limits.connectsPerWindow);
  const publishedAge = limits.maxConnectionAgeMs ? Math.max(60_000, limits.maxConnectionAgeMs - AGE_MARGIN_MS) : 0;
  return {
    exchange: init.plugin.id,
    depth: init.plugin.depth,
    reconnect: init.reconnect,
    stallTimeoutMs: init.stallTimeoutMs,
    maxConnectionAgeMs: init.maxConnectionAgeMs || publishedAge,
    sendsPerSecond: limits.sendsPerSecond,
    connectLimit: new RateLimiter(windows),
    pushbackWindowMs: limitWindowMs(plugin.limits, init.reconnect.maxDelayMs),
    requestLimit: limits.requestsPerMinute ? new RateLimiter([{ count: limits.requestsPerMinute, windowMs: 60_000 }]) : undefined,
    tap: recorder,
  };
}

/** Applies a configuration: new plans start, changed plans roll over (make-before-break), dropped plans close. */
function apply(plugin: ExchangePlugin, config: PluginConfig, options: FeedOptions): void {
  // a whole-universe selection before its first market list (or one that selects nothing): no connection
  const plans = config.symbols.length === 0 ? [] : plugin.connections(config);
  const names = new Set(plans.map((p) => p.name));
  for (const [name, feed] of feeds) {
    if (!names.has(name)) {
      feeds.delete(name);
      void feed.close();
    }
  }
  for (const plan of plans) {
    const feed = feeds.get(plan.name);
    if (!feed) {
      const f = new Feed(plan, options, {
        record(key, record) {
          // encoded straight into the turn's batch buffer (no intermediate copy)
          builder.addRecord(key, record);
          schedule();
        },
        log,
        changed: reportStats,
        invalidate(keys) {
          // records of this turn from before the invalidation go first
          flush();
          post({ t: 'invalidate', keys });
        },
      });
      feeds.set(plan.name, f);
      f.start();
    } else if (feed.planKey !== JSON.stringify([plan.url, plan.subscribe])) {
      feed.rollover('subscription change', plan);
    }
  }
  reportStats();
}

let watcher: MarketWatcher | undefined;

/**
 * `symbols: all` / `{quote}`: the market list decides. The worker subscribes to a new list at once and reports it; the
 * kernel applies it as a subscription change (in cluster mode through the shared set), which comes back as `update`.
 */
function watchMarkets(plugin: ExchangePlugin, options: FeedOptions): void {
  const { select, refreshMs } = init.markets!;
  if (!plugin.markets) {
    log('error', `exchanges.${plugin.id}.symbols: the plugin cannot list markets; give a list of symbols`);
    return;
  }
  watcher = new MarketWatcher(plugin.markets, init.plugin, select, refreshMs, {
    changed(change) {
      flush(); // listing records follow the records from before the change
      post({ t: 'markets', ...change });
      current = { ...current, symbols: change.symbols };
      apply(plugin, current, options);
    },
    record(key, record) {
      builder.addRecord(key, record);
      schedule();
    },
    log: (level, msg) => log(level, msg),
  });
  watcher.start();
}

/** the configuration in force (the kernel's last `update`, or the market list's) */
let current: PluginConfig = init.plugin;

async function main(): Promise<void> {
  const plugin = await loadPlugin(init.plugin.id, init.pluginsDir);
  checkPluginConfig(plugin, init.plugin);
  const options = feedOptions(plugin);
  recorder?.start();
  const statsTimer = setInterval(reportStats, init.statsIntervalMs);
  port!.on('message', async (msg: ToWorker) => {
    if (msg.t === 'update') {
      try {
        checkPluginConfig(plugin, msg.plugin);
        recorder?.setConfig(msg.plugin);
        current = msg.plugin;
        apply(plugin, msg.plugin, options);
        log('info', `subscriptions updated: ${msg.plugin.symbols.join(', ')} × ${msg.plugin.channels.join(', ')}`);
      } catch (err) {
        log('error', `subscription update refused: ${(err as Error).message}`);
      }
      return;
    }
    clearInterval(statsTimer);
    watcher?.close();
    await Promise.all([...[...feeds.values()].map((f) => f.close()), privateFeeds.close()]);
    await recorder?.close();
    flush();
    reportStats();
    // The main thread terminates the thread on `closed` (parentPort.close() does not exist under Deno).
    post({ t: 'closed' });
  });
  post({ t: 'ready' });
  apply(plugin, init.plugin, options);
  if (init.markets) watchMarkets(plugin, options);
  if (init.private?.length) privateFeeds.start(plugin, init.plugin, init.private, options);
}

main().catch((err) => {
  post({ t: 'fatal', error: serializeError(err) });
});
