// The gateway client: one WebSocket kept open with backoff, resume from the last (ep, sq) of every key, gaps,
// status, the latest-value pool, callbacks and async iterators (SPEC §4, §4a).

import { Backoff } from './backoff.ts';
import { ClientError, Emitter } from './events.ts';
import { Heartbeat } from './heartbeat.ts';
import type { ClientEvents, ControlEvent, StatusEvent } from './events.ts';
import { connectUrl, resolveOptions } from './options.ts';
import type { ClientOptions, Resolved } from './options.ts';
import { LatestPool } from './pool.ts';
import type { LatestSelector } from './pool.ts';
import { AsyncQueue } from './queue.ts';
import { isRecord } from './records.ts';
import type { GatewayRecord, RecordByType, RecordType } from './records.ts';
import { ResumeGate } from './resume-gate.ts';
import { SequenceTracker } from './tracker.ts';
import type { ResumeEntry } from './tracker.ts';
import { OPEN, decodeFrame, resolveWebSocket } from './transport.ts';
import type { WebSocketLike } from './transport.ts';

/** What `events()` yields: every event but the per-type record aliases, tagged with its name. */
export type ClientEvent = { [K in Exclude<keyof ClientEvents, RecordType>]: { kind: K; data: ClientEvents[K] } }[Exclude<keyof ClientEvents, RecordType>];

export interface SubscribeOptions {
  exchange?: string | string[];
  symbol?: string | string[];
  type?: RecordType | RecordType[];
  depth?: number;
  interval?: number;
  batch?: boolean;
}

export class GatewayClient extends Emitter<ClientEvents> {
  /** the newest record of every key received */
  readonly pool = new LatestPool();
  private readonly tracker: SequenceTracker;
  private opts: Resolved;
  private readonly backoff: Backoff;
  private ws: WebSocketLike | undefined;
  private readonly states = new Map<string, StatusEvent>();
  private readonly queues = new Set<AsyncQueue<ClientEvent>>();
  private readonly recordQueues = new Set<AsyncQueue<GatewayRecord>>();
  private closed = false;
  private started: Promise<void> | undefined;
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly heartbeat: Heartbeat;
  private resumeId: string | undefined;
  private resumeSupported = true;
  private resumeSent: ResumeEntry[] = [];
  private readonly gate = new ResumeGate<GatewayRecord>((r) => this.process(r));
  private controlSeq = 0;
  /** true while a WebSocket is open */
  connected = false;

  constructor(private readonly options: ClientOptions) {
    super();
    this.opts = resolveOptions(options);
    this.tracker = new SequenceTracker(this.opts.shape.interval !== undefined);
    this.backoff = new Backoff(this.opts.reconnect || {});
    this.heartbeat = new Heartbeat(this.opts.pingIntervalMs, this.opts.pongTimeoutMs, (reason) => this.lost(4000, reason));
  }

  /** Starts connecting; resolves when the first connection is open (it keeps retrying until then, unless reconnect is off). */
  start(): Promise<void> {
    if (!this.started) {
      this.started = new Promise<void>((resolve, reject) => {
        const offOpen = this.once('open', () => { offClose(); resolve(); });
        const offClose = this.on('close', (e) => {
          if (e.reconnectInMs !== undefined) return;
          offOpen();
          offClose();
          reject(new ClientError('CLOSED', `the connection closed before it opened (${e.code} ${e.reason})`));
        });
      });
      void this.connect();
    }
    return this.started;
  }

  /** Stops for good: closes the socket, cancels reconnects, ends every iterator. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.retryTimer);
    const ws = this.ws;
    this.drop();
    if (ws) this.emit('close', { code: 1000, reason: 'closed by the client' });
    for (const q of this.queues) q.end();
    for (const q of this.recordQueues) q.end();
  }

  latest<T extends RecordType>(exchange: string, symbol: string, type: T, sel?: LatestSelector): RecordByType[T] | undefined {
    return this.pool.latest(exchange, symbol, type, sel);
  }

  /** the last status event of an exchange on the current connection */
  status(exchange: string): StatusEvent | undefined {
    return this.states.get(exchange);
  }

  statuses(): StatusEvent[] {
    return [...this.states.values()];
  }

  /**
   * True only when the latest record of the key can be acted on: connected, the exchange's status is `up`, no
   * `resync` pending for the key, and (with maxAgeMs) the record was received within that time.
   */
  trusted(exchange: string, symbol: string, type: RecordType, opts: { maxAgeMs?: number } = {}): boolean {
    if (!this.connected || this.states.get(exchange)?.state !== 'up' || !this.pool.valid(exchange, symbol, type)) return false;
    const r = this.pool.latest(exchange, symbol, type);
    if (!r) return false;
    return opts.maxAgeMs === undefined || Date.now() - (r.rtms ?? r.tms) <= opts.maxAgeMs;
  }

  /** Replaces the filter (and shaping) on the open connection and for every reconnect. */
  subscribe(s: SubscribeOptions): void {
    this.opts = resolveOptions({ ...this.options, ...s, url: this.options.url });
    const f = this.opts.filter;
    const keep = (v: string, l?: string[]) => !l || l.includes(v);
    this.tracker.retain((k) => keep(k.ex, f.exchange) && keep(k.cd, f.symbol) && keep(k.ty, f.type));
    this.sendControl({ method: 'subscribe', ...f, ...this.opts.shape });
  }

  /** records only, in arrival order (one iterator per call) */
  records(): AsyncIterableIterator<GatewayRecord> {
    const q: AsyncQueue<GatewayRecord> = new AsyncQueue(this.opts.maxQueue, () => this.recordQueues.delete(q));
    if (this.closed) q.end();
    else {
      this.recordQueues.add(q);
      this.start().catch(() => {}); // iterating connects; a failure ends the iterator (close) and is an error event
    }
    return q;
  }

  /** every event (records, status, gaps, ...) tagged with its kind */
  events(): AsyncIterableIterator<ClientEvent> {
    const q: AsyncQueue<ClientEvent> = new AsyncQueue(this.opts.maxQueue, () => this.queues.delete(q));
    if (this.closed) q.end();
    else {
      this.queues.add(q);
      this.start().catch(() => {});
    }
    return q;
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<GatewayRecord> {
    return this.records();
  }

  protected override emit<K extends keyof ClientEvents>(name: K, value: ClientEvents[K]): void {
    super.emit(name, value);
    if (this.queues.size && !isRecordType(name)) for (const q of this.queues) q.push({ kind: name, data: value } as ClientEvent);
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    let Ctor;
    try {
      Ctor = await resolveWebSocket(this.options.WebSocket);
    } catch (err) {
      this.emit('error', err as ClientError);
      this.close();
      return;
    }
    if (this.closed) return;
    let resume = this.opts.resume && this.resumeSupported && this.tracker.size > 0 ? this.tracker.entries() : [];
    if (resume.length && JSON.stringify(resume).length > MAX_RESUME_CHARS) {
      // over the gateway's control-message limit: re-snapshot instead, and name the cause of the jumps
      resume = [];
      this.tracker.expect('unresumable');
    }
    const snapshot = resume.length ? false : this.attempt === 0 || !this.tracker.size ? this.opts.snapshot : true;
    // resuming: wait=true, so the gateway sends nothing before its answer; the subscribe then also brings the
    // snapshot of the filter's keys this client never held
    const url = connectUrl(this.opts, snapshot, resume.length > 0);
    const ws = new Ctor(url);
    ws.binaryType = 'arraybuffer';
    this.ws = ws;
    ws.onopen = () => {
      if (this.ws !== ws) return;
      this.connected = true;
      this.gate.begin(resume);
      if (resume.length) {
        this.resumeId = `resume-${++this.controlSeq}`;
        this.resumeSent = resume;
        ws.send(JSON.stringify({ method: 'subscribe', id: this.resumeId, ...this.opts.filter, ...this.opts.shape, resume }));
      }
      this.heartbeat.start(ws);
      this.emit('open', { url, attempt: this.attempt, resuming: resume.length });
    };
    ws.onmessage = (ev) => {
      if (this.ws !== ws) return;
      this.heartbeat.frame();
      this.backoff.reset();
      let values: unknown[];
      try {
        values = decodeFrame(ev.data);
      } catch (err) {
        this.emit('error', err as ClientError);
        return;
      }
      for (const v of values) this.handle(v);
    };
    ws.onerror = () => {
      if (this.ws === ws) this.emit('error', new ClientError('WEBSOCKET', `WebSocket error on ${url}`));
    };
    ws.onclose = (ev) => {
      if (this.ws === ws) this.lost(ev.code, ev.reason);
    };
  }

  private process(v: GatewayRecord): void {
    const verdict = this.tracker.accept(v);
    if (verdict.gap) this.emit('gap', verdict.gap);
    if (!verdict.deliver) return;
    this.pool.put(v);
    this.emit('record', v);
    this.emit(v.ty, v as never);
    for (const q of this.recordQueues) q.push(v);
  }

  private handle(v: unknown): void {
    if (isRecord(v)) {
      if (!this.gate.hold(v)) this.process(v);
      return;
    }
    const m = v as ControlEvent;
    switch (m?.event) {
      case 'status':
        this.gate.end();
        this.states.set(m.exchange, m);
        this.emit('status', m);
        return;
      case 'resync':
        this.pool.invalidate(m.exchange, m.symbol, m.type);
        this.emit('resync', m);
        return;
      case 'resumed':
        for (const gap of this.tracker.lost(Array.isArray(m.lost) ? m.lost : [])) this.emit('gap', gap);
        this.gate.resumed();
        this.emit('resumed', m);
        return;
      case 'subscribed':
        this.emit('subscribed', m);
        return;
      case 'pong':
        this.emit('pong', m);
        return;
      case 'error':
        if (m.id !== undefined && m.id === this.resumeId) {
          // One entry refused (e.g. a market no longer served): forget that key and resume the rest. Anything else
          // (a gateway without resume): reconnect with a snapshot from now on, naming the cause of the jumps it shows.
          const bad = /^resume\[(\d+)\]/.exec(m.message ?? '');
          const entry = bad ? this.resumeSent[Number(bad[1])] : undefined;
          if (entry) this.tracker.retain((k) => k.ex !== entry.ex || k.ty !== entry.ty || k.cd !== entry.cd || k.rex !== entry.rex || k.iv !== entry.iv);
          else {
            this.resumeSupported = false;
            this.tracker.expect('unresumable');
          }
          this.emit('error', new ClientError(m.code, `resume refused (${entry ? 'retrying without that key' : 're-snapshotting instead'}): ${m.message}`));
          this.lost(1000, 'resume refused', 0);
          return;
        }
        this.emit('error', new ClientError(m.code ?? 'SERVER', m.message ?? 'error from the gateway'));
        return;
      default:
        this.emit('error', new ClientError('DECODE', 'a frame was neither a record nor a known event'));
    }
  }

  private sendControl(msg: Record<string, unknown>): void {
    if (this.ws?.readyState === OPEN) this.ws.send(JSON.stringify(msg));
  }

  /** detaches the current socket without scheduling anything */
  private drop(): void {
    const ws = this.ws;
    this.ws = undefined;
    this.connected = false;
    this.states.clear();
    this.gate.reset();
    this.heartbeat.stop();
    if (ws) {
      ws.onopen = ws.onmessage = ws.onerror = ws.onclose = null;
      if (ws.readyState <= OPEN) try { ws.close(1000); } catch { /* closing anyway */ }
    }
  }

  private lost(code: number, reason: string, delayMs?: number): void {
    this.drop();
    if (this.closed) return;
    if (this.opts.reconnect === false) {
      this.closed = true;
      this.emit('close', { code, reason });
      for (const q of this.queues) q.end();
      for (const q of this.recordQueues) q.end();
      return;
    }
    const wait = delayMs ?? this.backoff.next();
    this.attempt++;
    this.emit('close', { code, reason, reconnectInMs: wait });
    this.retryTimer = setTimeout(() => void this.connect(), wait);
  }
}

/** the gateway refuses control messages over 64 KiB; keep the resume list well inside */
const MAX_RESUME_CHARS = 60_000;
const RECORD_TYPES = new Set(['ticker', 'trade', 'orderbook', 'premium', 'candle', 'listing']);
const isRecordType = (name: string): name is RecordType => RECORD_TYPES.has(name);
