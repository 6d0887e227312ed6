// Fans records out to clients: per-key routing index, one encoding and one WebSocket frame per shape (format ×
// depth) per record, clients with the same filter, format and shape grouped so each gets one socket write per
// event-loop turn, conflation per group, backpressure cut-off; status and resync events; resume.

import type { RecordBatch } from '../batch.ts';
import { recordAt } from '../batch.ts';
import { encode } from '../codec.ts';
import { clientErrorCode } from '../errors.ts';
import type { Catalog, Filter } from '../filter.ts';
import { describeFilter, matches, matchesKey } from '../filter.ts';
import type { History } from '../history/history.ts';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics.ts';
import { splitStreamKey, streamKey } from '../model.ts';
import type { SnapshotStore } from '../snapshot-store.ts';
import type { StatusEvent, StreamEvent } from '../status/events.ts';
import { arrayPayload } from './batch-frame.ts';
import type { ConnectOptions, Format } from './client-protocol.ts';
import { decodeControl, parseControl } from './client-protocol.ts';
import type { Peer } from './peer.ts';
import { BINARY, TEXT, wsFrame } from './peer.ts';
import type { ResumeEntry } from './resume.ts';
import { planResume } from './resume.ts';
import type { Shape } from './shape.ts';
import { PLAIN, describeShape, isStateType, shapeId } from './shape.ts';
import type { Out } from './shaped-outs.ts';
import { RecordOuts, out, replayPayload, snapshotPayload } from './shaped-outs.ts';

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
interface Group {
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

interface Route {
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
  metrics: Metrics;
  log: Logger;
  /** security checks on every subscription (core/security/ws-gate.ts): throws LIMIT_EXCEEDED or FORBIDDEN */
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

export class Hub {
  private readonly clients = new Set<Client>();
  private readonly groups = new Map<string, Group>();
  /** stream key → the groups whose filter matches it, built when a key is first seen */
  private readonly routes = new Map<string, Route>();
  /** groups holding records not yet written */
  private readonly dirty: Group[] = [];
  private flushTimer: ReturnType<typeof setImmediate> | undefined;
  private nextId = 1;
  private readonly counters;
  private readonly outs = new RecordOuts();
  private readonly maxDepth: number;

  constructor(private readonly opts: HubOptions) {
    this.maxDepth = opts.maxDepth ?? 200;
    const m = opts.metrics;
    this.counters = {
      deliveries: m.counter('gateway_client_frames_total', 'Frames sent to clients, by format'),
      errors: m.counter('gateway_client_errors_total', 'Bad client messages answered with an error, by code'),
      slow: m.counter('gateway_client_slow_disconnects_total', 'Clients disconnected for not keeping up (close 1008)'),
      connects: m.counter('gateway_client_connections_total', 'Client connections accepted'),
      resumes: m.counter('gateway_client_resume_keys_total', 'Keys asked for in resume, by outcome (recovered, lost)'),
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

  /** every connected client: private delivery (core/private/delivery.ts) picks the ones entitled to a record */
  get connected(): ReadonlySet<Client> {
    return this.clients;
  }

  /** one record for one client (private records), after what was already routed to it; counted, cut when slow */
  sendTo(c: Client, payload: string | Uint8Array): void {
    // wait=true: nothing before the first subscribe
    if (!c.group) return;
    this.flush();
    this.send(c, payload);
  }

  connect(peer: Peer, options: ConnectOptions): ClientHandle {
    // records already routed go out first, so this client's stream starts cleanly after its snapshot
    this.flush();
    const client: Client = {
      id: this.nextId++,
      peer,
      format: options.format,
      filter: options.filter,
      shape: options.shape ?? PLAIN,
      group: undefined!,
      since: 0,
      open: true,
    };
    this.clients.add(client);
    this.counters.connects.inc();
    // wait=true: nothing at all until the first subscribe (which may resume)
    if (!options.wait) {
      if (options.snapshot) this.sendSnapshot(client, null, undefined);
      this.join(client);
      this.sendStatuses(client);
    }
    return {
      message: (data) => this.onMessage(client, data),
      closed: () => this.remove(client),
    };
  }

  /**
   * Routes a batch to every matching group: each record is encoded and framed once per shape, whatever the client
   * count, and written when the turn ends (several batches of one turn leave together). Interval groups keep only
   * the newest record of each state key until their next tick.
   */
  deliver(batch: RecordBatch): void {
    const { keys } = batch;
    const outs = this.outs;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      const route = this.routes.get(key) ?? this.buildRoute(key);
      if (route.groups.size === 0) continue;
      outs.reset(recordAt(batch, i));
      for (const g of route.groups) {
        const o = outs.get(g.format, route.book ? g.shape.depth : null);
        if (g.conflated && route.state) {
          g.conflated.set(key, o);
          continue;
        }
        if (g.pending.length === 0) this.dirty.push(g);
        g.pending.push(o);
      }
    }
    outs.reset(EMPTY);
    if (this.dirty.length && !this.flushTimer) this.flushTimer = setImmediate(() => this.flush());
  }

  /** Writes what the groups hold: one buffer per group (one array frame with batch=true), one write per client. */
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
      if (outs.length === 0) continue;
      let all: Buffer | undefined;
      let one: Out | undefined;
      if (g.shape.batch) one = out(arrayPayload(outs.map((o) => o.payload)));
      let sent = 0;
      for (const c of g.clients) {
        if (!this.keepsUp(c)) continue;
        if (one) {
          if (c.peer.sendFrames) c.peer.sendFrames(one.frame);
          else c.peer.send(one.payload);
        } else if (c.peer.sendFrames) {
          all ??= outs.length === 1 ? outs[0]!.frame : Buffer.concat(outs.map((o) => o.frame));
          c.peer.sendFrames(all);
        } else for (const o of outs) c.peer.send(o.payload);
        sent++;
      }
      if (sent) this.counters.deliveries.inc({ format: g.format }, sent * outs.length);
    }
    dirty.length = 0;
  }

  /** A status or resync message (from the bus): to every client whose filter selects it, after what is pending. */
  event(ev: StreamEvent): void {
    this.flush();
    const encoded: Partial<Record<Format, string | Uint8Array>> = {};
    const payload = (f: Format) => (encoded[f] ??= f === 'json' ? JSON.stringify(ev) : encode(ev));
    if (ev.event === 'status') {
      for (const c of this.clients) {
        if (c.group && (!c.filter.exchange || c.filter.exchange.has(ev.exchange))) this.send(c, payload(c.format));
      }
      return;
    }
    const key = streamKey(ev.exchange, ev.type, ev.symbol);
    const route = this.routes.get(key) ?? this.buildRoute(key);
    for (const g of route.groups) {
      // a book conflated before the resync must not go out after it
      g.conflated?.delete(key);
      for (const c of g.clients) this.send(c, payload(c.format));
    }
  }

  private groupOf(format: Format, filter: Filter, shape: Shape): Group {
    const id = this.groupId(format, filter, shape);
    let g = this.groups.get(id);
    if (!g) {
      g = { id, format, filter, shape, clients: new Set(), routes: new Set(), pending: [] };
      if (shape.intervalMs !== null) {
        const group = g;
        group.conflated = new Map();
        group.timer = setInterval(() => this.tick(group), shape.intervalMs);
      }
      this.groups.set(id, g);
      for (const [key, route] of this.routes) {
        if (matchesKey(filter, key)) {
          route.groups.add(g);
          g.routes.add(key);
        }
      }
    }
    return g;
  }

  private groupId(format: Format, filter: Filter, shape: Shape): string {
    const f = describeFilter(filter);
    return `${format} ${shapeId(shape)} ${JSON.stringify([f.exchange?.sort(), f.symbol?.sort(), f.type?.sort()])}`;
  }

  /** an interval group's conflated records join the turn's pending ones */
  private tick(g: Group): void {
    const c = g.conflated!;
    if (c.size === 0) return;
    if (g.pending.length === 0) this.dirty.push(g);
    for (const o of c.values()) g.pending.push(o);
    c.clear();
    if (!this.flushTimer) this.flushTimer = setImmediate(() => this.flush());
  }

  private buildRoute(key: string): Route {
    const { ty } = splitStreamKey(key);
    const route: Route = { groups: new Set(), state: isStateType(ty), book: ty === 'orderbook' };
    for (const g of this.groups.values()) {
      if (matchesKey(g.filter, key)) {
        route.groups.add(g);
        g.routes.add(key);
      }
    }
    this.routes.set(key, route);
    return route;
  }

  /** puts the client in the group of its format, filter and shape */
  private join(c: Client): void {
    c.group = this.groupOf(c.format, c.filter, c.shape);
    c.group.clients.add(c);
    c.since = this.opts.history?.position ?? 0;
  }

  /** takes the client out of its group; an empty group leaves the routing index */
  private leave(c: Client): void {
    const g = c.group;
    if (!g) return;
    c.group = undefined;
    g.clients.delete(c);
    if (g.clients.size > 0) return;
    for (const key of g.routes) this.routes.get(key)?.groups.delete(g);
    clearInterval(g.timer);
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
  private send(c: Client, payload: string | Uint8Array, records = 1): void {
    if (!this.keepsUp(c)) return;
    if (c.peer.sendFrames) c.peer.sendFrames(wsFrame(payload, typeof payload === 'string' ? TEXT : BINARY));
    else c.peer.send(payload);
    this.counters.deliveries.inc({ format: c.format }, records);
  }

  /** records for one client: one array frame with batch=true, else one frame each */
  private sendRecords(c: Client, payloads: (string | Uint8Array)[]): void {
    if (payloads.length === 0) return;
    if (c.shape.batch) this.send(c, arrayPayload(payloads), payloads.length);
    else for (const p of payloads) this.send(c, p);
  }

  /** sends a control answer in the client's format */
  private reply(c: Client, msg: Record<string, unknown>): void {
    this.send(c, c.format === 'json' ? JSON.stringify(msg) : encode(msg));
  }

  private sendStatuses(c: Client): void {
    for (const s of this.opts.statuses?.(c.filter.exchange) ?? []) this.reply(c, s as unknown as Record<string, unknown>);
  }

  /** replays the latest record of every key matching the client's filter but not `previous`, except `skip` keys */
  private sendSnapshot(c: Client, previous: Filter | null, skip: Set<string> | undefined): void {
    const payloads = [];
    for (const e of this.opts.store.select(c.filter)) {
      if (previous && matches(previous, e.ex, e.ty, e.cd)) continue;
      if (skip?.has(e.key)) continue;
      payloads.push(snapshotPayload(this.opts.store, e, c.format, c.shape.depth));
    }
    this.sendRecords(c, payloads);
  }

  /** what a client that moves to another group has not yet been sent from its interval group */
  private sendConflated(c: Client): void {
    const pending = c.group?.conflated;
    if (pending?.size) this.sendRecords(c, [...pending.values()].map((o) => o.payload));
  }

  /** `resumed`, then what each key missed (replayed records, or the latest as a snapshot) */
  private resume(c: Client, asked: ResumeEntry[], previous: Filter, since: number, withId: Record<string, unknown>): void {
    const { history, store } = this.opts;
    // keys the filter in force does not select (the security guard may narrow it) are lost, and nothing is sent
    const entries = asked.filter((e) => matches(c.filter, e.id.ex, e.id.ty, e.id.cd));
    const denied = asked.filter((e) => !entries.includes(e)).map((e) => e.id);
    if (!history) {
      this.reply(c, { event: 'resumed', recovered: [], lost: [...entries.map((e) => e.id), ...denied], ...withId });
      this.sendRecords(c, entries.flatMap((e) => {
        const s = store.get(e.key);
        return s ? [snapshotPayload(store, s, c.format, c.shape.depth)] : [];
      }));
      return;
    }
    const plan = planResume(entries, history, store, (key) => (matchesKey(previous, key) ? since : Infinity));
    this.counters.resumes.inc({ outcome: 'recovered' }, plan.recovered.length);
    this.counters.resumes.inc({ outcome: 'lost' }, plan.lost.length + denied.length);
    this.reply(c, { event: 'resumed', recovered: plan.recovered, lost: [...plan.lost, ...denied], ...withId });
    const types = new Map(entries.map((e) => [e.key, e.id.ty]));
    const payloads: (string | Uint8Array)[] = [];
    for (const s of plan.sends) {
      if ('snapshot' in s) payloads.push(snapshotPayload(store, s.snapshot, c.format, c.shape.depth));
      else payloads.push(replayPayload(s.live, types.get(s.key) ?? '', c.format, c.shape.depth));
    }
    this.sendRecords(c, payloads);
  }

  private onMessage(c: Client, data: string | Uint8Array): void {
    if (!c.open) return;
    // what was routed before this message reaches the client before the answer
    this.flush();
    let id: unknown;
    try {
      const raw = decodeControl(data, c.format);
      id = (raw as { id?: unknown } | null)?.id;
      this.opts.guard?.control(raw);
      const ctl = parseControl(raw, this.opts.catalog, { maxDepth: this.maxDepth, shape: c.shape });
      const withId = ctl.id === undefined ? {} : { id: ctl.id };
      if (ctl.method === 'ping') {
        this.reply(c, { event: 'pong', tms: Date.now(), ...withId });
        return;
      }
      const filter = this.opts.guard ? this.opts.guard.filter(ctl.filter, c.peer.identity, ctl.resume?.map((e) => e.id)) : ctl.filter;
      // a waiting client has had nothing yet
      const previous = c.group ? c.filter : NOTHING;
      const since = c.since;
      if (this.groupId(c.format, filter, ctl.shape) !== c.group?.id) this.sendConflated(c);
      this.leave(c);
      c.filter = filter;
      c.shape = ctl.shape;
      this.join(c);
      this.reply(c, { event: 'subscribed', ...describeFilter(c.filter), ...describeShape(c.shape, this.maxDepth), ...withId });
      if (ctl.resume) this.resume(c, ctl.resume, previous, since, withId);
      if (ctl.snapshot) this.sendSnapshot(c, previous, ctl.resume ? new Set(ctl.resume.map((r) => r.key)) : undefined);
      this.sendStatuses(c);
    } catch (err) {
      const code = clientErrorCode(err);
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

const EMPTY = new Uint8Array(0);
/** the filter of a client that has not subscribed yet (wait=true): it matches no key */
const NOTHING: Filter = { exchange: new Set(), symbol: new Set(), type: new Set() };
