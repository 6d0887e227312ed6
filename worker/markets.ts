// Whole-universe subscriptions (SPEC §7): reads the exchange's market list over REST at start and every
// `marketRefreshMs`, picks the markets the selection asks for (`all`, or `{quote: [...]}`), and reports the list and
// its changes; each listing and delisting after the first list becomes a `listing` record.
import type { MarketList, PluginConfig } from '../sdk/plugin.ts';
import type { ListingRecord } from '../sdk/model.ts';
import { LISTING_TYPE, streamKey } from '../sdk/model.ts';
import type { MarketSelect } from '../boundary/worker-protocol.ts';
import { Backoff } from './backoff.ts';

export interface MarketChange {
  /** every selected market now, sorted */
  symbols: string[];
  listed: string[];
  delisted: string[];
  /** the first list since start: nothing is "listed" then, it is the starting set */
  first: boolean;
}

export interface MarketWatcherEvents {
  /** the selected markets changed (or were read for the first time) */
  changed(change: MarketChange): void;
  /** a listing record, with its stream key */
  record(key: string, record: ListingRecord): void;
  log(level: 'info' | 'warn', msg: string): void;
}

/** answer size beyond which a market list is refused (a few thousand markets are well under 8 MiB) */
const MAX_BODY_BYTES = 8 * 1024 * 1024;
const TIMEOUT_MS = 10_000;

/** true when the unified symbol is in the selection */
export function selects(select: MarketSelect, symbol: string): boolean {
  if (select === 'all') return true;
  const quote = symbol.slice(symbol.indexOf('/') + 1);
  return select.quote.includes(quote);
}

export class MarketWatcher {
  private current = new Map<string, string>(); // symbol → exchange code
  private timer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;
  /** a list has been read since start */
  private seen = false;
  private started = false;
  private readonly retry = new Backoff({ initialDelayMs: 1000, maxDelayMs: 60_000, multiplier: 2, resetAfterMs: 0 });
  /** listing records: their own epoch (when this watcher started) and a sequence per key */
  private readonly ep = Date.now();
  private readonly sq = new Map<string, number>();
  /** failed reads since start, for the worker's stats */
  failures = 0;

  constructor(
    private readonly list: MarketList,
    private readonly config: PluginConfig,
    private readonly select: MarketSelect,
    private readonly refreshMs: number,
    private readonly events: MarketWatcherEvents,
  ) {}

  start(): void {
    if (this.started) return;
    this.started = true;
    void this.read();
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
  }

  private schedule(ms: number): void {
    if (this.closed) return;
    this.timer = setTimeout(() => void this.read(), ms);
    this.timer.unref?.();
  }

  private async read(): Promise<void> {
    let markets: { symbol: string; code: string }[];
    const url = this.list.url(this.config);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS), headers: { accept: 'application/json' } });
      const body = await res.text();
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      if (body.length > MAX_BODY_BYTES) throw new Error(`answer of ${body.length} bytes is too large`);
      markets = this.list.parse(body);
    } catch (err) {
      if (this.closed) return;
      this.failures++;
      const wait = this.retry.next();
      this.events.log('warn', `market list ${url} failed: ${(err as Error).message}; again in ${Math.round(wait / 1000)} s`);
      this.schedule(Math.min(wait, this.refreshMs));
      return;
    }
    if (this.closed) return;
    this.retry.reset();
    this.apply(markets);
    this.schedule(this.refreshMs);
  }

  private apply(markets: { symbol: string; code: string }[]): void {
    const next = new Map<string, string>();
    for (const m of markets) if (selects(this.select, m.symbol)) next.set(m.symbol, m.code);
    const first = !this.seen;
    const listed = [...next.keys()].filter((s) => !this.current.has(s)).sort();
    const delisted = [...this.current.keys()].filter((s) => !next.has(s)).sort();
    if (!first && listed.length === 0 && delisted.length === 0) return;
    const previous = this.current;
    this.current = next;
    this.seen = true;
    if (next.size === 0) this.events.log('warn', 'the market list selects no market');
    this.events.changed({ symbols: [...next.keys()].sort(), listed: first ? [] : listed, delisted: first ? [] : delisted, first });
    if (first) return;
    const now = Date.now();
    for (const cd of listed) this.emit(cd, next.get(cd)!, 'listed', now);
    for (const cd of delisted) this.emit(cd, previous.get(cd)!, 'delisted', now);
    this.events.log('info', `market list: ${listed.length} listed (${listed.join(' ')}), ${delisted.length} delisted (${delisted.join(' ')})`);
  }

  private emit(cd: string, mc: string, ls: ListingRecord['ls'], now: number): void {
    const key = streamKey(this.config.id, LISTING_TYPE, cd);
    const sq = (this.sq.get(key) ?? 0) + 1;
    this.sq.set(key, sq);
    this.events.record(key, { ty: LISTING_TYPE, ex: this.config.id, cd, mc, tms: now, ls, rtms: now, ep: this.ep, sq });
  }
}
