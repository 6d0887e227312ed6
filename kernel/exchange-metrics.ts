// Prometheus figures read from the exchange workers' connection reports at scrape time.

import type { Metrics } from './metrics.ts';
import type { SnapshotStore } from './store/snapshot-store.ts';
import type { ExchangeSupervisor } from './supervisor.ts';
import type { ConnectionStats } from '../boundary/worker-protocol.ts';

export function registerExchangeMetrics(m: Metrics, supervisors: () => ExchangeSupervisor[], store: SnapshotStore): void {
  const each = (value: (c: ConnectionStats) => number) =>
    supervisors().flatMap((s) => s.connections.map((c) => ({ labels: { exchange: s.id, connection: c.name }, value: value(c) })));
  const now = () => Date.now();
  m.gauge('gateway_exchange_connected', '1 while the exchange connection is open', () => each((c) => (c.state === 'open' ? 1 : 0)));
  m.gauge('gateway_exchange_uptime_seconds', 'Age of the open exchange connection', () =>
    each((c) => (c.state === 'open' ? (now() - c.connectedAt) / 1000 : 0)),
  );
  m.gauge('gateway_exchange_last_message_age_seconds', 'Time since the last data frame from the exchange', () =>
    each((c) => (c.lastMessageAt ? (now() - c.lastMessageAt) / 1000 : -1)),
  );
  m.gauge('gateway_exchange_messages_per_second', 'Frames per second over the last report interval', () =>
    supervisors().flatMap((s) => s.connections.map((c) => ({ labels: { exchange: s.id, connection: c.name }, value: Math.round(s.tracker.rate(c.name) * 10) / 10 }))),
  );
  m.gauge('gateway_exchange_health_score', 'Connection health 0-100 (docs/configuration.md)', () =>
    supervisors().flatMap((s) => s.connections.map((c) => ({ labels: { exchange: s.id, connection: c.name }, value: s.tracker.score(c) }))),
  );
  m.gauge('gateway_exchange_subscriptions', 'Subscription frames sent on each (re)connect', () => each((c) => c.subscriptions));
  m.collectedCounter('gateway_exchange_messages_total', 'Frames received from the exchange', () => each((c) => c.messages));
  m.collectedCounter('gateway_exchange_bytes_total', 'Bytes received from the exchange', () => each((c) => c.bytes));
  m.collectedCounter('gateway_exchange_records_total', 'Records produced from the connection', () => each((c) => c.records));
  m.collectedCounter('gateway_exchange_reconnects_total', 'Unplanned reconnects of the exchange connection', () => each((c) => c.reconnects));
  m.collectedCounter('gateway_exchange_rollovers_total', 'Planned make-before-break replacements', () => each((c) => c.rollovers));
  m.collectedCounter('gateway_exchange_duplicates_total', 'Records dropped as repeats across a connection switch', () =>
    each((c) => c.duplicates),
  );
  m.collectedCounter('gateway_exchange_errors_total', 'Errors on the exchange connection, by code (BAD_FRAME, STALL, HTTP_429, ...)', () =>
    supervisors().flatMap((s) =>
      s.connections.flatMap((c) => Object.entries(c.errors).map(([code, value]) => ({ labels: { exchange: s.id, connection: c.name, code }, value }))),
    ),
  );
  m.collectedCounter('gateway_worker_restarts_total', 'Exchange worker restarts after a crash', () =>
    supervisors().map((s) => ({ labels: { exchange: s.id }, value: s.restarts })),
  );
  m.gauge('gateway_snapshot_keys', 'Stream keys held in the latest-value store', () => [{ labels: {}, value: store.size }]);
}
