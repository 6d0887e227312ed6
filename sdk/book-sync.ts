// Keeps one market's full order book in step with an exchange that sends a snapshot and then diffs, and publishes it.
//
// The plugin parses frames; the synchronizer decides what to do with them. The snapshot comes either from a REST
// request (sent through `out.request`, its answer routed back with `onResponse`) or from a WS message (`onSnapshot`).
// Diffs are chained in one of four ways (`chain.by`):
//   'update-id' (Binance, Bybit): each diff covers ids first..last; after the snapshot (id L) diffs with last <= L are
//               stale, the first one applied must bracket L+1 (first <= L+1 <= last), every later one starts at the
//               previous last + 1.
//   'sequence'  (OKX): each diff names the sequence it follows (prev); it must equal the last applied sequence.
//   'time'      (Bithumb legacy; any position that only grows): diffs at or before the snapshot are stale, an older
//               one than the last applied means the stream was reordered.
//   'none'      (Kraken): no order to check; a checksum (below) is the only witness.
// While a snapshot is outstanding REST diffs are buffered (WS ones are dropped: the snapshot that follows on the same
// socket already holds them). A gap, a crossed book, a snapshot that cannot meet the buffered diffs or a checksum
// mismatch is a resync: `out.invalidate('orderbook', cd)`, the book is cleared, and a new snapshot is asked for,
// paced by a SnapshotPacer (sdk/book-pacer.ts) so that flapping books stay within the exchange's REST limits.
// Nothing is ever published from a book that is not synchronized or is crossed.
//
// Example (a REST-synchronized market, update-id chained):
//
//   const pacer = new SnapshotPacer({ perKey: { burst: 3, intervalMs: 1000 }, global: { count: 50, windowMs: 60_000 } });
//   const sync = new BookSync<Diff>({
//     ex: 'binance', cd: 'BTC/USDT', mc: 'BTCUSDT', depth: 15, pacer,
//     chain: { by: 'update-id', first: (d) => d.U, last: (d) => d.u },
//     time: (d) => d.E,
//     apply: (book, d) => { for (const [p, s] of d.bids) book.setBid(p, s); for (const [p, s] of d.asks) book.setAsk(p, s); },
//     source: { rest: { url: 'https://.../depth?symbol=BTCUSDT', tag: () => 'depth:BTCUSDT', parse: readSnapshot } },
//   });
//   // mapper.onMessage: sync.onDiff(diff, rtms, out);   mapper.onResponse: if (tag === sync.tag) sync.onResponse(tag, res, rtms, out);
//
// A WS-snapshot market passes `source: { ws: { resubscribe: (out) => out.send(...) } }` and calls
// `sync.onSnapshot(snapshot, rtms, out)` for every snapshot message (a new one always replaces the book).

import { DepthBook } from './book.ts';
import type { Chain, ChainPosition } from './book-chain.ts';
import { follows, position } from './book-chain.ts';
import { SnapshotPacer } from './book-pacer.ts';
import { badFrame } from './errors.ts';
import type { HttpResponse, Output } from './plugin.ts';

export type { Chain } from './book-chain.ts';

/** A full book as the exchange sent it, already validated. */
export interface BookSnapshot {
  /** where the chain stands: lastUpdateId (update-id), seqId (sequence), the snapshot's time (time); 0 for 'none' */
  id: number;
  /** the book's time, ms: published when no buffered diff is applied on top of it */
  tms: number;
  bids: Iterable<readonly [price: number, size: number]>;
  asks: Iterable<readonly [price: number, size: number]>;
  /** the exchange's checksum of this book, when it sends one */
  checksum?: number;
}

export type SnapshotSource =
  | {
      rest: {
        url: string;
        /** the tag of the next request (called once per request); answers with another tag are ignored */
        tag(): string;
        /** the answer, validated; undefined = a failure already counted (e.g. status 0); throws to count it */
        parse(response: HttpResponse, rtms: number): BookSnapshot | undefined;
      };
    }
  | {
      ws: {
        /** ask the exchange for a fresh snapshot (unsubscribe + subscribe); absent: wait for it to send one */
        resubscribe?(out: Output): void;
        /** a snapshot not seen this long after asking (ms, on the frames' clock) is asked for again. Default 10 s. */
        timeoutMs?: number;
      };
    };

export interface BookSyncOptions<D> {
  ex: string;
  cd: string;
  mc: string;
  /** top N levels per published record */
  depth: number;
  chain: Chain<D>;
  source: SnapshotSource;
  /** the diff's time, ms (the record's `tms`) */
  time(d: D): number;
  /** writes the diff's levels into the book (size 0 removes a level); the diff is validated already */
  apply(book: DepthBook, d: D): void;
  /** shared by the markets of a connection or plugin; default: a pacer of this market alone */
  pacer?: SnapshotPacer;
  /** diffs kept while a snapshot is outstanding. Default 1000. */
  maxBuffered?: number;
  /** when the buffer is full: drop the oldest diff (default) or start the buffer over */
  overflow?: 'drop-oldest' | 'clear';
  /** verified after every applied update (snapshot included); a mismatch resynchronizes */
  checksum?: {
    /** the exchange's checksum carried by a diff; undefined = this diff carries none */
    of(d: D): number | undefined;
    compute(book: DepthBook): number;
  };
}

type Step = 'applied' | 'stale' | 'gap' | 'crossed' | 'checksum';

export class BookSync<D> {
  readonly book = new DepthBook();
  private readonly opts: BookSyncOptions<D>;
  private readonly pacer: SnapshotPacer;
  private readonly maxBuffered: number;
  private buffer: D[] = [];
  private live = false;
  /** tag (REST) of the outstanding request, or 'ws' while a WS snapshot is awaited */
  private pending: string | undefined;
  /** the clock when the outstanding snapshot was asked for; undefined: the subscription's own first snapshot */
  private askedAt: number | undefined;
  /** where the book stands on its chain */
  private readonly at: ChainPosition = { last: 0, base: 0, awaitingFirst: true };
  /** the chain position of the newest diff lost from a full buffer: a snapshot before it cannot be completed */
  private dropped = -Infinity;
  private clock = -Infinity;

  constructor(opts: BookSyncOptions<D>) {
    this.opts = opts;
    this.pacer = opts.pacer ?? new SnapshotPacer();
    this.maxBuffered = opts.maxBuffered ?? 1000;
    // a WS subscription sends its first snapshot by itself
    if ('ws' in opts.source) this.pending = 'ws';
  }

  /** true while the book matches the exchange's and is being published */
  get synced(): boolean {
    return this.live;
  }

  /** the tag of the REST request in flight, if any */
  get tag(): string | undefined {
    return this.pending === 'ws' ? undefined : this.pending;
  }

  /** One validated diff. `now`: the receive time (ms) that paces snapshot requests. */
  onDiff(d: D, now: number, out: Output): void {
    if (now > this.clock) this.clock = now;
    if (this.live) {
      const step = this.step(d);
      if (step === 'applied') return this.publish(this.opts.time(d), out);
      if (step === 'gap') return this.resync([d], out);
      if (step !== 'stale') return this.resync([], out);
      return;
    }
    if ('rest' in this.opts.source) this.keep(d);
    this.ask(out);
  }

  /** The worker's answer to a REST snapshot request. Throws (after arranging a retry) for an unusable answer. */
  onResponse(tag: string, response: HttpResponse, rtms: number, out: Output): void {
    const source = this.opts.source;
    if (!('rest' in source) || tag !== this.pending) return; // an answer nobody waits for must not reset a book
    this.pending = undefined;
    // A failure leaves the market unsynchronized with nothing pending: its next diff asks again.
    const snapshot = source.rest.parse(response, rtms);
    if (snapshot) this.load(snapshot, out);
  }

  /** A snapshot message (WS sources): always replaces the book, whatever state it was in. */
  onSnapshot(snapshot: BookSnapshot, rtms: number, out: Output): void {
    if (rtms > this.clock) this.clock = rtms;
    this.pending = undefined;
    this.load(snapshot, out);
  }

  /** Asks for the deferred snapshot when the pacer allows it now (call on any frame, e.g. a heartbeat). */
  tick(now: number, out: Output): void {
    if (now > this.clock) this.clock = now;
    if (!this.live) this.ask(out);
  }

  /** Drops the book and resynchronizes (a plugin that learns of a problem itself, e.g. an exchange error). */
  reset(out: Output): void {
    this.resync([], out);
  }

  private load(snapshot: BookSnapshot, out: Output): void {
    const book = this.book;
    book.clear();
    for (const [price, size] of snapshot.bids) book.setBid(price, size);
    for (const [price, size] of snapshot.asks) book.setAsk(price, size);
    this.at.last = snapshot.id;
    this.at.base = snapshot.id;
    this.at.awaitingFirst = true;
    this.live = false;
    if (book.isCrossed()) {
      this.resync(this.buffer, out);
      throw badFrame(`${this.opts.ex} ${this.opts.mc} order book snapshot is crossed`);
    }
    const check = this.opts.checksum;
    if (check && snapshot.checksum !== undefined && check.compute(book) !== snapshot.checksum) {
      return this.resync(this.buffer, out);
    }
    if (this.dropped > snapshot.id) return this.resync(this.buffer, out); // diffs after it were lost

    let tms = snapshot.tms;
    const buffered = this.buffer;
    for (let i = 0; i < buffered.length; i++) {
      const d = buffered[i]!;
      const step = this.step(d);
      if (step === 'applied') tms = this.opts.time(d);
      else if (step === 'gap') return this.resync(buffered.slice(i), out);
      else if (step !== 'stale') return this.resync(buffered.slice(i + 1), out);
    }
    this.buffer = [];
    this.dropped = -Infinity;
    this.live = true;
    this.publish(tms, out);
  }

  /** Applies one diff if it continues the book; says what happened. */
  private step(d: D): Step {
    const next = follows(this.opts.chain, d, this.at);
    if (typeof next !== 'number') return next;
    this.opts.apply(this.book, d);
    this.at.awaitingFirst = false;
    this.at.last = next;
    // A crossed book at an update boundary cannot be the exchange's: an update was lost somewhere.
    if (this.book.isCrossed()) return 'crossed';
    const check = this.opts.checksum;
    if (check) {
      const expected = check.of(d);
      if (expected !== undefined && check.compute(this.book) !== expected) return 'checksum';
    }
    return 'applied';
  }

  /** Throws the book away and starts over from a new snapshot, keeping the diffs that may still be needed. */
  private resync(keep: D[], out: Output): void {
    out.invalidate?.('orderbook', this.opts.cd);
    this.book.clear();
    this.live = false;
    this.at.awaitingFirst = true;
    this.buffer = [];
    if ('rest' in this.opts.source) for (const d of keep) this.keep(d);
    this.ask(out);
  }

  private keep(d: D): void {
    const buffer = this.buffer;
    if (buffer.length >= this.maxBuffered) {
      const chain = this.opts.chain;
      const lost = this.opts.overflow === 'clear' ? buffer.splice(0) : [buffer.shift()!];
      for (const x of lost) this.dropped = Math.max(this.dropped, position(chain, x));
    }
    buffer.push(d);
  }

  /** sends the snapshot request unless one is outstanding or the pacer says not yet */
  private ask(out: Output): void {
    const source = this.opts.source;
    if (this.pending !== undefined) {
      if (!('ws' in source)) return;
      if (this.askedAt === undefined) this.askedAt = this.clock;
      if (this.clock - this.askedAt < (source.ws.timeoutMs ?? 10_000)) return;
    }
    if (!this.pacer.take(this.opts.mc, this.clock)) return;
    this.askedAt = this.clock;
    if ('rest' in source) {
      this.pending = source.rest.tag();
      out.request(this.pending, source.rest.url);
    } else {
      this.pending = 'ws';
      source.ws.resubscribe?.(out);
    }
  }

  private publish(tms: number, out: Output): void {
    const { ex, cd, mc, depth } = this.opts;
    out.emit({ ty: 'orderbook', ex, cd, mc, tms, obu: this.book.units(depth) });
  }
}
