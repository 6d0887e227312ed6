// Keeps one market's full order book from Binance's @depth diffs, synchronized with a REST snapshot by update id.
//
// The procedure is Binance's own (EXCHANGES.md): buffer diffs, fetch a snapshot, drop diffs it already covers, check
// that the first diff applied bridges the snapshot (U <= lastUpdateId+1 <= u) and that every later one follows on
// (U == previous u + 1). Anything else means the book no longer matches the exchange's, so it is thrown away and
// rebuilt; nothing is published from a book that is not synchronized or that is crossed.

import { DepthBook } from '../../sdk/book.ts';
import { badFrame, GatewayError } from '../../sdk/errors.ts';
import type { HttpResponse, Output } from '../../sdk/plugin.ts';
import { integer, isObj, levels } from './fields.ts';

/** One validated depthUpdate. Validated before it reaches the book, so a malformed frame cannot touch the state. */
export interface DepthDiff {
  /** event time, ms */
  E: number;
  /** first and last update id in this event */
  U: number;
  u: number;
  bids: [number, number][];
  asks: [number, number][];
}

/** Diffs kept while a snapshot is on its way: 2000 diffs are more than three minutes of one market at 100 ms. */
export const MAX_BUFFERED_DIFFS = 2000;

type Step = 'applied' | 'stale' | 'gap' | 'crossed';

export interface MarketBookTarget {
  ex: string;
  cd: string;
  mc: string;
  depth: number;
  /** the request tag that routes the snapshot's answer back here */
  tag: string;
  snapshotUrl: string;
}

export class MarketBook {
  private readonly book = new DepthBook();
  /** diffs received while not synchronized, oldest first */
  private buffer: DepthDiff[] = [];
  private synced = false;
  /** a snapshot request is out and not yet answered: never ask twice */
  private pending = false;
  /** until a diff has been applied on top of the snapshot, the bridging rule applies instead of the +1 rule */
  private awaitingFirst = true;
  /** the update id the book is at: the snapshot's lastUpdateId, then the `u` of the last applied diff */
  private lastUpdateId = 0;

  constructor(private readonly target: MarketBookTarget) {}

  onDiff(diff: DepthDiff, out: Output): void {
    if (!this.synced) {
      if (this.buffer.length >= MAX_BUFFERED_DIFFS) this.buffer = [];
      this.buffer.push(diff);
      if (!this.pending) this.requestSnapshot(out);
      return;
    }
    switch (this.step(diff)) {
      case 'applied':
        return this.emit(diff.E, out);
      case 'stale':
        return;
      case 'gap':
        return this.resync([diff], out);
      case 'crossed':
        return this.resync([], out);
    }
  }

  onSnapshot(response: HttpResponse, rtms: number, out: Output): void {
    if (!this.pending) return; // an answer nobody is waiting for (a duplicate) must not reset a live book
    this.pending = false;
    // A failure leaves the book unsynchronized and nothing pending, so the next diff asks again.
    if (response.status === 0) return; // the worker's own I/O failure: it has already counted it
    if (response.status !== 200) {
      throw new GatewayError(
        'EXCHANGE_ERROR',
        `${this.target.mc} depth snapshot: HTTP ${response.status} ${response.body.slice(0, 200)}`,
      );
    }
    const snapshot = parseSnapshot(response.body, this.target.mc);
    this.book.clear();
    for (const [price, size] of snapshot.bids) this.book.setBid(price, size);
    for (const [price, size] of snapshot.asks) this.book.setAsk(price, size);
    this.lastUpdateId = snapshot.lastUpdateId;
    this.awaitingFirst = true;
    if (this.book.isCrossed()) return this.resync(this.buffer, out);

    let lastEventTms: number | undefined;
    const buffered = this.buffer;
    for (let i = 0; i < buffered.length; i++) {
      const diff = buffered[i]!;
      const step = this.step(diff);
      if (step === 'gap') return this.resync(buffered.slice(i), out);
      if (step === 'crossed') return this.resync(buffered.slice(i + 1), out);
      if (step === 'applied') lastEventTms = diff.E;
    }
    this.buffer = [];
    this.synced = true;
    this.emit(lastEventTms ?? rtms, out);
  }

  /** Applies one diff if it continues the book; says what happened. */
  private step(diff: DepthDiff): Step {
    if (this.awaitingFirst) {
      if (diff.u <= this.lastUpdateId) return 'stale';
      if (diff.U > this.lastUpdateId + 1) return 'gap';
      this.awaitingFirst = false;
    } else if (diff.U !== this.lastUpdateId + 1) {
      return 'gap';
    }
    for (const [price, size] of diff.bids) this.book.setBid(price, size);
    for (const [price, size] of diff.asks) this.book.setAsk(price, size);
    this.lastUpdateId = diff.u;
    // A crossed book at an update boundary cannot be the exchange's book: it has lost a diff somewhere.
    return this.book.isCrossed() ? 'crossed' : 'applied';
  }

  /** Throws the book away and starts over from a new snapshot, keeping the diffs that may still be needed. */
  private resync(keep: DepthDiff[], out: Output): void {
    out.invalidate?.('orderbook', this.target.cd);
    this.book.clear();
    this.synced = false;
    this.awaitingFirst = true;
    this.buffer = keep.length > MAX_BUFFERED_DIFFS ? keep.slice(-MAX_BUFFERED_DIFFS) : keep;
    if (!this.pending) this.requestSnapshot(out);
  }

  private requestSnapshot(out: Output): void {
    this.pending = true;
    out.request(this.target.tag, this.target.snapshotUrl);
  }

  private emit(tms: number, out: Output): void {
    const { ex, cd, mc, depth } = this.target;
    out.emit({ ty: 'orderbook', ex, cd, mc, tms, obu: this.book.top(depth).obu });
  }
}

/** `GET /api/v3/depth` → `{lastUpdateId, bids, asks}`. */
function parseSnapshot(body: string, mc: string): { lastUpdateId: number; bids: [number, number][]; asks: [number, number][] } {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (cause) {
    throw new GatewayError('BAD_FRAME', `${mc} depth snapshot: not JSON`, { cause });
  }
  const what = `${mc} depth snapshot`;
  if (!isObj(value)) throw badFrame(`${what}: expected an object`);
  return {
    lastUpdateId: integer(value, 'lastUpdateId', what),
    bids: levels(value, 'bids', what),
    asks: levels(value, 'asks', what),
  };
}
