// Cluster mode: only the elected leader holds exchange connections. Elected: wait for the cluster's agreed
// subscriptions, then produce and connect; revoked: stop producing at once (fencing), then close the connections.

import type { Config } from '../config.ts';
import type { ExchangeSet } from '../exchanges.ts';
import type { Logger } from '../log.ts';
import { LeaderElection } from './election.ts';
import type { SubscriptionSync } from './subscription-sync.ts';

export interface Leadership {
  election: LeaderElection;
  /** resolves when the last role transition has finished */
  settled(): Promise<void>;
}

export function followLeadership(opts: {
  config: Config;
  nodeId: string;
  log: Logger;
  exchanges: ExchangeSet;
  subs: SubscriptionSync | undefined;
  setProducing(on: boolean): void;
}): Leadership {
  const { cluster } = opts.config;
  const election = new LeaderElection({
    connectString: cluster.zookeeper,
    path: cluster.path,
    sessionTimeoutMs: cluster.sessionTimeoutMs,
    onDisconnect: cluster.onDisconnect,
    nodeId: opts.nodeId,
    log: opts.log.child('cluster'),
  });
  // Transitions run one at a time, in order, so a quick elected/revoked/elected never leaves workers behind.
  let chain = Promise.resolve();
  const then = (step: () => Promise<void>) => (chain = chain.then(step).catch((err) => opts.log.error(`role change failed: ${(err as Error).message}`)));
  election.on('elected', () =>
    then(async () => {
      if (!election.isLeader) return;
      // connect with the subscriptions the cluster agreed on, not the file's
      await opts.subs?.ready(cluster.sessionTimeoutMs);
      if (!election.isLeader) return;
      opts.setProducing(true);
      await opts.exchanges.activate();
    }),
  );
  election.on('revoked', () => {
    opts.setProducing(false);
    then(() => opts.exchanges.deactivate());
  });
  election.start();
  return { election, settled: () => chain };
}
