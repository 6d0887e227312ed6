// One connection plan kept alive: reconnects with backoff, rate-limited attempts, planned rollovers
// (make-before-break), and de-duplication across every switch of connection.

import { RecentRecords } from './dedupe.ts';
import type { Draft, MarketRecord } from '../sdk/model.ts';
import { RecordPipeline } from './pipeline.ts';
import type { ConnectionPlan } from '../sdk/plugin.ts';
import type { ConnectionStats, Invalidation, ReconnectPolicy } from '../boundary/worker-protocol.ts';
import { Backoff } from './backoff.ts';
import { Pushback } from './pushback.ts';
import { initialStats, retire, withLive } from './feed-stats.ts';
import { Link } from './link.ts';
import type { LinkClose, LinkEvents } from './link.ts';
import type { RateLimiter } from './rate-limiter.ts';
import type { RecordTap } from '../sdk/fixture/format.ts';

export interface FeedOptions {
  /** the exchange id (keys of invalidated books) */
  exchange: string;
  depth: number;
  reconnect: ReconnectPolicy;
  stallTimeoutMs: number;
  /** roll the connection over before it reaches this age; 0 = never */
  maxConnectionAgeMs: number;
  sendsPerSecond?: number;
  /** connection attempts for the whole exchange (shared by its feeds) */
  connectLimit: RateLimiter;
  /** the exchange's limit window, which shapes the wait after a refusal (worker/pushback.ts) */
  pushbackWindowMs: number;
  /** REST requests for the whole exchange (shared by its feeds) */
  requestLimit?: RateLimiter;
  /** the recorder, when recording */
  tap?: RecordTap;
}

export interface FeedHooks {
  record(key: string, record: MarketRecord): void;
  log(level: 'debug' | 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>): void;
  changed(): void;
  /** keys whose last record no longer holds (book gap, unplanned reconnect) */
  invalidate(keys: Invalidation[]): void;
}

/** after the replacement's first record, how long both links overlap before the switch */
const HANDOVER_GRACE_MS = 300;
/** the longest a replacement may take to deliver before we switch anyway */
const HANDOVER_MAX_MS = 5000;
/** records held from the replacement before the switch */
const HANDOVER_BUFFER = 20_000;
/** the exchange refused us: HTTP 429 or 418 on the upgrade, or close 1008 (policy violation, e.g. too many messages) */
// a refused key (401/403, private connections) is pushback too: retrying it at full speed would only earn a ban
const isPushback = (info: LinkClose) =>
  info.httpStatus === 429 || info.httpStatus === 418 || info.httpStatus === 401 || info.httpStatus === 403 || info.code === 1008;

export class Feed {
  readonly stats: ConnectionStats;
  private current: Link | undefined;
  private next: Link | undefined;
  private held: { draft: Draft; rtms: number }[] = [];
  /** a subscription change that arrived during a handover: applied by another rollover after the switch */
  private pendingRollover: string | undefined;
  private pipeline: RecordPipeline | undefined;
  private readonly recent = new RecentRecords();
  private readonly backoff: Backoff;
  private readonly pushback: Pushback;
  private timers = new Set<ReturnType<typeof setTimeout>>();
  private handoverTimer: ReturnType<typeof setTimeout> | undefined;
  private ageTimer: ReturnType<typeof setTimeout> | undefined;
  private healthyTimer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;
  private readonly events: LinkEvents;

  constructor(
    private plan: ConnectionPlan,
    private readonly opts: FeedOptions,
    private readonly hooks: FeedHooks,
  ) {
    this.backoff = new Backoff(opts.reconnect);
    this.pushback = new Pushback({ windowMs: opts.pushbackWindowMs, floorMs: opts.reconnect.initialDelayMs, multiplier: opts.reconnect.multiplier });
    this.stats = initialStats(plan);
    this.events = {
      opened: (link) => this.onOpened(link),
      draft: (link, draft, rtms) => this.onDraft(link, draft, rtms),
      rollover: (link, reason) => link === this.current && this.rollover(reason),
      invalidate: (link, ty, cd) => {
        if (link !== this.current || !this.pipeline) return;
        const key = this.pipeline.invalidate(this.opts.exchange, ty, cd);
        if (key) this.hooks.invalidate([{ key, ex: this.opts.exchange, ty, cd, tms: Date.now() }]);
      },
      closed: (link, info) => this.onClosed(link, info),
      count: (code) => (this.stats.errors[code] = (this.stats.errors[code] ?? 0) + 1),
      log: (level, msg) => this.hooks.log(level, msg),
    };
  }

  get name(): string {
    return this.plan.name;
  }

  /** identifies what this feed subscribes to, so an update can tell whether it changed */
  get planKey(): string {
    return JSON.stringify([this.plan.url, this.plan.subscribe]);
  }

  start(): void {
    this.current = this.dial();
  }

  /** opens a link to the current plan once the exchange's connection limit allows */
  private dial(): Link {
    const { stallTimeoutMs, sendsPerSecond, requestLimit, tap } = this.opts;
    const link = new Link(this.plan, { stallTimeoutMs, sendsPerSecond, requestLimit, tap }, this.events);
    this.stats.state = 'connecting';
    const go = () => {
      if (this.closed || (link !== this.current && link !== this.next)) return;
      const wait = this.opts.connectLimit.delay();
      if (wait > 0) return this.later(go, wait);
      this.opts.connectLimit.take();
      link.start();
    };
    queueMicrotask(go);
    return link;
  }

  private later(fn: () => void, ms: number): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }

  private onOpened(link: Link): void {
    if (link === this.next) {
      this.hooks.log('info', `${this.plan.name}: replacement connected (ep ${link.ep}), handing over`);
      this.handoverTimer = setTimeout(() => this.switchOver(), HANDOVER_MAX_MS);
      return;
    }
    if (link !== this.current) return;
    this.begin(link);
    this.hooks.log('info', `${this.plan.name}: connected`, { ep: link.ep, url: this.plan.url });
  }

  /** `link` becomes the producing connection: new epoch, new sequences, age and health timers */
  private begin(link: Link): void {
    this.pipeline = new RecordPipeline(link.ep, this.opts.depth);
    this.opts.tap?.begin(link.id, link.ep);
    Object.assign(this.stats, { state: 'open', ep: link.ep, connectedAt: link.openedAt, url: this.plan.url, subscriptions: this.plan.subscribe.length });
    clearTimeout(this.healthyTimer);
    this.healthyTimer = setTimeout(() => {
      this.backoff.reset();
      this.pushback.reset();
    }, this.opts.reconnect.resetAfterMs);
    clearTimeout(this.ageTimer);
    if (this.opts.maxConnectionAgeMs > 0) {
      this.ageTimer = setTimeout(() => this.rollover('maximum connection age'), this.opts.maxConnectionAgeMs);
    }
    this.hooks.changed();
  }

  private onDraft(link: Link, draft: Draft, rtms: number): void {
    if (link === this.current) this.deliver(link, draft, rtms);
    else if (link === this.next) {
      this.held.push({ draft, rtms });
      if (this.held.length === 1) {
        clearTimeout(this.handoverTimer);
        this.handoverTimer = setTimeout(() => this.switchOver(), HANDOVER_GRACE_MS);
      }
      if (this.held.length >= HANDOVER_BUFFER) this.switchOver();
    }
  }

  private deliver(link: Link, draft: Draft, rtms: number): void {
    if (this.recent.isRepeat(draft, link.id)) {
      this.stats.duplicates++;
      return;
    }
    const r = this.pipeline!.accept(draft, rtms);
    if (!r) return;
    this.stats.records++;
    this.hooks.record(r.key, r.record);
  }

  /**
   * Planned replacement: open a new link (to `plan`, when the subscription changed), subscribe, and switch to it
   * once it delivers; the old link keeps producing until then.
   */
  rollover(reason: string, plan?: ConnectionPlan): void {
    if (plan) this.plan = plan;
    if (this.closed) return;
    if (this.next) {
      // a change while a replacement is handing over: the replacement has the old plan, so roll over once more
      if (plan) this.pendingRollover = reason;
      return;
    }
    if (!this.current?.isOpen) {
      // nothing to keep alive meanwhile: just reconnect to the (new) plan
      void this.current?.close(1000, reason);
      return;
    }
    this.hooks.log('info', `${this.plan.name}: rolling over (${reason})`);
    this.pendingRollover = undefined; // the replacement dials the latest plan
    this.next = this.dial();
  }

  private switchOver(): void {
    clearTimeout(this.handoverTimer);
    const next = this.next;
    if (!next || !next.isOpen) return;
    const old = this.current;
    this.current = next;
    this.next = undefined;
    this.stats.rollovers++;
    this.begin(next);
    const held = this.held;
    this.held = [];
    for (const h of held) this.deliver(next, h.draft, h.rtms);
    if (old) {
      retire(this.stats, old);
      void old.close(1000, 'replaced by a new connection');
    }
    const pending = this.pendingRollover;
    this.pendingRollover = undefined;
    if (pending) this.rollover(pending);
  }

  private onClosed(link: Link, info: LinkClose): void {
    retire(this.stats, link);
    if (link === this.next) {
      clearTimeout(this.handoverTimer);
      this.next = undefined;
      this.held = [];
      this.hooks.log('warn', `${this.plan.name}: replacement failed (${info.httpStatus ?? info.code}); keeping the current connection`);
      if (!this.closed) this.later(() => this.current?.isOpen && this.rollover('retry replacement'), this.retryDelay(info));
      return;
    }
    if (link !== this.current || this.closed) return;
    clearTimeout(this.ageTimer);
    if (this.next?.isOpen) {
      // the old one went first: switch now, the replacement has been receiving since it opened
      this.switchOver();
      return;
    }
    this.stats.state = 'closed';
    const { code, reason, wasOpen, httpStatus, stalled } = info;
    this.stats.lastClose = { at: Date.now(), code, reason, wasOpen, ...(httpStatus ? { httpStatus } : {}), ...(stalled ? { stalled } : {}) };
    // the books this connection published are stale until the next connection's first books
    const books = this.pipeline?.published('orderbook') ?? [];
    if (books.length) this.hooks.invalidate(books.map((b) => ({ ...b, ty: 'orderbook', tms: Date.now() })));
    this.pipeline = undefined;
    const delay = this.retryDelay(info);
    this.stats.reconnects++;
    const why = info.httpStatus ? `HTTP ${info.httpStatus}` : `${info.code} ${info.reason}`.trim();
    this.hooks.log('warn', `${this.plan.name}: ${info.wasOpen ? (info.stalled ? 'stalled' : 'closed') : 'could not connect'} (${why}); retry in ${delay} ms`);
    this.hooks.changed();
    this.current = undefined;
    this.later(() => {
      if (!this.closed) this.current = this.dial();
    }, delay);
  }

  /**
   * The wait before the next attempt: after a refusal, the exchange's pushback (by its limit window and Retry-After);
   * otherwise the reconnect backoff.
   */
  private retryDelay(info: LinkClose): number {
    if (!isPushback(info)) return this.backoff.next();
    const delay = this.pushback.next(info.retryAfterMs);
    this.hooks.log('info', `${this.plan.name}: refused by the exchange (${this.pushback.count} in a row${info.retryAfterMs === undefined ? '' : `, Retry-After ${info.retryAfterMs} ms`})`);
    return delay;
  }

  /** the figures to report now */
  snapshot(): ConnectionStats {
    return withLive(this.stats, [this.current, this.next].filter((l): l is Link => l !== undefined));
  }

  /** closes every link and stops reconnecting; idempotent */
  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    clearTimeout(this.handoverTimer);
    clearTimeout(this.ageTimer);
    clearTimeout(this.healthyTimer);
    this.stats.state = 'closed';
    await Promise.all([this.current?.close(), this.next?.close()]);
  }
}
