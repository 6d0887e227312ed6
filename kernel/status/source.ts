// The state machine on the node that feeds the bus (standalone, or the cluster leader): evaluates every exchange,
// publishes each change at once and every state once a second on the bus, and publishes `resync` for invalidated
// book keys, which count as resynchronizing until their next record.

import type { Logger } from '../log.ts';
import type { Invalidation } from '../../boundary/worker-protocol.ts';
import type { ExchangeFacts } from './evaluate.ts';
import { evaluate } from './evaluate.ts';
import type { StatusEvent, StatusState, StreamEvent } from './events.ts';

export interface StatusSourceOptions {
  /** the configured exchanges and what is known of them now (resyncing is filled in here) */
  facts(): { id: string; facts: Omit<ExchangeFacts, 'resyncing'> }[];
  /** puts the messages on the bus (with the records, so every node hears the same) */
  publish(events: StreamEvent[]): void;
  log: Logger;
  /** how often states are evaluated; default 250 ms */
  evaluateMs?: number;
  /** how often every state is published even when unchanged (followers judge the leader's liveness by it) */
  heartbeatMs?: number;
}

interface Current {
  state: StatusState;
  reason?: string;
  since: number;
}

export class StatusSource {
  private readonly current = new Map<string, Current>();
  private readonly resyncing = new Map<string, Set<string>>();
  private pendingResync = 0;
  private timer: ReturnType<typeof setInterval> | undefined;
  private lastBeat = 0;
  /** only the node feeding the bus publishes */
  private active = false;

  constructor(private readonly opts: StatusSourceOptions) {}

  start(): void {
    this.timer ??= setInterval(() => this.tick(), this.opts.evaluateMs ?? 250);
  }

  /** on while this node holds the exchange connections; turning it on publishes every state at once */
  setActive(on: boolean): void {
    if (on === this.active) return;
    this.active = on;
    this.resyncing.clear();
    this.pendingResync = 0;
    if (on) this.tick(true);
  }

  /** book keys a worker invalidated: `resync` for each, and the exchange degraded until they publish again */
  invalidated(exchange: string, keys: Invalidation[]): void {
    if (!this.active) return;
    let set = this.resyncing.get(exchange);
    if (!set) this.resyncing.set(exchange, (set = new Set()));
    const events: StreamEvent[] = [];
    for (const k of keys) {
      if (k.ty !== 'orderbook') continue;
      if (!set.has(k.key)) this.pendingResync++;
      set.add(k.key);
      events.push({ event: 'resync', exchange, symbol: k.cd, type: 'orderbook', tms: k.tms });
    }
    if (events.length) this.opts.publish(events);
    this.tick(false, exchange);
  }

  /** evaluates one exchange now (its worker has just reported) */
  evaluate(exchange: string): void {
    this.tick(false, exchange);
  }

  /** keys that have just published: those resynchronizing are whole again */
  delivered(exchange: string, keys: readonly string[]): void {
    if (this.pendingResync === 0) return;
    const set = this.resyncing.get(exchange);
    if (!set || set.size === 0) return;
    for (const k of keys) if (set.delete(k)) this.pendingResync--;
  }

  /** keys no longer served (subscriptions shrank) stop counting as resynchronizing */
  retain(keep: (key: string) => boolean): void {
    for (const set of this.resyncing.values()) {
      for (const k of set) {
        if (keep(k)) continue;
        set.delete(k);
        this.pendingResync--;
      }
    }
  }

  /** evaluates (one exchange, or all) and publishes changes; every state when the heartbeat is due or `all` */
  private tick(all = false, only?: string): void {
    if (!this.active) return;
    const now = Date.now();
    const beat = all || now - this.lastBeat >= (this.opts.heartbeatMs ?? 1000);
    if (beat) this.lastBeat = now;
    const out: StatusEvent[] = [];
    for (const { id, facts } of this.opts.facts()) {
      if (only !== undefined && id !== only && !beat) continue;
      const v = evaluate({ ...facts, resyncing: this.resyncing.get(id)?.size ?? 0 }, now);
      let cur = this.current.get(id);
      const changed = !cur || cur.state !== v.state || cur.reason !== v.reason;
      if (!cur || cur.state !== v.state) {
        cur = { state: v.state, since: now };
        this.current.set(id, cur);
      }
      cur.reason = v.reason;
      if (changed && v.state !== 'up') this.opts.log.info(`status ${id}: ${v.state} (${v.reason})`);
      else if (changed) this.opts.log.info(`status ${id}: up`);
      if (changed || beat) {
        out.push({ event: 'status', exchange: id, state: cur.state, since: cur.since, tms: now, ...(cur.reason ? { reason: cur.reason } : {}) });
      }
    }
    if (out.length) this.opts.publish(out);
  }

  /** idempotent */
  close(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.active = false;
  }
}
