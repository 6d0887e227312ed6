// One market's 400-level `books` order book on the SDK's synchronizer (sdk/book-sync.ts), with OKX's checksum.
//
// OKX chains updates by `prevSeqId` (the seqId of the message before) and `seqId`. As an update-id chain that is
// first = prevSeqId + 1, last = seqId, which gives exactly OKX's rules: after a snapshot at S, updates with
// seqId <= S are stale, the first one applied must have prevSeqId <= S, every later one prevSeqId = the previous
// seqId. A keep-alive update (seqId = prevSeqId, no levels) chains as it is. A sequence reset (OKX's maintenance:
// seqId < prevSeqId, prevSeqId still naming our last message) would look stale, so ids are kept on a running
// offset that grows at each reset: the chain position never goes back.
//
// Where the snapshot comes from is decided by the stream itself, per market and connection: a `books` subscription
// has always opened with a `snapshot` message, but OKX announced it will retire that initial snapshot (and the
// checksum, now 0) in favour of `GET /api/v5/market/books`. So if the first message of a market is an `update`, the
// market is synchronized over REST from then on; otherwise from the stream, resubscribing to get a new snapshot.
// The checksum (CRC-32 of the top 25 levels as sent) is verified whenever it is not 0.

import { BookSync, okxChecksum, okxChecksumText, plainText } from '../../sdk/index.ts';
import type { BookSnapshot, DepthBook, HttpResponse, Output, SnapshotPacer, TextLevel } from '../../sdk/index.ts';

/** One validated `books` message (or REST book). */
export interface BookData {
  bids: [number, number][];
  asks: [number, number][];
  /** the same levels as OKX wrote them, for the checksum */
  bidText: TextLevel[];
  askText: TextLevel[];
  tms: number;
  seqId: number;
  prevSeqId: number;
  /** 0 or absent: nothing to verify (OKX's value once the field is retired) */
  checksum?: number;
  /** chain positions (set by OkxBook): prevSeqId + 1 and seqId, moved past sequence resets */
  first?: number;
  last?: number;
}

export interface BookTarget {
  ex: string;
  cd: string;
  mc: string;
  depth: number;
  snapshotUrl: string;
  /** the REST request's tag */
  tag: string;
  /** the unsubscribe and subscribe frames that restart this market's book stream */
  resubscribe: readonly string[];
  /** paces resubscriptions (480 subscribe requests per hour per connection) */
  wsPacer: SnapshotPacer;
  /** paces REST books (40 requests per 2 s per IP) */
  restPacer: SnapshotPacer;
  /** validates a REST book answer */
  parseRest(body: string): BookData;
}

export const CHECKSUM_LEVELS = 25;

/** price → the level's text as sent, per side */
type Texts = Map<number, TextLevel>;

export class OkxBook {
  private readonly bidText: Texts = new Map();
  private readonly askText: Texts = new Map();
  private mode: 'first' | 'ws' | 'rest' = 'first';
  /** added to OKX's ids so that the chain position only grows across sequence resets */
  private offset = 0;
  private sync: BookSync<BookData>;

  constructor(private readonly target: BookTarget) {
    this.sync = this.create('ws');
  }

  get synced(): boolean {
    return this.sync.synced;
  }

  /** where this market's snapshots come from, once its first message has told */
  get source(): 'first' | 'ws' | 'rest' {
    return this.mode;
  }

  onSnapshot(d: BookData, rtms: number, out: Output): void {
    if (this.mode === 'first') this.mode = 'ws';
    this.load(d);
    this.offset = 0;
    const snapshot: BookSnapshot = { id: d.seqId, tms: d.tms, bids: d.bids, asks: d.asks };
    if (d.checksum) snapshot.checksum = d.checksum;
    this.sync.onSnapshot(snapshot, rtms, out);
  }

  onUpdate(d: BookData, rtms: number, out: Output): void {
    if (this.mode === 'first') {
      this.mode = 'rest';
      this.sync = this.create('rest');
    }
    d.first = d.prevSeqId + this.offset + 1;
    if (d.seqId < d.prevSeqId) this.offset += d.prevSeqId - d.seqId + 1;
    d.last = d.seqId + this.offset;
    this.sync.onDiff(d, rtms, out);
  }

  onResponse(tag: string, res: HttpResponse, rtms: number, out: Output): void {
    if (this.mode === 'rest') this.sync.onResponse(tag, res, rtms, out);
  }

  /** the text OKX checksums, from the book as it stands */
  checksumText(): string {
    return okxChecksumText(...textSides(this.sync.book, this.bidText, this.askText));
  }

  private create(source: 'ws' | 'rest'): BookSync<BookData> {
    const t = this.target;
    const { bidText, askText } = this;
    return new BookSync<BookData>({
      ex: t.ex,
      cd: t.cd,
      mc: t.mc,
      depth: t.depth,
      chain: { by: 'update-id', first: (d) => d.first!, last: (d) => d.last! },
      time: (d) => d.tms,
      apply(book, d) {
        for (let i = 0; i < d.bids.length; i++) setLevel(bidText, d.bids[i]!, d.bidText[i]!, (p, s) => book.setBid(p, s));
        for (let i = 0; i < d.asks.length; i++) setLevel(askText, d.asks[i]!, d.askText[i]!, (p, s) => book.setAsk(p, s));
      },
      checksum: {
        of: (d) => d.checksum || undefined,
        compute: (book) => okxChecksum(...textSides(book, bidText, askText)),
      },
      pacer: source === 'ws' ? t.wsPacer : t.restPacer,
      source:
        source === 'ws'
          ? { ws: { resubscribe: (out) => t.resubscribe.forEach((f) => out.send(f)) } }
          : {
              rest: {
                url: t.snapshotUrl,
                tag: () => t.tag,
                parse: (res) => {
                  if (res.status === 0) return undefined; // the worker's I/O failure, already counted
                  const d = t.parseRest(res.body);
                  this.load(d);
                  return { id: d.seqId + this.offset, tms: d.tms, bids: d.bids, asks: d.asks };
                },
              },
            },
    });
  }

  /** the texts of a snapshot about to replace the book */
  private load(d: BookData): void {
    this.bidText.clear();
    this.askText.clear();
    for (let i = 0; i < d.bids.length; i++) if (d.bids[i]![1] > 0) this.bidText.set(d.bids[i]![0], d.bidText[i]!);
    for (let i = 0; i < d.asks.length; i++) if (d.asks[i]![1] > 0) this.askText.set(d.asks[i]![0], d.askText[i]!);
  }
}

function setLevel(texts: Texts, [price, size]: [number, number], text: TextLevel, set: (p: number, s: number) => void): void {
  set(price, size);
  if (size === 0) texts.delete(price);
  else texts.set(price, text);
}

/** the top 25 levels of each side as OKX wrote them (a level we hold no text for is written back from its number) */
function textSides(book: DepthBook, bids: Texts, asks: Texts): [TextLevel[], TextLevel[]] {
  const side = (s: DepthBook['bids'], texts: Texts): TextLevel[] => {
    const n = Math.min(CHECKSUM_LEVELS, s.length);
    const out: TextLevel[] = new Array(n);
    for (let i = 0; i < n; i++) out[i] = texts.get(s.prices[i]!) ?? [plainText(s.prices[i]!), plainText(s.sizes[i]!)];
    return out;
  };
  return [side(book.bids, bids), side(book.asks, asks)];
}
