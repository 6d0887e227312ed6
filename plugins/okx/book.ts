// One market's 400-level `books` order book: a snapshot, then updates chained by seqId/prevSeqId and checked by
// the CRC-32 of the top 25 levels. Anything that breaks the chain or the checksum throws the book away, tells
// clients (invalidate) and resubscribes the market's book; a stream that starts without a snapshot of its own (OKX
// is retiring the initial snapshot) is synchronized with the REST book instead, like Binance's procedure.

import { DepthBook, GatewayError } from '../../sdk/index.ts';
import type { HttpResponse, Output } from '../../sdk/index.ts';
import { crc32Signed } from './crc32.ts';
import type { Level } from './values.ts';

/** The levels a checksum covers, per side. */
export const CHECKSUM_LEVELS = 25;
/** Updates kept while a REST snapshot is on its way (the stream pushes about ten a second). */
export const MAX_BUFFERED = 2000;

export interface BookData {
  asks: Level[];
  bids: Level[];
  tms: number;
  seqId: number;
  prevSeqId: number;
  /** absent, or 0 (OKX's value once the field is retired): nothing to verify */
  checksum?: number;
}

export interface BookTarget {
  ex: string;
  cd: string;
  mc: string;
  depth: number;
  /** routes the REST snapshot's answer back here */
  tag: string;
  snapshotUrl: string;
  /** the unsubscribe and subscribe frames that restart this market's book stream */
  resubscribe: [string, string];
}

type Phase = 'await' | 'live' | 'rest' | 'resub';
type Step = 'applied' | 'stale' | 'gap' | 'bad';

/** A side's original `price:size` texts by price, for the checksum. */
type Keys = Map<number, string>;

export class OkxBook {
  private readonly book = new DepthBook();
  private readonly askKeys: Keys = new Map();
  private readonly bidKeys: Keys = new Map();
  private phase: Phase = 'await';
  private seqId = 0;
  /** after a REST snapshot: the first update must bridge it (prevSeqId <= seqId < its seqId) */
  private bridging = false;
  private buffer: BookData[] = [];
  private pending = false;
  /** resyncs of this book since the connection opened (tests and logs) */
  resyncs = 0;

  constructor(private readonly target: BookTarget) {}

  get synchronized(): boolean {
    return this.phase === 'live';
  }

  onSnapshot(d: BookData, out: Output): void {
    if (this.phase === 'resub') return; // the old subscription's last words: the new one sends its own
    this.reset(d.asks, d.bids, d.seqId);
    this.buffer = [];
    this.bridging = false;
    if (this.book.isCrossed() || !this.checksumHolds(d.checksum)) return this.resync(out);
    this.phase = 'live';
    this.emit(d.tms, out);
  }

  onUpdate(d: BookData, out: Output): void {
    if (this.phase === 'resub') return;
    if (this.phase === 'live') {
      const step = this.step(d);
      if (step === 'applied') return this.emit(d.tms, out);
      if (step === 'stale') return;
      return this.resync(out);
    }
    // No snapshot from the stream: buffer and ask the REST book.
    this.phase = 'rest';
    if (this.buffer.length >= MAX_BUFFERED) this.buffer = [];
    this.buffer.push(d);
    if (!this.pending) this.requestSnapshot(out);
  }

  /** the exchange acknowledged (re)subscribing this market's book: what follows is a fresh stream */
  onSubscribed(): void {
    if (this.phase === 'resub') this.phase = 'await';
  }

  onSnapshotResponse(res: HttpResponse, rtms: number, out: Output, parse: (body: string) => BookData): void {
    if (!this.pending) return;
    this.pending = false;
    if (this.phase !== 'rest') return; // the stream sent a snapshot meanwhile, or the book is resubscribing
    if (res.status === 0) return; // the worker's own I/O failure, already counted: the next update asks again
    if (res.status !== 200) {
      throw new GatewayError('EXCHANGE_ERROR', `${this.target.mc} REST book: HTTP ${res.status} ${res.body.slice(0, 200)}`);
    }
    const snap = parse(res.body);
    const first = this.buffer[0];
    // A snapshot older than the buffered stream cannot be bridged: ask again (OKX's procedure, step 4).
    if (first && snap.seqId < first.prevSeqId) return this.requestSnapshot(out);
    this.reset(snap.asks, snap.bids, snap.seqId);
    if (this.book.isCrossed()) return this.resync(out);
    this.bridging = true;
    let tms: number | undefined;
    for (const d of this.buffer) {
      const step = this.step(d);
      if (step === 'gap' || step === 'bad') return this.resync(out);
      if (step === 'applied') tms = d.tms;
    }
    this.buffer = [];
    this.phase = 'live';
    this.emit(tms ?? (snap.tms || rtms), out);
  }

  /** Applies one update if it continues the chain and the result verifies. */
  private step(d: BookData): Step {
    if (this.bridging) {
      if (d.seqId <= this.seqId) return 'stale';
      if (d.prevSeqId > this.seqId) return 'gap';
      this.bridging = false;
    } else if (d.prevSeqId !== this.seqId) {
      // prevSeqId names the message before this one: equal to ours, or something was lost. (After a sequence
      // reset seqId < prevSeqId, and a keep-alive update has seqId = prevSeqId: both still chain by this rule.)
      return 'gap';
    }
    for (const l of d.bids) this.set(this.bidKeys, l, false);
    for (const l of d.asks) this.set(this.askKeys, l, true);
    this.seqId = d.seqId;
    if (this.book.isCrossed() || !this.checksumHolds(d.checksum)) return 'bad';
    return 'applied';
  }

  private set(keys: Keys, l: Level, ask: boolean): void {
    if (ask) this.book.setAsk(l.price, l.size);
    else this.book.setBid(l.price, l.size);
    if (l.size === 0) keys.delete(l.price);
    else keys.set(l.price, l.key);
  }

  private reset(asks: Level[], bids: Level[], seqId: number): void {
    this.clear();
    for (const l of bids) if (l.size > 0) this.set(this.bidKeys, l, false);
    for (const l of asks) if (l.size > 0) this.set(this.askKeys, l, true);
    this.seqId = seqId;
  }

  private clear(): void {
    this.book.clear();
    this.askKeys.clear();
    this.bidKeys.clear();
  }

  /** OKX: bid and ask `price:size` of the top 25 levels interleaved (bid first), joined by ':', CRC-32 signed. */
  checksumText(): string {
    const parts: string[] = [];
    const { bids, asks } = this.book;
    for (let i = 0; i < CHECKSUM_LEVELS; i++) {
      if (i < bids.length) parts.push(this.bidKeys.get(bids.prices[i]!)!);
      if (i < asks.length) parts.push(this.askKeys.get(asks.prices[i]!)!);
    }
    return parts.join(':');
  }

  private checksumHolds(checksum: number | undefined): boolean {
    if (checksum === undefined || checksum === 0) return true;
    return crc32Signed(this.checksumText()) === checksum;
  }

  /** Throws the book away, tells clients, and restarts the market's book subscription. */
  private resync(out: Output): void {
    this.resyncs++;
    out.invalidate?.('orderbook', this.target.cd);
    this.clear();
    this.buffer = [];
    this.bridging = false;
    this.phase = 'resub';
    for (const frame of this.target.resubscribe) out.send(frame);
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
