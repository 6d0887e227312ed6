// Derives an exchange's health summary from its worker's connection figures.

import type { ExchangeSupervisor } from './supervisor.ts';

/** A connection is healthy when open and it heard from the exchange (data or keep-alive) recently. */
const STALE_MS = 60_000;

export function exchangeHealth(s: ExchangeSupervisor, now = Date.now()): Record<string, unknown> {
  const conns = s.connections.map((c) => ({
    ...c,
    uptimeMs: c.state === 'open' ? now - c.connectedAt : 0,
    lastMessageAgeMs: c.lastMessageAt ? now - c.lastMessageAt : null,
  }));
  const connected = conns.length > 0 && conns.every((c) => c.state === 'open');
  const healthy =
    s.state === 'running' && connected && conns.every((c) => c.lastHeardAt > 0 && now - c.lastHeardAt < STALE_MS);
  return {
    connected,
    healthy,
    worker: s.state,
    restarts: s.restarts,
    ...(s.lastError ? { lastError: { code: s.lastError.code, message: s.lastError.message } } : {}),
    connections: conns,
  };
}
