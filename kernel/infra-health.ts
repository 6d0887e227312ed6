// The `infra` part of GET /health: each exchange's connections and status, the bus, ZooKeeper, Redis, clients,
// subscriptions, private streams and the derived stage, read from the kernel's parts at request time.

import type { Bus } from './bus/bus.ts';
import type { LeaderElection } from './cluster/election.ts';
import type { SubscriptionSync } from './cluster/subscription-sync.ts';
import type { Config } from './config.ts';
import type { DerivedService } from './derived/service.ts';
import type { ExchangeSet } from './exchanges.ts';
import { exchangeHealth } from './health.ts';
import type { NodeStream } from './node-stream.ts';
import type { PrivateStreams } from './private/streams.ts';
import type { RedisLatest } from './store/redis-latest.ts';

export interface InfraParts {
  config: Config;
  nodeId: string;
  role: 'standalone' | 'leader' | 'follower';
  exchanges: ExchangeSet;
  stream: NodeStream;
  bus: Bus | undefined;
  election: LeaderElection | undefined;
  latest: RedisLatest | undefined;
  subs: SubscriptionSync | undefined;
  privateStreams: PrivateStreams;
  derived: DerivedService | undefined;
  clients: number;
}

/** Redis answers for what this node uses it for: latest values, and the bus where Redis is the bus */
export function redisHealthy(latest: RedisLatest | undefined, bus: Bus | undefined): boolean {
  return latest?.health().healthy !== false && (bus?.kind !== 'redis' || bus.health().healthy === true);
}

export function infraHealth(p: InfraParts): Record<string, unknown> {
  const { config, bus, election } = p;
  return {
    nodeId: p.nodeId,
    mode: config.mode,
    role: p.role,
    exchanges: Object.fromEntries(
      p.exchanges.ids.map((id) => {
        const sup = p.exchanges.supervisors.find((s) => s.id === id);
        // a follower holds no exchange connection: the leader does
        const told = p.stream.view.status(id);
        const status = { state: told.state, since: told.since, ...(told.reason ? { reason: told.reason } : {}) };
        return [id, { ...(sup ? exchangeHealth(sup) : { active: false, connected: false, healthy: p.role === 'follower', worker: 'inactive' }), status }];
      }),
    ),
    bus: bus?.health() ?? { kind: 'none', healthy: false },
    kafka: bus?.kind === 'kafka' ? bus.health() : { enabled: false, healthy: true },
    zookeeper: election
      ? {
          enabled: true,
          healthy: election.state === 'leader' || election.state === 'follower',
          state: election.state,
          connectString: config.cluster.zookeeper,
          sessionTimeoutMs: config.cluster.sessionTimeoutMs,
          leaderId: election.leaderId ?? null,
          candidate: election.candidate ?? null,
        }
      : { enabled: false, healthy: true },
    redis: config.redis.enabled
      ? { enabled: true, latest: p.latest?.health(), ...(bus?.kind === 'redis' ? { bus: bus.health() } : {}), healthy: redisHealthy(p.latest, bus) }
      : { enabled: false, healthy: true },
    clients: p.clients,
    ...(p.subs ? { subscriptions: p.subs.health() } : {}),
    private: p.privateStreams.health(() => p.exchanges.supervisors),
    derived: p.derived?.health() ?? { enabled: false },
  };
}
