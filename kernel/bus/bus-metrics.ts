// The gateway_bus_* metrics, read from the bus's health at scrape time (docs/operations.md, "Bus failures and recovery").

import type { Metrics } from '../metrics.ts';
import type { Bus } from './bus.ts';
import type { BusState } from './bus-status.ts';

const STATES: BusState[] = ['up', 'degraded', 'down'];

export function registerBusMetrics(metrics: Metrics, bus: Bus): void {
  const labels = { bus: bus.kind };
  metrics.gauge('gateway_bus_state', '1 for the state the bus is in on this node (up, degraded, down), 0 for the others', () => {
    const { state } = bus.health();
    return STATES.map((s) => ({ labels: { ...labels, state: s }, value: s === state ? 1 : 0 }));
  });
  metrics.gauge('gateway_bus_up', '1 while this node receives records over the bus and, where it feeds it, publishes', () => [
    { labels, value: bus.health().state === 'up' ? 1 : 0 },
  ]);
  metrics.gauge('gateway_bus_state_since_seconds', 'Unix time at which the bus entered its current state', () => [
    { labels, value: bus.health().since / 1000 },
  ]);
  metrics.collectedCounter('gateway_bus_stalls_total', 'Consumers or subscribers found receiving nothing while they should', () => [
    { labels, value: bus.health().stalls },
  ]);
  metrics.collectedCounter('gateway_bus_rebuilds_total', 'Bus consumers, subscribers or producers torn down and built again', () => [
    { labels, value: bus.health().rebuilds },
  ]);
  metrics.collectedCounter('gateway_bus_outages_total', 'Episodes in which the bus left the up state', () => [
    { labels, value: bus.health().outages },
  ]);
  bus.registerMetrics?.(metrics);
}
