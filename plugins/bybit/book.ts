// One market's order book from Bybit's `orderbook.{depth}.{symbol}` topic: a snapshot, then deltas numbered by `u`.
//
// Bybit's rules (orderbook page): a `snapshot` replaces the local book (also the one with u = 1 after a restart of
// their service); a `delta` sets each level it names, size "0" deleting it; `u` counts the topic's messages one by one.
// A delta that does not follow on (u ≠ last u + 1) or leaves the book crossed means this book no longer matches the
// exchange's: it is invalidated, cleared, and the topic is subscribed again, which makes Bybit send a fresh snapshot.

import { DepthBook } from '../../sdk/index.ts';
import type { Output } from '../../sdk/index.ts';
import { resubscribeFrames } from './wire.ts';

/** A validated `data` object of an orderbook message. */
export interface BookData {
  /** the message's `ts` (ms) */
  ts: number;
  u: number;
  bids: [number, number][];
  asks: [number, number][];
}

/**
 * Deltas ignored while waiting for a snapshot before the topic is subscribed again: a resubscription whose snapshot
 * got lost must not leave the key dark forever. At 20 ms per delta this is about two seconds.
 */
export const DELTAS_BEFORE_RETRY = 100;

export interface BookTarget {
  ex: string;
  cd: string;
  mc: string;
  /** levels per record (config depth) */
  depth: number;
  /** the topic as subscribed: `orderbook.50.BTCUSDT` */
  topic: string;
}

export class SpotBook {
  private readonly book = new DepthBook();
  private synced = false;
  private lastU = 0;
  /** deltas seen since the book stopped being synchronized */
  private waited = 0;

  constructor(private readonly target: BookTarget) {}

  onSnapshot(data: BookData, out: Output): void {
    this.book.clear();
    for (const [price, size] of data.bids) if (size > 0) this.book.setBid(price, size);
    for (const [price, size] of data.asks) if (size > 0) this.book.setAsk(price, size);
    this.lastU = data.u;
    this.synced = true;
    this.waited = 0;
    if (this.book.isCrossed()) return this.resync(out);
    this.emit(data.ts, out);
  }

  onDelta(data: BookData, out: Output): void {
    if (!this.synced) {
      // Deltas of the old subscription still in flight, or of a new one whose snapshot has not come (yet).
      if (++this.waited >= DELTAS_BEFORE_RETRY) this.resubscribe(out);
      return;
    }
    if (data.u !== this.lastU + 1) return this.resync(out);
    for (const [price, size] of data.bids) this.book.setBid(price, size);
    for (const [price, size] of data.asks) this.book.setAsk(price, size);
    this.lastU = data.u;
    if (this.book.isCrossed()) return this.resync(out);
    this.emit(data.ts, out);
  }

  /** true while a snapshot is awaited (for tests and metrics) */
  get resyncing(): boolean {
    return !this.synced;
  }

  private resync(out: Output): void {
    out.invalidate?.('orderbook', this.target.cd);
    this.book.clear();
    this.synced = false;
    this.resubscribe(out);
  }

  private resubscribe(out: Output): void {
    this.waited = 0;
    for (const frame of resubscribeFrames(this.target.topic)) out.send(frame);
  }

  private emit(tms: number, out: Output): void {
    const { ex, cd, mc, depth } = this.target;
    out.emit({ ty: 'orderbook', ex, cd, mc, tms, obu: this.book.top(depth).obu });
  }
}
