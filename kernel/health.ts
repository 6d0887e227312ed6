// Connection health: message rates and a 0-100 score derived from each connection's reported figures.

import type { ConnectionStats } from '../boundary/worker-protocol.ts';
import type { SerializedError } from '../sdk/errors.ts';

/** heard nothing (data or keep-alive) for this long: not healthy */
const STALE_MS = 60_000;
/** reconnects within this window lower the score */
const RECENT_MS = 10 * 60_000;

interface Trend {
  at: number;
  messages: number;
  errors: number;
  reconnects: number;
  /** messages per second over the last report interval */
  rate: number;
  /** times at which reconnects were seen */
  drops: number[];
}

const sumErrors = (c: ConnectionStats) => Object.values(c.errors).reduce((a, b) => a + b, 0);

/** Follows successive reports of an exchange's connections to derive rates and recent trouble. */
export class ConnectionTracker {
  private readonly trends = new Map<string, Trend>();
  private recentErrors = new Map<string, number>();

  update(connections: ConnectionStats[], now = Date.now()): void {
    for (const c of connections) {
      const t = this.trends.get(c.name);
      if (!t) {
        this.trends.set(c.name, { at: now, messages: c.messages, errors: sumErrors(c), reconnects: c.reconnects, rate: 0, drops: [] });
        continue;
      }
      const dt = (now - t.at) / 1000;
      if (dt > 0) t.rate = Math.max(0, (c.messages - t.messages) / dt);
      for (let i = t.reconnects; i < c.reconnects; i++) t.drops.push(now);
      t.drops = t.drops.filter((d) => now - d < RECENT_MS);
      this.recentErrors.set(c.name, Math.max(0, sumErrors(c) - t.errors));
      Object.assign(t, { at: now, messages: c.messages, errors: sumErrors(c), reconnects: c.reconnects });
    }
  }

  rate(name: string): number {
    return this.trends.get(name)?.rate ?? 0;
  }

  /**
   * 100 = open, heard from recently, no recent reconnects or errors. Minus 40 when silent for a while, 10 per
   * reconnect in the last 10 minutes (at most 40), 20 when the last report interval had errors. 0 when not open.
   */
  score(c: ConnectionStats, now = Date.now()): number {
    if (c.state !== 'open') return 0;
    let score = 100;
    if (!c.lastHeardAt || now - c.lastHeardAt > STALE_MS / 2) score -= 40;
    score -= Math.min(40, 10 * (this.trends.get(c.name)?.drops.length ?? 0));
    if ((this.recentErrors.get(c.name) ?? 0) > 0) score -= 20;
    return Math.max(0, score);
  }
}

/** What the health of one exchange is read from: its supervisor (kernel/supervisor.ts) has this shape. */
export interface SupervisedExchange {
  readonly state: string;
  readonly restarts: number;
  readonly lastError: SerializedError | undefined;
  readonly connections: ConnectionStats[];
  readonly tracker: ConnectionTracker;
}

export function exchangeHealth(s: SupervisedExchange, now = Date.now()): Record<string, unknown> {
  const conns = s.connections.map((c) => ({
    ...c,
    uptimeMs: c.state === 'open' ? now - c.connectedAt : 0,
    lastMessageAgeMs: c.lastMessageAt ? now - c.lastMessageAt : null,
    messagesPerSecond: Math.round(s.tracker.rate(c.name) * 10) / 10,
    score: s.tracker.score(c, now),
  }));
  const connected = conns.length > 0 && conns.every((c) => c.state === 'open');
  const healthy = s.state === 'running' && connected && conns.every((c) => c.lastHeardAt > 0 && now - c.lastHeardAt < STALE_MS);
  return {
    connected,
    healthy,
    score: conns.length ? Math.min(...conns.map((c) => c.score)) : 0,
    worker: s.state,
    restarts: s.restarts,
    ...(s.lastError ? { lastError: { code: s.lastError.code, message: s.lastError.message } } : {}),
    connections: conns,
  };
}
