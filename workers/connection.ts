// One exchange WebSocket connection inside a worker: open, subscribe, keep alive, map frames, reconnect.
//
// Each successful open starts a new epoch: a fresh mapper (so books resynchronize) and a fresh record pipeline
// (so `sq` restarts at 1 under a new, larger `ep`).

import WebSocket from 'ws';
import { errorCode } from '../core/errors.ts';
import type { Draft } from '../core/model.ts';
import type { ConnectionPlan, Mapper, Output } from '../core/plugin.ts';
import { RecordPipeline } from '../core/pipeline.ts';
import type { ConnectionStats, ReconnectPolicy } from '../core/worker-protocol.ts';
import { Backoff } from './backoff.ts';
import type { MarketRecord } from '../core/model.ts';

export interface ConnectionHooks {
  /** a final record, ready to encode */
  record(key: string, record: MarketRecord): void;
  log(level: 'debug' | 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>): void;
  /** the connection's state changed (opened, closed) */
  changed(): void;
}

const HTTP_TIMEOUT_MS = 10_000;
let lastEpoch = 0;

/** Epochs are connection-open times in ms, strictly increasing within this worker. */
function nextEpoch(): number {
  lastEpoch = Math.max(Date.now(), lastEpoch + 1);
  return lastEpoch;
}

export class ExchangeConnection {
  readonly stats: ConnectionStats;
  private socket: WebSocket | undefined;
  private mapper: Mapper | undefined;
  private pipeline: RecordPipeline | undefined;
  private readonly backoff: Backoff;
  private keepAliveTimer: ReturnType<typeof setInterval> | undefined;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private healthyTimer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;
  private readonly decoder = new TextDecoder();
  private readonly out: Output;
  private rtms = 0;

  constructor(
    private readonly plan: ConnectionPlan,
    private readonly depth: number,
    private readonly policy: ReconnectPolicy,
    private readonly hooks: ConnectionHooks,
  ) {
    this.backoff = new Backoff(policy);
    this.stats = {
      name: plan.name,
      url: plan.url,
      state: 'closed',
      ep: 0,
      connectedAt: 0,
      lastMessageAt: 0,
      messages: 0,
      bytes: 0,
      records: 0,
      reconnects: 0,
      errors: {},
      subscriptions: plan.subscribe.length,
    };
    this.out = {
      emit: (draft) => this.emit(draft),
      request: (tag, url) => this.request(tag, url),
      send: (frame) => this.socket?.send(frame),
    };
  }

  start(): void {
    this.open();
  }

  private open(): void {
    if (this.closed) return;
    this.stats.state = 'connecting';
    const ws = new WebSocket(this.plan.url, { handshakeTimeout: 10_000, perMessageDeflate: false });
    this.socket = ws;
    ws.on('open', () => this.onOpen(ws));
    ws.on('message', (data: Buffer, isBinary: boolean) => this.onMessage(ws, data, isBinary));
    ws.on('unexpected-response', (_req, res) => {
      this.count(`HTTP_${res.statusCode}`);
      this.hooks.log('warn', `${this.plan.name}: upgrade refused with HTTP ${res.statusCode}`);
      ws.terminate();
    });
    ws.on('error', (err) => {
      this.count('SOCKET');
      this.hooks.log('warn', `${this.plan.name}: socket error: ${err.message}`);
    });
    ws.on('close', (code, reason) => this.onClose(ws, code, reason.toString()));
  }

  private onOpen(ws: WebSocket): void {
    if (ws !== this.socket) return;
    const ep = nextEpoch();
    this.mapper = this.plan.createMapper();
    this.pipeline = new RecordPipeline(ep, this.depth);
    Object.assign(this.stats, { state: 'open', ep, connectedAt: ep });
    for (const frame of this.plan.subscribe) ws.send(frame);
    const ka = this.plan.keepAlive;
    if (ka) {
      this.keepAliveTimer = setInterval(() => {
        if (ka.frame === undefined) ws.ping();
        else ws.send(ka.frame);
      }, ka.intervalMs);
    }
    this.healthyTimer = setTimeout(() => this.backoff.reset(), this.policy.resetAfterMs);
    this.hooks.log('info', `${this.plan.name}: connected`, { ep, url: this.plan.url });
    this.hooks.changed();
  }

  private onMessage(ws: WebSocket, data: Buffer, isBinary: boolean): void {
    if (ws !== this.socket || !this.mapper) return;
    const rtms = Date.now();
    this.rtms = rtms;
    this.stats.messages++;
    this.stats.bytes += data.length;
    this.stats.lastMessageAt = rtms;
    try {
      const text = isBinary ? this.decoder.decode(data) : data.toString('utf8');
      this.mapper.onMessage(text, rtms, this.out);
    } catch (err) {
      this.fault(err);
    }
  }

  private emit(draft: Draft): void {
    const result = this.pipeline!.accept(draft, this.rtms);
    if (!result) return;
    this.stats.records++;
    this.hooks.record(result.key, result.record);
  }

  /** A mapper's HTTP request (e.g. a book snapshot). The answer is dropped if the connection moved to a new epoch. */
  private request(tag: string, url: string): void {
    const mapper = this.mapper;
    const deliver = (status: number, body: string) => {
      if (this.closed || mapper !== this.mapper || !mapper?.onResponse) return;
      this.rtms = Date.now();
      try {
        mapper.onResponse(tag, { status, body }, this.rtms, this.out);
      } catch (err) {
        this.fault(err);
      }
    };
    fetch(url, { signal: AbortSignal.timeout(HTTP_TIMEOUT_MS) })
      .then(async (res) => {
        if (res.status !== 200) this.count(`HTTP_${res.status}`);
        deliver(res.status, await res.text());
      })
      .catch((err: Error) => {
        this.count('HTTP');
        this.hooks.log('warn', `${this.plan.name}: request ${tag} failed: ${err.message}`);
        deliver(0, err.message);
      });
  }

  private fault(err: unknown): void {
    const code = errorCode(err);
    this.count(code);
    const level = code === 'INTERNAL' ? 'error' : 'debug';
    this.hooks.log(level, `${this.plan.name}: frame skipped (${code}): ${(err as Error)?.message ?? err}`);
  }

  private count(code: string): void {
    this.stats.errors[code] = (this.stats.errors[code] ?? 0) + 1;
  }

  private onClose(ws: WebSocket, code: number, reason: string): void {
    if (ws !== this.socket) return;
    this.stopTimers();
    this.socket = undefined;
    this.mapper = undefined;
    this.pipeline = undefined;
    const wasOpen = this.stats.state === 'open';
    this.stats.state = 'closed';
    if (this.closed) return;
    const delay = this.backoff.next();
    this.stats.reconnects++;
    this.hooks.log('warn', `${this.plan.name}: ${wasOpen ? 'closed' : 'could not connect'} (${code} ${reason}); retry in ${delay} ms`);
    this.hooks.changed();
    this.reconnectTimer = setTimeout(() => this.open(), delay);
  }

  private stopTimers(): void {
    clearInterval(this.keepAliveTimer);
    clearTimeout(this.healthyTimer);
    clearTimeout(this.reconnectTimer);
  }

  /** closes the socket and stops reconnecting; idempotent */
  close(): Promise<void> {
    this.closed = true;
    this.stopTimers();
    const ws = this.socket;
    if (!ws || ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      const done = setTimeout(() => {
        ws.terminate();
        resolve();
      }, 1000);
      ws.once('close', () => {
        clearTimeout(done);
        resolve();
      });
      if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
      else ws.close(1000, 'gateway shutting down');
    });
  }
}
