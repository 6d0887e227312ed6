// SIGHUP: a re-read config file applied to a running kernel. Exchanges and their subscriptions change live; every
// other section is reported as needing a restart.

import type { SubscriptionSync } from './cluster/subscription-sync.ts';
import type { Config } from './config.ts';
import { planDerived } from './derived/plan.ts';
import type { ExchangeSet } from './exchanges.ts';
import type { Logger } from './log.ts';

const RESTART_ONLY = ['mode', 'nodeId', 'server', 'auth', 'limits', 'orderbook', 'log', 'cluster', 'kafka', 'redis', 'bus', 'private', 'derived'] as const;

/** applies `next` and returns the config now in force (the running one with the new exchanges) */
export async function reloadConfig(p: { config: Config; next: Config; log: Logger; exchanges: ExchangeSet; subs: SubscriptionSync | undefined }): Promise<Config> {
  const { config, log, subs } = p;
  for (const key of RESTART_ONLY) {
    if (JSON.stringify(p.next[key]) !== JSON.stringify(config[key])) log.warn(`config reload: "${key}" changed; it takes effect after a restart`);
  }
  // the derived stage's markets join the subscriptions, as at start
  const next = structuredClone(p.next);
  planDerived(next);
  await p.exchanges.reload(next);
  // cluster mode: the stored live set still wins over the file's symbols and channels (docs/operations.md)
  if (subs?.shared.stored) {
    log.warn('config reload: a stored subscription set exists; it stays in force over the file (DELETE /api/subscriptions to follow the file)');
    subs.apply();
  }
  log.info('config reloaded');
  return { ...config, exchanges: next.exchanges };
}
