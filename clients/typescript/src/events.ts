// Control messages the gateway sends (SPEC §4, §4a), the SDK's own events, and a tiny portable emitter.

import type { GatewayRecord, RecordByType } from './records.ts';

/** A stream key: (ex, ty, cd) plus `rex` for premium and `iv` for candles. */
export interface KeyRef {
  ex: string;
  ty: string;
  cd: string;
  rex?: string;
  iv?: string;
}

export type ExchangeState = 'up' | 'degraded' | 'down';

export interface StatusEvent {
  event: 'status';
  exchange: string;
  state: ExchangeState;
  /** when this state began, ms */
  since: number;
  tms: number;
  /** why; present on every state but `up` */
  reason?: string;
}

export interface ResyncEvent {
  event: 'resync';
  exchange: string;
  symbol: string;
  type: string;
  tms: number;
}

export interface SubscribedEvent {
  event: 'subscribed';
  exchange: string[] | null;
  symbol: string[] | null;
  type: string[] | null;
  depth?: number;
  interval?: number;
  batch?: boolean;
  id?: string | number;
}

export interface ResumedEvent {
  event: 'resumed';
  recovered: KeyRef[];
  lost: KeyRef[];
}

export interface PongEvent {
  event: 'pong';
  tms: number;
  id?: string | number;
}

export interface ServerErrorEvent {
  event: 'error';
  code: string;
  message: string;
  id?: string | number;
}

export type ControlEvent = StatusEvent | ResyncEvent | SubscribedEvent | ResumedEvent | PongEvent | ServerErrorEvent;

/** Why the SDK reports a gap: records of this key were missed and will not come. */
export type GapReason =
  /** `sq` jumped within one epoch */
  | 'sequence'
  /** a new epoch began (the upstream connection changed): continuity across it is not known */
  | 'epoch'
  /** the gateway said the key's history no longer reaches back (resume answered `lost`) */
  | 'lost'
  /** the gateway does not support resume: the key was re-snapshotted after a reconnect */
  | 'unresumable';

export interface GapEvent extends KeyRef {
  reason: GapReason;
  /** the last (ep, sq) held before the gap */
  from: { ep: number; sq: number };
  /** the record after the gap, when one came */
  to?: { ep: number; sq: number };
  /** records known to be missing (same epoch only) */
  missed?: number;
}

export interface OpenEvent {
  url: string;
  /** 0 for the first connection, then the number of reconnects */
  attempt: number;
  /** keys whose resume was requested on this connection */
  resuming: number;
}

export interface CloseEvent {
  code: number;
  reason: string;
  /** the delay before the next attempt; absent once close() was called */
  reconnectInMs?: number;
}

/** Errors carry a stable code: `BAD_REQUEST` (from the gateway), `WEBSOCKET`, `DECODE`, `NO_WEBSOCKET`, `QUEUE_OVERFLOW`. */
export class ClientError extends Error {
  constructor(readonly code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ClientError';
  }
}

export type ClientEvents = {
  record: GatewayRecord;
  status: StatusEvent;
  resync: ResyncEvent;
  gap: GapEvent;
  subscribed: SubscribedEvent;
  resumed: ResumedEvent;
  pong: PongEvent;
  open: OpenEvent;
  close: CloseEvent;
  error: ClientError;
} & { [T in keyof RecordByType]: RecordByType[T] };

export type Listener<T> = (value: T) => void;

/** A minimal typed emitter (no node:events, so the same code runs in browsers). A throwing listener is reported, never propagated. */
export class Emitter<E extends Record<string, unknown>> {
  private readonly listeners = new Map<keyof E, Set<Listener<never>>>();

  on<K extends keyof E>(name: K, fn: Listener<E[K]>): () => void {
    let set = this.listeners.get(name);
    if (!set) this.listeners.set(name, (set = new Set()));
    set.add(fn as Listener<never>);
    return () => this.off(name, fn);
  }

  once<K extends keyof E>(name: K, fn: Listener<E[K]>): () => void {
    const off = this.on(name, (v) => {
      off();
      fn(v);
    });
    return off;
  }

  off<K extends keyof E>(name: K, fn: Listener<E[K]>): void {
    this.listeners.get(name)?.delete(fn as Listener<never>);
  }

  protected has(name: keyof E): boolean {
    return (this.listeners.get(name)?.size ?? 0) > 0;
  }

  protected emit<K extends keyof E>(name: K, value: E[K]): void {
    const set = this.listeners.get(name);
    if (!set) return;
    for (const fn of [...set]) {
      try {
        (fn as Listener<E[K]>)(value);
      } catch (err) {
        if (name === 'error') queueMicrotask(() => { throw err; });
        else this.emit('error' as K, new ClientError('LISTENER', `a "${String(name)}" listener threw`, { cause: err }) as E[K]);
      }
    }
  }
}
