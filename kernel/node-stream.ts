// What every node does with the stream it serves, and the stream-health state machine around it: the bus output
// feeds the latest values, the per-key history and the hub; status and resync messages travel on the bus with the
// records (published by the node that holds the exchange connections) and reach clients from there.

import type { RecordBatch } from '../boundary/batch.ts';
import type { Bus } from './bus/bus.ts';
import type { LeaderElection } from './cluster/election.ts';
import type { Config } from './config.ts';
import type { ExchangeSet } from './exchanges.ts';
import type { Hub } from './fanout/hub.ts';
import { History } from './store/history.ts';
import type { Logger } from './log.ts';
import type { Metrics } from './metrics.ts';
import type { SnapshotStore } from './store/snapshot-store.ts';
import { eventBatch, splitEvents } from './status/events.ts';
import type { StatusEvent } from './status/events.ts';
import { StatusSource } from './status/source.ts';
import { StatusView } from './status/view.ts';
import type { Invalidation } from '../boundary/worker-protocol.ts';

export interface NodeStreamOptions {
  config: Config;
  exchanges: ExchangeSet;
  store: SnapshotStore;
  metrics: Metrics;
  log: Logger;
  bus(): Bus | undefined;
  hub(): Hub | undefined;
  election(): LeaderElection | undefined;
  role(): 'standalone' | 'leader' | 'follower';
}

export class NodeStream {
  readonly history: History;
  readonly source: StatusSource;
  readonly view: StatusView;

  constructor(private readonly opts: NodeStreamOptions) {
    const { config, exchanges } = opts;
    this.history = new History(config.history);
    this.source = new StatusSource({
      facts: () =>
        exchanges.ids.map((id) => {
          const sup = exchanges.supervisors.find((s) => s.id === id);
          const stallTimeoutMs = config.exchanges[id]?.stallTimeoutMs ?? 20_000;
          return {
            id,
            facts: sup
              ? { worker: sup.state, workerError: sup.lastError?.message, connections: sup.connections, reportedAt: sup.reportedAt, stallTimeoutMs }
              : { worker: 'inactive' as const, connections: [], reportedAt: 0, stallTimeoutMs },
          };
        }),
      publish: (events) => opts.bus()?.publish(eventBatch(events)),
      log: opts.log.child('status'),
    });
    this.view = new StatusView({
      exchanges: () => exchanges.ids,
      local: () => this.distrust(),
      changed: (ev) => opts.hub()?.event(ev),
    });
    const h = opts.metrics;
    h.gauge('gateway_history_bytes', 'Bytes held by the resume history (all keys)', () => [{ labels: {}, value: this.history.size.bytes }]);
    h.gauge('gateway_history_records', 'Records held by the resume history (all keys)', () => [{ labels: {}, value: this.history.size.entries }]);
    h.gauge('gateway_exchange_status', 'Exchange state as told to clients: 2 up, 1 degraded, 0 down', () =>
      exchanges.ids.map((id) => ({ labels: { exchange: id }, value: { up: 2, degraded: 1, down: 0 }[this.view.status(id).state] })),
    );
  }

  start(): void {
    this.history.start();
    this.source.start();
    this.view.start();
  }

  /** every batch the bus delivers to this node, in order */
  accept(batch: RecordBatch): void {
    splitEvents(
      batch,
      (records) => {
        this.opts.store.putBatch(records);
        this.history.ingest(records);
        this.opts.hub()?.deliver(records);
      },
      (ev) => {
        if (ev.event === 'status') this.view.heardOf(ev);
        else this.opts.hub()?.event(ev);
      },
    );
  }

  /** records from this node's workers, about to be published */
  produced(exchange: string, keys: readonly string[]): void {
    this.source.delivered(exchange, keys);
  }

  invalidated(exchange: string, keys: Invalidation[]): void {
    this.source.invalidated(exchange, keys);
  }

  /** a worker crashed: every book it had published is invalid until its successor's first books */
  crashed(exchange: string): void {
    const books = this.opts.store.select({ exchange: new Set([exchange]), symbol: null, type: new Set(['orderbook']) });
    const tms = Date.now();
    this.source.invalidated(exchange, books.map((e) => ({ key: e.key, ex: e.ex, ty: e.ty, cd: e.cd, tms })));
  }

  /** this node feeds the bus (standalone, or elected) */
  setProducing(on: boolean): void {
    this.source.setActive(on);
  }

  /** each exchange's state as told to clients, for the exchanges selected (null = all) */
  statuses(exchanges: Set<string> | null): StatusEvent[] {
    return this.view.statuses(exchanges);
  }

  /** why this node cannot vouch for the stream it serves (its states then say down), or undefined */
  private distrust(): string | undefined {
    const bus = this.opts.bus();
    if (!bus) return 'gateway starting';
    // the bus's own verdict (kernel/bus/bus-status.ts): `down` = this node receives nothing over it; `degraded` = the
    // leader serves its own clients directly, which they can trust
    const h = bus.health();
    if (h.state === 'down') return `bus (${bus.kind}) unavailable on this node${h.reason ? `: ${h.reason}` : ''}`;
    if (this.opts.config.mode !== 'cluster' || this.opts.role() === 'leader') return undefined;
    const e = this.opts.election();
    if (!e || e.state !== 'follower') return `no leader: ZooKeeper ${e?.state ?? 'not started'}`;
    if (!e.leaderId) return 'no leader elected';
    return undefined;
  }

  close(): void {
    this.history.close();
    this.source.close();
    this.view.close();
  }
}
