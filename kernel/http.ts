// The kernel's HTTP side: the Hono app over the kernel's parts (info, health, the subscriptions API, derived routes),
// served together with the client WebSocket endpoint.

import type { LeaderElection } from './cluster/election.ts';
import type { SubscriptionSync } from './cluster/subscription-sync.ts';
import type { Config } from './config.ts';
import type { DerivedService } from './derived/service.ts';
import type { ExchangeSet } from './exchanges.ts';
import { createApp } from './fanout/app.ts';
import type { Hub } from './fanout/hub.ts';
import { startServer } from './fanout/server.ts';
import type { ServerHandle } from './fanout/server.ts';
import type { Catalog } from './filter.ts';
import type { Logger } from './log.ts';
import type { Metrics } from './metrics.ts';
import type { Security } from './security/security.ts';
import type { WsGate } from './security/ws-gate.ts';
import type { SnapshotStore } from './store/snapshot-store.ts';

export interface HttpParts {
  config: Config;
  nodeId: string;
  log: Logger;
  store: SnapshotStore;
  catalog: Catalog;
  metrics: Metrics;
  exchanges: ExchangeSet;
  hub: Hub;
  security: Security;
  gate: WsGate;
  role(): string;
  infraHealth(): Record<string, unknown>;
  /** read at request time: these appear after the server has started */
  election(): LeaderElection | undefined;
  derived(): DerivedService | undefined;
  subs(): SubscriptionSync | undefined;
}

export async function serveHttp(p: HttpParts): Promise<ServerHandle> {
  const { config, exchanges } = p;
  const app = createApp({
    info: () => {
      const election = p.election();
      return { mode: config.mode, role: p.role(), nodeId: p.nodeId, ...(election ? { leaderId: election.leaderId ?? null } : {}) };
    },
    infraHealth: () => p.infraHealth(),
    routes: (app) => p.derived()?.routes(app),
    store: p.store,
    catalog: p.catalog,
    metrics: p.metrics,
    subscriptions: {
      list: () => exchanges.describe(),
      // in a cluster the change goes through the shared set in ZooKeeper; standalone, straight to the exchange
      change: (id, change) => p.subs()?.change(id, change) ?? exchanges.update(id, change),
      reset: () => p.subs()?.reset() ?? resetToFile(exchanges),
    },
    security: p.security,
  });
  const server = await startServer({
    app,
    hub: p.hub,
    catalog: p.catalog,
    host: config.server.host,
    port: config.server.port,
    log: p.log.child('http'),
    metrics: p.metrics,
    maxDepth: config.orderbook.depth,
    gate: p.gate,
  });
  p.log.info(`serving on http://${config.server.host}:${server.port} (mode ${config.mode}, node ${p.nodeId})`);
  return server;
}

/** standalone DELETE /api/subscriptions: every exchange back to the config file's subscriptions */
async function resetToFile(exchanges: ExchangeSet): Promise<void> {
  for (const id of exchanges.ids) {
    const { ex } = exchanges.get(id)!;
    exchanges.update(id, { symbols: exchanges.fileSymbols(id), channels: ex.channels });
  }
}
