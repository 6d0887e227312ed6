// A feed's connection figures (ConnectionStats): the totals of its finished links plus the live ones' counts.

import type { ConnectionPlan } from '../sdk/plugin.ts';
import type { ConnectionStats } from '../boundary/worker-protocol.ts';
import type { Link } from './link.ts';

export function initialStats(plan: ConnectionPlan): ConnectionStats {
  return {
    name: plan.name,
    url: plan.url,
    state: 'closed',
    ep: 0,
    connectedAt: 0,
    lastMessageAt: 0,
    lastHeardAt: 0,
    messages: 0,
    bytes: 0,
    records: 0,
    reconnects: 0,
    rollovers: 0,
    duplicates: 0,
    errors: {},
    subscriptions: plan.subscribe.length,
  };
}

/** folds a finished link's traffic into the totals */
export function retire(stats: ConnectionStats, link: Link): void {
  stats.lastMessageAt = Math.max(stats.lastMessageAt, link.lastMessageAt);
  stats.lastHeardAt = Math.max(stats.lastHeardAt, link.lastHeardAt);
  stats.messages += link.messages;
  stats.bytes += link.bytes;
  link.messages = 0;
  link.bytes = 0;
}

/** the figures to report now: the totals with the live links' traffic added */
export function withLive(stats: ConnectionStats, live: Link[]): ConnectionStats {
  return {
    ...stats,
    errors: { ...stats.errors },
    messages: stats.messages + live.reduce((s, l) => s + l.messages, 0),
    bytes: stats.bytes + live.reduce((s, l) => s + l.bytes, 0),
    lastMessageAt: Math.max(stats.lastMessageAt, ...live.map((l) => l.lastMessageAt)),
    lastHeardAt: Math.max(stats.lastHeardAt, ...live.map((l) => l.lastHeardAt)),
  };
}
