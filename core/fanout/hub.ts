// Fans records out to clients: per-key routing index, one encoding and one WebSocket frame per format per record,
// clients with the same filter and format grouped so each gets one socket write per event-loop turn, backpressure
// cut-off.

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
import { BINARY, TEXT, wsFrame } from './peer.ts';

export interface Client {
  readonly id: number;
  readonly peer: Peer;
  readonly format: Format;
  filter: Filter;
  /** the clients with this filter and format: they receive exactly the same frames */
  group: Group;
  open: boolean;
}

/** One record ready to send in one format: the payload, and the whole WebSocket frame around it. */
interface Out {
  payload: string | Uint8Array;
  frame: Buffer;
}

/**
 * Clients with the same filter and format. Records for them collect here during an event-loop turn and leave in
 * one write per client: the routing index points at groups, not clients.
 */
interface Group {
  readonly id: string;
  readonly format: Format;
  readonly filter: Filter;
  readonly clients: Set<Client>;
  /** keys whose route sets hold this group */
  readonly routes: Set<string>;
  pending: Out[];
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
  private readonly groups = new Map<string, Group>();
  /** stream key → the groups whose filter matches it, built when a key is first seen */
  private readonly routes = new Map<string, Set<Group>>();
  /** groups holding records not yet written */
  private readonly dirty: Group[] = [];
  private flushTimer: ReturnType<typeof setImmediate> | undefined;
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

  /** the largest unsent backlog among the clients, in bytes (a replay at full speed waits on it) */
  backlogBytes(): number {
    let most = 0;
    for (const c of this.clients) most = Math.max(most, c.peer.bufferedAmount);
    return most;
  }

  connect(peer: Peer, options: ConnectOptions): ClientHandle {
    // records already routed go out first, so this client's stream starts cleanly after its snapshot
    this.flush();
    const client: Client = { id: this.nextId++, peer, format: options.format, filter: options.filter, group: undefined!, open: true };
    this.clients.add(client);
    this.counters.connects.inc();
    if (options.snapshot) this.sendSnapshot(client, null);
    this.join(client);
    return {
      message: (data) => this.onMessage(client, data),
      closed: () => this.remove(client),
    };
  }

  /**
   * Routes a batch to every matching group: each record is encoded and framed once per format, whatever the client
   * count, and written when the turn ends (several batches of one turn leave together).
   */
  deliver(batch: RecordBatch): void {
    const { keys } = batch;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      const route = this.routes.get(key) ?? this.buildRoute(key);
      if (route.size === 0) continue;
      const bytes = recordAt(batch, i);
      let json: Out | undefined;
      let pack: Out | undefined;
      for (const g of route) {
        let out: Out;
        if (g.format === 'json') {
          if (!json) {
            const text = JSON.stringify(decode(bytes));
            json = { payload: text, frame: wsFrame(text, TEXT) };
          }
          out = json;
        } else {
          // a copy: the batch's buffer belongs to the bus, the frame may wait in socket buffers
          pack ??= { payload: bytes, frame: wsFrame(bytes, BINARY) };
          out = pack;
        }
        if (g.pending.length === 0) this.dirty.push(g);
        g.pending.push(out);
      }
    }
    if (this.dirty.length && !this.flushTimer) this.flushTimer = setImmediate(() => this.flush());
  }

  /** Writes what the groups hold: one buffer per group, one write per client. */
  flush(): void {
    if (this.flushTimer) {
      clearImmediate(this.flushTimer);
      this.flushTimer = undefined;
    }
    const dirty = this.dirty;
    for (let d = 0; d < dirty.length; d++) {
      const g = dirty[d]!;
      const outs = g.pending;
      g.pending = [];
      let all: Buffer | undefined;
      let sent = 0;
      for (const c of g.clients) {
        if (!this.keepsUp(c)) continue;
        if (c.peer.sendFrames) {
          all ??= outs.length === 1 ? outs[0]!.frame : Buffer.concat(outs.map((o) => o.frame));
          c.peer.sendFrames(all);
        } else for (const o of outs) c.peer.send(o.payload);
        sent++;
      }
      if (sent) this.counters.deliveries.inc({ format: g.format }, sent * outs.length);
    }
    dirty.length = 0;
  }

  private groupOf(format: Format, filter: Filter): Group {
    const f = describeFilter(filter);
    const id = `${format} ${JSON.stringify([f.exchange?.sort(), f.symbol?.sort(), f.type?.sort()])}`;
    let g = this.groups.get(id);
    if (!g) {
      g = { id, format, filter, clients: new Set(), routes: new Set(), pending: [] };
      this.groups.set(id, g);
      for (const [key, route] of this.routes) {
        if (matchesKey(filter, key)) {
          route.add(g);
          g.routes.add(key);
        }
      }
    }
    return g;
  }

  private buildRoute(key: string): Set<Group> {
    const route = new Set<Group>();
    for (const g of this.groups.values()) {
      if (matchesKey(g.filter, key)) {
        route.add(g);
        g.routes.add(key);
      }
    }
    this.routes.set(key, route);
    return route;
  }

  /** puts the client in the group of its format and filter */
  private join(c: Client): void {
    c.group = this.groupOf(c.format, c.filter);
    c.group.clients.add(c);
  }

  /** takes the client out of its group; an empty group leaves the routing index */
  private leave(c: Client): void {
    const g = c.group;
    g.clients.delete(c);
    if (g.clients.size > 0) return;
    for (const key of g.routes) this.routes.get(key)?.delete(g);
    this.groups.delete(g.id);
  }

  private remove(c: Client): void {
    if (!c.open) return;
    c.open = false;
    this.leave(c);
    this.clients.delete(c);
  }

  /** false (and the client cut off with 1008) when its unsent data is over the bound */
  private keepsUp(c: Client): boolean {
    if (!c.open) return false;
    if (c.peer.bufferedAmount <= this.opts.maxBufferedBytes) return true;
    this.counters.slow.inc();
    this.opts.log.warn(`client ${c.id} too slow (over ${this.opts.maxBufferedBytes} bytes unsent): disconnecting`);
    this.remove(c);
    c.peer.close(1008, 'too slow: unsent data over the limit');
    return false;
  }

  /** one frame for one client (answers, snapshots): after everything already routed to it */
  private send(c: Client, payload: string | Uint8Array): void {
    if (!this.keepsUp(c)) return;
    if (c.peer.sendFrames) c.peer.sendFrames(wsFrame(payload, typeof payload === 'string' ? TEXT : BINARY));
    else c.peer.send(payload);
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
    // what was routed before this message reaches the client before the answer
    this.flush();
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
      this.leave(c);
      c.filter = ctl.filter;
      this.join(c);
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
    this.flush();
    for (const c of [...this.clients]) {
      this.remove(c);
      c.peer.close(1001, 'gateway shutting down');
    }
  }
}
