// The kernel's gauges beyond each part's own: exchanges, recording, bus, private streams, leadership and Redis.

import type { Bus } from './bus/bus.ts';
import { registerBusMetrics } from './bus/bus-metrics.ts';
import type { Config } from './config.ts';
import { registerExchangeMetrics } from './exchange-metrics.ts';
import type { ExchangeSet } from './exchanges.ts';
import type { Metrics } from './metrics.ts';
import type { PrivateStreams } from './private/streams.ts';
import { registerRecordingMetrics } from './recording/metrics.ts';
import type { SnapshotStore } from './store/snapshot-store.ts';

export function registerKernelMetrics(p: {
  metrics: Metrics;
  config: Config;
  nodeId: string;
  exchanges: ExchangeSet;
  store: SnapshotStore;
  bus: Bus;
  privateStreams: PrivateStreams;
  /** a replay source feeds the kernel: no recording */
  replaying: boolean;
  role(): 'standalone' | 'leader' | 'follower';
  redisHealthy(): boolean;
}): void {
  const { metrics, exchanges } = p;
  const supervisors = () => exchanges.supervisors;
  registerExchangeMetrics(metrics, supervisors, p.store);
  if (p.config.record.enabled && !p.replaying) registerRecordingMetrics(metrics, supervisors);
  registerBusMetrics(metrics, p.bus);
  p.privateStreams.registerMetrics(supervisors);
  metrics.gauge('gateway_cluster_leader', '1 while this node holds the exchange connections', () => [
    { labels: { node: p.nodeId }, value: p.role() === 'follower' ? 0 : 1 },
  ]);
  if (p.config.redis.enabled) {
    metrics.gauge('gateway_redis_healthy', '1 while Redis (latest values, and the bus where it is one) answers', () => [
      { labels: {}, value: p.redisHealthy() ? 1 : 0 },
    ]);
  }
}
