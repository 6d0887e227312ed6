// Fans records out to clients: per-key routing index, one encoding per format per record, backpressure cut-off.

import type { RecordBatch } from '../batch.ts';
import { recordAt } from '../batch.ts';
import { decode, encode } from '../codec.ts';
import { errorCode } from '../errors.ts';
import type { Catalog, Filter } from '../filter.ts';
import { describeFilter, matches, matchesKey } from '../filter.ts';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics.ts';
import type { SnapshotStore } from '../snapshot-store.ts';
import type { ConnectOptions, Format } from './client-protocol.ts';
import { decodeControl, parseControl } from './client-protocol.ts';
import type { Peer } from './peer.ts';

export interface Client {
  readonly id: number;
  readonly peer: Peer;
  readonly format: Format;
  filter: Filter;
  /** keys whose route sets hold this client, so removal touches only those */
  readonly routes: Set<string>;
  open: boolean;
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
  metrics: Metrics;
  log: Logger;
}

export class Hub {
  private readonly clients = new Set<Client>();
  /** stream key → the clients whose filter matches it, built when a key is first seen */
  private readonly routes = new Map<string, Set<Client>>();
  private nextId = 1;
  private readonly counters;

  constructor(private readonly opts: HubOptions) {
    const m = opts.metrics;
    this.counters = {
      deliveries: m.counter('gateway_client_frames_total', 'Frames sent to clients, by format'),
      errors: m.counter('gateway_client_errors_total', 'Bad client messages answered with an error, by code'),
      slow: m.counter('gateway_client_slow_disconnects_total', 'Clients disconnected for not keeping up (close 1008)'),
      connects: m.counter('gateway_client_connections_total', 'Client connections accepted'),
    };
    m.gauge('gateway_clients', 'Connected clients, by format', () => {
      const by = { json: 0, msgpack: 0 };
      for (const c of this.clients) by[c.format]++;
      return Object.entries(by).map(([format, value]) => ({ labels: { format }, value }));
    });
  }

  get size(): number {
    return this.clients.size;
  }

  connect(peer: Peer, options: ConnectOptions): ClientHandle {
    const client: Client = { id: this.nextId++, peer, format: options.format, filter: options.filter, routes: new Set(), open: true };
    this.clients.add(client);
    this.counters.connects.inc();
    if (options.snapshot) this.sendSnapshot(client, null);
    this.index(client);
    return {
      message: (data) => this.onMessage(client, data),
      closed: () => this.remove(client),
    };
  }

  /** Delivers a batch to every matching client: each record is encoded once per format, whatever the client count. */
  deliver(batch: RecordBatch): void {
    const { keys } = batch;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      const route = this.routes.get(key) ?? this.buildRoute(key);
      if (route.size === 0) continue;
      const bytes = recordAt(batch, i);
      let json: string | undefined;
      for (const c of route) {
        if (c.format === 'json') this.send(c, (json ??= JSON.stringify(decode(bytes))));
        else this.send(c, bytes);
      }
    }
  }

  private buildRoute(key: string): Set<Client> {
    const route = new Set<Client>();
    for (const c of this.clients) {
      if (matchesKey(c.filter, key)) {
        route.add(c);
        c.routes.add(key);
      }
    }
    this.routes.set(key, route);
    return route;
  }

  private index(c: Client): void {
    for (const [key, route] of this.routes) {
      if (matchesKey(c.filter, key)) {
        route.add(c);
        c.routes.add(key);
      }
    }
  }

  private unindex(c: Client): void {
    for (const key of c.routes) this.routes.get(key)?.delete(c);
    c.routes.clear();
  }

  private remove(c: Client): void {
    if (!c.open) return;
    c.open = false;
    this.unindex(c);
    this.clients.delete(c);
  }

  private send(c: Client, frame: string | Uint8Array): void {
    if (!c.open) return;
    if (c.peer.bufferedAmount > this.opts.maxBufferedBytes) {
      this.counters.slow.inc();
      this.opts.log.warn(`client ${c.id} too slow (over ${this.opts.maxBufferedBytes} bytes unsent): disconnecting`);
      this.remove(c);
      c.peer.close(1008, 'too slow: unsent data over the limit');
      return;
    }
    c.peer.send(frame);
    this.counters.deliveries.inc({ format: c.format });
  }

  /** sends a control answer in the client's format */
  private reply(c: Client, msg: Record<string, unknown>): void {
    this.send(c, c.format === 'json' ? JSON.stringify(msg) : encode(msg));
  }

  /** replays the latest record of every key matching the client's filter but not `previous` */
  private sendSnapshot(c: Client, previous: Filter | null): void {
    for (const e of this.opts.store.select(c.filter)) {
      if (previous && matches(previous, e.ex, e.ty, e.cd)) continue;
      this.send(c, this.opts.store.snapshotFrame(e, c.format));
    }
  }

  private onMessage(c: Client, data: string | Uint8Array): void {
    if (!c.open) return;
    let id: unknown;
    try {
      const raw = decodeControl(data, c.format);
      id = (raw as { id?: unknown } | null)?.id;
      const ctl = parseControl(raw, this.opts.catalog);
      const withId = ctl.id === undefined ? {} : { id: ctl.id };
      if (ctl.method === 'ping') {
        this.reply(c, { event: 'pong', tms: Date.now(), ...withId });
        return;
      }
      const previous = c.filter;
      this.unindex(c);
      c.filter = ctl.filter;
      this.index(c);
      this.reply(c, { event: 'subscribed', ...describeFilter(c.filter), ...withId });
      if (ctl.snapshot) this.sendSnapshot(c, previous);
    } catch (err) {
      const code = errorCode(err) === 'BAD_REQUEST' ? 'BAD_REQUEST' : 'INTERNAL';
      this.counters.errors.inc({ code });
      const withId = typeof id === 'string' || typeof id === 'number' ? { id } : {};
      this.reply(c, { event: 'error', code, message: (err as Error).message, ...withId });
    }
  }

  /** closes every client with 1001 (going away); idempotent */
  close(): void {
    for (const c of [...this.clients]) {
      this.remove(c);
      c.peer.close(1001, 'gateway shutting down');
    }
  }
}
