// One WebSocket connection to an exchange, for one epoch: open, subscribe (paced), keep alive, detect stalls,
// hand every frame to a fresh mapper and pass its drafts up. Reconnecting and switching links is the feed's job.

import WebSocket from 'ws';
import { errorCode } from '../sdk/errors.ts';
import type { Draft, RecordType } from '../sdk/model.ts';
import type { ConnectionPlan, Mapper, Output } from '../sdk/plugin.ts';
import { RateLimiter } from './rate-limiter.ts';
import type { RecordTap } from '../sdk/fixture/format.ts';

export interface LinkClose {
  code: number;
  reason: string;
  /** the link had opened before it closed */
  wasOpen: boolean;
  /** HTTP status of a refused upgrade */
  httpStatus?: number;
  /** from a Retry-After header on a refused upgrade */
  retryAfterMs?: number;
  /** closed by us because the exchange went silent */
  stalled?: boolean;
}

export interface LinkEvents {
  opened(link: Link): void;
  draft(link: Link, draft: Draft, rtms: number): void;
  rollover(link: Link, reason: string): void;
  invalidate(link: Link, ty: RecordType, cd: string): void;
  closed(link: Link, info: LinkClose): void;
  /** an error or event worth counting, by code */
  count(code: string): void;
  log(level: 'debug' | 'info' | 'warn' | 'error', msg: string): void;
}

export interface LinkOptions {
  /** no frame, ping or pong from the exchange for this long: the link is dead */
  stallTimeoutMs: number;
  sendsPerSecond?: number;
  /** REST requests for the whole exchange (shared by its links) */
  requestLimit?: RateLimiter;
  /** the recorder, when recording: sees every frame and answer before the mapper does */
  tap?: RecordTap;
}

const HANDSHAKE_TIMEOUT_MS = 10_000;
const HTTP_TIMEOUT_MS = 10_000;
let lastEpoch = 0;
let lastLinkId = 0;

/** Epochs are connection-open times in ms, strictly increasing within this worker. */
function nextEpoch(): number {
  lastEpoch = Math.max(Date.now(), lastEpoch + 1);
  return lastEpoch;
}

function retryAfterMs(header: string | string[] | undefined): number | undefined {
  const v = Array.isArray(header) ? header[0] : header;
  if (!v) return undefined;
  const secs = Number(v);
  if (Number.isFinite(secs)) return Math.max(0, secs * 1000);
  const at = Date.parse(v);
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : undefined;
}

export class Link {
  readonly id = ++lastLinkId;
  ep = 0;
  openedAt = 0;
  /** last frame, ping or pong from the exchange */
  lastHeardAt = 0;
  /** last data frame */
  lastMessageAt = 0;
  messages = 0;
  bytes = 0;
  private socket: WebSocket | undefined;
  private mapper: Mapper | undefined;
  private readonly out: Output;
  private rtms = 0;
  private readonly outbox: string[] = [];
  private readonly sendLimit: RateLimiter | undefined;
  private sendTimer: ReturnType<typeof setTimeout> | undefined;
  private watchdog: ReturnType<typeof setInterval> | undefined;
  private keepAlive: ReturnType<typeof setInterval> | undefined;
  private probing = false;
  private done = false;
  private refusal: Pick<LinkClose, 'httpStatus' | 'retryAfterMs'> = {};
  private stalled = false;
  /** requests waiting for the exchange's REST limit */
  private readonly waiting = new Set<ReturnType<typeof setTimeout>>();
  private readonly decoder = new TextDecoder();

  constructor(
    readonly plan: ConnectionPlan,
    private readonly opts: LinkOptions,
    private readonly events: LinkEvents,
  ) {
    this.sendLimit = opts.sendsPerSecond ? new RateLimiter([{ count: opts.sendsPerSecond, windowMs: 1000 }]) : undefined;
    this.out = {
      emit: (draft) => this.events.draft(this, draft, this.rtms),
      request: (tag, url) => this.request(tag, url),
      send: (frame) => this.send(frame),
      rollover: (reason) => this.events.rollover(this, reason),
      invalidate: (ty, cd) => this.events.invalidate(this, ty, cd),
    };
  }

  get isOpen(): boolean {
    return this.socket?.readyState === WebSocket.OPEN;
  }

  start(): void {
    const headers = this.plan.headers?.();
    const ws = new WebSocket(this.plan.url, { handshakeTimeout: HANDSHAKE_TIMEOUT_MS, perMessageDeflate: false, ...(headers ? { headers } : {}) });
    this.socket = ws;
    ws.on('open', () => this.onOpen(ws));
    ws.on('message', (data: Buffer, isBinary: boolean) => this.onMessage(data, isBinary));
    ws.on('ping', () => (this.lastHeardAt = Date.now()));
    ws.on('pong', () => {
      this.lastHeardAt = Date.now();
      this.probing = false;
    });
    ws.on('unexpected-response', (_req, res) => {
      this.refusal = { httpStatus: res.statusCode, retryAfterMs: retryAfterMs(res.headers['retry-after']) };
      this.events.count(`HTTP_${res.statusCode}`);
      res.resume();
      ws.terminate();
    });
    ws.on('error', (err) => {
      this.events.count('SOCKET');
      this.events.log('warn', `${this.plan.name}: ${err.message}`);
    });
    ws.on('close', (code, reason) => this.onClose(code, reason.toString()));
  }

  private onOpen(ws: WebSocket): void {
    this.ep = nextEpoch();
    this.openedAt = this.ep;
    this.lastHeardAt = Date.now();
    this.mapper = this.plan.createMapper();
    this.opts.tap?.open(this.id, this.plan.name, this.plan.url, this.ep);
    for (const frame of this.plan.subscribe) this.send(frame);
    const ka = this.plan.keepAlive;
    if (ka) this.keepAlive = setInterval(() => (ka.frame === undefined ? this.ping() : this.send(ka.frame)), ka.intervalMs);
    // Liveness rests on the connection's keep-alive, not on any market's trades: after half the stall time of
    // silence we probe with a ping; a live exchange answers it even when its markets are quiet.
    const stall = this.opts.stallTimeoutMs;
    this.watchdog = setInterval(() => {
      const silent = Date.now() - this.lastHeardAt;
      if (silent > stall) {
        this.stalled = true;
        this.events.count('STALL');
        this.events.log('warn', `${this.plan.name}: nothing heard for ${silent} ms: replacing the connection`);
        ws.terminate();
      } else if (silent > stall / 2 && !this.probing) {
        this.probing = true;
        this.ping();
      }
    }, Math.max(50, Math.floor(stall / 4)));
    this.events.opened(this);
  }

  private ping(): void {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.ping();
  }

  private onMessage(data: Buffer, isBinary: boolean): void {
    if (this.done || !this.mapper) return;
    const rtms = Date.now();
    this.rtms = rtms;
    this.lastHeardAt = rtms;
    this.lastMessageAt = rtms;
    this.messages++;
    this.bytes += data.length;
    try {
      const text = isBinary ? this.decoder.decode(data) : data.toString('utf8');
      this.opts.tap?.frame(this.id, rtms, text);
      this.mapper.onMessage(text, rtms, this.out);
    } catch (err) {
      this.fault(err);
    }
  }

  /** queues a frame; frames leave no faster than the exchange's per-connection limit */
  send(frame: string): void {
    this.outbox.push(frame);
    this.drain();
  }

  private drain(): void {
    if (this.sendTimer) return;
    while (this.outbox.length && this.socket?.readyState === WebSocket.OPEN) {
      const wait = this.sendLimit?.delay() ?? 0;
      if (wait > 0) {
        this.sendTimer = setTimeout(() => {
          this.sendTimer = undefined;
          this.drain();
        }, wait);
        return;
      }
      this.sendLimit?.take();
      this.socket.send(this.outbox.shift()!);
    }
  }

  /** A mapper's HTTP request. The answer goes to the same mapper, unless this link has ended meanwhile. */
  private request(tag: string, url: string): void {
    const mapper = this.mapper;
    const deliver = (status: number, body: string) => {
      if (this.done || !mapper?.onResponse) return;
      this.rtms = Date.now();
      this.opts.tap?.response(this.id, this.rtms, tag, status, body);
      try {
        mapper.onResponse(tag, { status, body }, this.rtms, this.out);
      } catch (err) {
        this.fault(err);
      }
    };
    const go = () => {
      if (this.done) return;
      // within the exchange's REST limit (e.g. Binance's request weight per minute): wait for a slot
      const limit = this.opts.requestLimit;
      const wait = limit?.delay() ?? 0;
      if (wait > 0) {
        const t = setTimeout(() => {
          this.waiting.delete(t);
          go();
        }, wait);
        this.waiting.add(t);
        return;
      }
      limit?.take();
      fetch(url, { signal: AbortSignal.timeout(HTTP_TIMEOUT_MS) })
        .then(async (res) => {
          if (res.status !== 200) this.events.count(`HTTP_${res.status}`);
          deliver(res.status, await res.text());
        })
        .catch((err: Error) => {
          this.events.count('HTTP');
          this.events.log('warn', `${this.plan.name}: request ${tag} failed: ${err.message}`);
          deliver(0, err.message);
        });
    };
    go();
  }

  private fault(err: unknown): void {
    const code = errorCode(err);
    this.events.count(code);
    this.events.log(code === 'INTERNAL' ? 'error' : 'debug', `${this.plan.name}: frame skipped (${code}): ${(err as Error)?.message ?? err}`);
  }

  private onClose(code: number, reason: string): void {
    const wasOpen = this.ep !== 0;
    if (wasOpen) this.opts.tap?.closed(this.id, code, reason);
    this.stop();
    this.events.closed(this, { code, reason, wasOpen, ...this.refusal, ...(this.stalled ? { stalled: true } : {}) });
  }

  private stop(): void {
    this.done = true;
    for (const t of this.waiting) clearTimeout(t);
    this.waiting.clear();
    clearInterval(this.keepAlive);
    clearInterval(this.watchdog);
    clearTimeout(this.sendTimer);
    this.outbox.length = 0;
  }

  /** closes the socket (gracefully if open) and stops all timers; the `closed` event still follows */
  close(code = 1000, reason = 'gateway closing'): Promise<void> {
    const ws = this.socket;
    this.stop();
    if (!ws || ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      const force = setTimeout(() => ws.terminate(), 1000);
      ws.once('close', () => {
        clearTimeout(force);
        resolve();
      });
      if (ws.readyState === WebSocket.OPEN) ws.close(code, reason);
      else ws.terminate();
    });
  }
}
