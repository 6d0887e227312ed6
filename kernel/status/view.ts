// What every node tells its clients about each exchange: the state heard on the bus from the node that feeds it,
// unless this node cannot trust its stream (its bus is down, no leader, or the leader has gone silent): then `down`
// with that reason. Changes are passed on as soon as they are seen (checked every 250 ms).

import type { StatusEvent, StatusState } from './events.ts';

export interface StatusViewOptions {
  /** the configured exchanges */
  exchanges(): string[];
  /** why this node's stream cannot be trusted right now (bus unhealthy, no leader), or undefined */
  local(): string | undefined;
  /** a changed state or reason, to send to the clients of that exchange */
  changed(ev: StatusEvent): void;
  /** no status from the feeding node for this long: down; default 3000 ms (it publishes every second) */
  staleMs?: number;
  checkMs?: number;
}

interface Told {
  state: StatusState;
  reason?: string;
  since: number;
}

export class StatusView {
  private readonly heard = new Map<string, { ev: StatusEvent; at: number }>();
  private readonly told = new Map<string, Told>();
  private readonly startedAt = Date.now();
  private localSince = 0;
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly opts: StatusViewOptions) {}

  start(): void {
    this.timer ??= setInterval(() => this.check(), this.opts.checkMs ?? 250);
  }

  /** a status message from the bus */
  heardOf(ev: StatusEvent): void {
    this.heard.set(ev.exchange, { ev, at: Date.now() });
    this.check(ev.exchange);
  }

  /** the state to tell a client now */
  status(exchange: string, now = Date.now()): StatusEvent {
    this.check(exchange);
    const t = this.told.get(exchange)!;
    return { event: 'status', exchange, state: t.state, since: t.since, tms: Math.max(now, t.since), ...(t.reason ? { reason: t.reason } : {}) };
  }

  /** the exchanges a filter selects (null = all), each with its state */
  statuses(exchanges: Set<string> | null): StatusEvent[] {
    const now = Date.now();
    return this.opts.exchanges()
      .filter((ex) => !exchanges || exchanges.has(ex))
      .map((ex) => this.status(ex, now));
  }

  private verdict(exchange: string, now: number): Told {
    const local = this.opts.local();
    if (local) {
      this.localSince ||= now;
      return { state: 'down', reason: local, since: this.localSince };
    }
    this.localSince = 0;
    const h = this.heard.get(exchange);
    const stale = this.opts.staleMs ?? 3000;
    if (!h) return { state: 'down', reason: 'no status heard from the node holding the exchange connections', since: this.startedAt };
    if (now - h.at > stale) return { state: 'down', reason: 'the node holding the exchange connections has gone silent', since: h.at + stale };
    return { state: h.ev.state, reason: h.ev.reason, since: h.ev.since };
  }

  private check(only?: string): void {
    const now = Date.now();
    for (const ex of only === undefined ? this.opts.exchanges() : [only]) {
      const v = this.verdict(ex, now);
      const t = this.told.get(ex);
      if (t && t.state === v.state && t.reason === v.reason) continue;
      // the same state for a new reason keeps its start
      const next: Told = t && t.state === v.state ? { ...v, since: t.since } : v;
      this.told.set(ex, next);
      if (t) this.opts.changed({ event: 'status', exchange: ex, state: next.state, since: next.since, tms: Math.max(now, next.since), ...(next.reason ? { reason: next.reason } : {}) });
    }
  }

  /** idempotent */
  close(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
