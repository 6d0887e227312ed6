// Fans records out to clients: per-key routing index, one encoding and one WebSocket frame per shape (format ×
// depth) per record, clients with the same filter, format and shape grouped so each gets one socket write per
// event-loop turn, conflation per group, backpressure cut-off; status and resync events; resume.

import type { RecordBatch } from '../../boundary/batch.ts';
import { recordAt } from '../../boundary/batch.ts';
import { encode } from '../../boundary/codec.ts';
import type { Filter } from '../filter.ts';
import { describeFilter } from '../filter.ts';
import { streamKey } from '../../sdk/model.ts';
import type { StreamEvent } from '../status/events.ts';
import { arrayPayload } from './batch-frame.ts';
import type { ClientSink } from './catch-up.ts';
import { sendConflated, sendResume, sendSnapshot } from './catch-up.ts';
import type { ConnectOptions, Format } from './client-protocol.ts';
import { errorAnswer, readControl } from './control.ts';
import { FlushWindow } from './flush-window.ts';
import type { ControlContext } from './control.ts';
import { GroupIndex, groupId } from './groups.ts';
import type { Client, ClientHandle, Group, HubOptions } from './hub-types.ts';
import type { Peer } from './peer.ts';
import { BINARY, TEXT, wsFrame } from './peer.ts';
import { PLAIN, describeShape } from './shape.ts';
import type { Out } from './shaped-outs.ts';
import { RecordOuts, out } from './shaped-outs.ts';

export type { Client, ClientHandle, HubOptions } from './hub-types.ts';

export class Hub {
  private readonly clients = new Set<Client>();
  private readonly index = new GroupIndex((g) => this.tick(g));
  /** groups holding records not yet written */
  private readonly dirty: Group[] = [];
  private readonly window: FlushWindow;
  private nextId = 1;
  private readonly counters;
  private readonly outs = new RecordOuts();
  private readonly maxDepth: number;
  private readonly control: ControlContext;
  private readonly sink: ClientSink = {
    send: (c, payload, records) => this.send(c, payload, records),
    reply: (c, msg) => this.reply(c, msg),
  };

  constructor(private readonly opts: HubOptions) {
    this.maxDepth = opts.maxDepth ?? 200;
    this.window = new FlushWindow(opts.flushMs ?? 0, () => this.flush());
    this.control = { catalog: opts.catalog, maxDepth: this.maxDepth, guard: opts.guard };
    const m = opts.metrics;
    this.counters = {
      deliveries: m.counter('gateway_client_frames_total', 'Frames sent to clients, by format'),
      errors: m.counter('gateway_client_errors_total', 'Bad client messages answered with an error, by code'),
      slow: m.counter('gateway_client_slow_disconnects_total', 'Clients disconnected for not keeping up (close 1008)'),
      connects: m.counter('gateway_client_connections_total', 'Client connections accepted'),
      resumes: m.counter('gateway_client_resume_keys_total', 'Keys asked for in resume, by outcome (recovered, lost)'),
      writes: m.counter('gateway_client_writes_total', 'Socket writes of routed records to clients (one per client per flush)'),
      flushes: m.counter('gateway_fanout_flushes_total', 'Flushes of routed records (each writes once to every client that has some)'),
      flushTime: m.histogram('gateway_fanout_flush_seconds', 'Wall time of each flush of routed records, its socket writes and any wait for a CPU meanwhile included'),
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

  /** every connected client: private delivery (kernel/private/delivery.ts) picks the ones entitled to a record */
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
      if (options.snapshot) sendSnapshot(this.sink, this.opts.store, client, null, undefined);
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
      const route = this.index.routes.get(key) ?? this.index.buildRoute(key);
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
    if (this.dirty.length) this.window.schedule();
  }

  /** Writes what the groups hold: one buffer per group (one array frame with batch=true), one write per client. */
  flush(): void {
    this.window.cancel();
    const dirty = this.dirty;
    if (!dirty.length) return;
    this.counters.flushes.inc();
    const t0 = performance.now();
    let writes = 0;
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
      writes += sent;
    }
    dirty.length = 0;
    if (writes) this.counters.writes.inc({}, writes);
    this.counters.flushTime.observe((performance.now() - t0) / 1000);
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
    const route = this.index.routes.get(key) ?? this.index.buildRoute(key);
    for (const g of route.groups) {
      // a book conflated before the resync must not go out after it
      g.conflated?.delete(key);
      for (const c of g.clients) this.send(c, payload(c.format));
    }
  }

  /** an interval group's conflated records join the turn's pending ones */
  private tick(g: Group): void {
    const c = g.conflated!;
    if (c.size === 0) return;
    if (g.pending.length === 0) this.dirty.push(g);
    for (const o of c.values()) g.pending.push(o);
    c.clear();
    this.window.schedule();
  }

  /** puts the client in the group of its format, filter and shape */
  private join(c: Client): void {
    c.group = this.index.groupOf(c.format, c.filter, c.shape);
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
    this.index.drop(g);
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

  /** sends a control answer in the client's format */
  private reply(c: Client, msg: Record<string, unknown>): void {
    this.send(c, c.format === 'json' ? JSON.stringify(msg) : encode(msg));
  }

  private sendStatuses(c: Client): void {
    for (const s of this.opts.statuses?.(c.filter.exchange) ?? []) this.reply(c, s as unknown as Record<string, unknown>);
  }

  private onMessage(c: Client, data: string | Uint8Array): void {
    if (!c.open) return;
    // what was routed before this message reaches the client before the answer
    this.flush();
    const seen: { id?: unknown } = {};
    try {
      const { ctl, filter } = readControl(this.control, c, data, seen);
      const withId = ctl.id === undefined ? {} : { id: ctl.id };
      if (ctl.method === 'ping') {
        this.reply(c, { event: 'pong', tms: Date.now(), ...withId });
        return;
      }
      // a waiting client has had nothing yet
      const previous = c.group ? c.filter : NOTHING;
      const since = c.since;
      if (groupId(c.format, filter, ctl.shape) !== c.group?.id) sendConflated(this.sink, c);
      this.leave(c);
      c.filter = filter;
      c.shape = ctl.shape;
      this.join(c);
      this.reply(c, { event: 'subscribed', ...describeFilter(c.filter), ...describeShape(c.shape, this.maxDepth), ...withId });
      if (ctl.resume) sendResume(this.sink, { store: this.opts.store, history: this.opts.history, resumes: this.counters.resumes }, c, ctl.resume, previous, since, withId);
      if (ctl.snapshot) sendSnapshot(this.sink, this.opts.store, c, previous, ctl.resume ? new Set(ctl.resume.map((r) => r.key)) : undefined);
      this.sendStatuses(c);
    } catch (err) {
      const { code, answer } = errorAnswer(err, seen.id);
      this.counters.errors.inc({ code });
      this.reply(c, answer);
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
