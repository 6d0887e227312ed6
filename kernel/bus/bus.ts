// The bus contract: how record batches travel from the node that holds exchange connections to every node's hub.

import type { RecordBatch } from '../../boundary/batch.ts';
import type { Metrics } from '../metrics.ts';
import type { BusHealth, BusStatus } from './bus-status.ts';

export interface Bus {
  /** `direct`, `kafka`, `redis` */
  readonly kind: string;
  /** buses that carry records between nodes: set while this node feeds them (standalone, or the cluster leader) */
  producing?: boolean;
  start(): Promise<void>;
  /** from this node's exchange workers */
  publish(batch: RecordBatch): void;
  /** every batch that reaches this node, in order; handlers MUST NOT throw */
  subscribe(handler: (batch: RecordBatch) => void): void;
  /** state, reason, since, counters: the shape documented in docs/operations.md */
  health(): BusHealth;
  /** where the bus keeps its state (listeners: onChange) */
  readonly status?: BusStatus;
  /** gauges of the bus's own beyond the common gateway_bus_* ones (bus-metrics.ts) */
  registerMetrics?(metrics: Metrics): void;
  /** idempotent */
  close(): Promise<void>;
}
