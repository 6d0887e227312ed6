// The hub's shapes (kernel/fanout/hub.ts): a connected client, the groups of clients that receive the same frames,
// the per-key routes to those groups, and the hub's options.

import type { Catalog, Filter } from '../filter.ts';
import type { History } from '../store/history.ts';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics.ts';
import type { SnapshotStore } from '../store/snapshot-store.ts';
import type { StatusEvent } from '../status/events.ts';
import type { Format } from './client-protocol.ts';
import type { Peer } from './peer.ts';
import type { Shape } from './shape.ts';
import type { Out } from './shaped-outs.ts';

export interface Client {
  readonly id: number;
  readonly peer: Peer;
  readonly format: Format;
  filter: Filter;
  shape: Shape;
  /** the clients with this filter, format and shape: they receive exactly the same frames; none while waiting */
  group: Group | undefined;
  /** history position when it joined its group: it has been sent every later record of its filter */
  since: number;
  open: boolean;
}

/**
 * Clients with the same filter, format and shape. Records for them collect here during an event-loop turn and leave
 * in one write per client: the routing index points at groups, not clients.
 */
export interface Group {
  readonly id: string;
  readonly format: Format;
  readonly filter: Filter;
  readonly shape: Shape;
  readonly clients: Set<Client>;
  /** keys whose route sets hold this group */
  readonly routes: Set<string>;
  pending: Out[];
  /** interval groups: the newest record of each state key since the last tick */
  conflated?: Map<string, Out>;
  timer?: ReturnType<typeof setInterval>;
}

export interface Route {
  groups: Set<Group>;
  /** ticker, orderbook, ...: conflated by interval groups */
  state: boolean;
  book: boolean;
}

/** What a transport adapter calls for a connected client. */
export interface ClientHandle {
  message(data: string | Uint8Array): void;
  closed(): void;
}

export interface HubOptions {
  store: SnapshotStore;
  catalog: Catalog;
  maxBufferedBytes: number;
  /** server.flushMs: routed records are written at most this often (0: at the end of every event-loop turn) */
  flushMs?: number;
  metrics: Metrics;
  log: Logger;
  /** security checks on every subscription (kernel/security/ws-gate.ts): throws LIMIT_EXCEEDED or FORBIDDEN */
  guard?: {
    control(msg: unknown): void;
    /** `keys`: what a resume asks for; each must lie inside the guarded filter */
    filter(filter: Filter, identity: Peer['identity'], keys?: { ex: string; ty: string; cd: string }[]): Filter;
  };
  /** orderbook.depth: the most `depth` a client may ask for */
  maxDepth?: number;
  /** the node's per-key history, for resume */
  history?: History;
  /** each exchange's state now, for the exchanges a filter selects (null = all) */
  statuses?(exchanges: Set<string> | null): StatusEvent[];
}
