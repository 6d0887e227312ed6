// The books of one connection's markets, each kept by the SDK's synchronizer from Kraken's WS snapshots and updates
// (no sequence numbers: the CRC32 checksum of every message is the only witness), cut to the subscribed depth after
// each message. A mismatch invalidates the key and resubscribes its book for a fresh snapshot, paced per market.

import { badFrame, bookLevels, BookSync, fixedText, isObject, krakenChecksum, nonNegative, positive, SnapshotPacer } from '../../sdk/index.ts';
import type { DepthBook, Json, Output } from '../../sdk/index.ts';
import { subscribeFrame, unsubscribeFrame } from './wire.ts';

/** a pair's decimals (the `instrument` channel's price_precision / qty_precision) */
export interface Precision {
  price: number;
  qty: number;
}

/** one validated book message for one market */
export interface BookUpdate {
  asks: [number, number][];
  bids: [number, number][];
  /** the exchange's checksum, or undefined when the pair's precision is not known yet (no way to verify) */
  checksum: number | undefined;
  tms: number;
}

/** Kraken's levels are objects: `[{"price": 97000.1, "qty": 0.0462}, ...]` */
export function bookSide(d: Json, key: string, what: string): [number, number][] {
  const list = d[key];
  if (!Array.isArray(list)) throw badFrame(`${what}: ${key} is not a list of levels`);
  return list.map((l: unknown, i) => {
    if (!isObject(l)) throw badFrame(`${what}: ${key}[${i}] is not {price, qty}`);
    return [positive(l, 'price', `${what} ${key}[${i}]`), nonNegative(l, 'qty', `${what} ${key}[${i}]`)];
  });
}

/** The checksum Kraken computes, over our copy of the book (prices and quantities at the pair's decimals). */
export function checksumOf(book: DepthBook, p: Precision): number {
  const price = (v: number) => fixedText(v, p.price);
  const qty = (v: number) => fixedText(v, p.qty);
  return krakenChecksum(bookLevels(book, 'asks', 10, price, qty), bookLevels(book, 'bids', 10, price, qty));
}

export class KrakenBooks {
  private readonly syncs = new Map<string, BookSync<BookUpdate>>();
  /** markets waiting for a snapshot after a resync: asked again if it does not come (BookSync's ws timeout) */
  private readonly waiting = new Set<string>();
  // Kraken publishes no resubscription limit: a burst of 2 per market, then one per 5 s; 20 per 10 s per connection.
  private readonly pacer = new SnapshotPacer({ perKey: { burst: 2, intervalMs: 5000 }, global: { count: 20, windowMs: 10_000 } });
  private reqId = 1000;

  constructor(
    private readonly ex: string,
    /** the depth subscribed (Kraken's allowed depth covering N) */
    private readonly kept: number,
    /** N, levels per record */
    private readonly depth: number,
    private readonly precisionOf: (symbol: string) => Precision | undefined,
  ) {}

  onSnapshot(symbol: string, u: BookUpdate, rtms: number, out: Output): void {
    const s = this.sync(symbol);
    try {
      s.onSnapshot({ id: 0, tms: u.tms, bids: u.bids, asks: u.asks, checksum: u.checksum }, rtms, out);
    } finally {
      this.note(symbol, s);
    }
  }

  onUpdate(symbol: string, u: BookUpdate, rtms: number, out: Output): void {
    const s = this.sync(symbol);
    s.onDiff(u, rtms, out);
    this.note(symbol, s);
  }

  /**
   * Any frame moves the clock: a market whose fresh snapshot has not come within the synchronizer's timeout is
   * resubscribed again (its stream is silent until then, so its own frames cannot do it). Cheap when none waits.
   */
  tick(rtms: number, out: Output): void {
    for (const symbol of this.waiting) {
      const s = this.syncs.get(symbol)!;
      s.tick(rtms, out);
      this.note(symbol, s);
    }
  }

  private note(symbol: string, s: BookSync<BookUpdate>): void {
    if (s.synced) this.waiting.delete(symbol);
    else this.waiting.add(symbol);
  }

  private sync(symbol: string): BookSync<BookUpdate> {
    let s = this.syncs.get(symbol);
    if (s) return s;
    const kept = this.kept;
    s = new BookSync<BookUpdate>({
      ex: this.ex,
      cd: symbol,
      mc: symbol,
      depth: this.depth,
      pacer: this.pacer,
      chain: { by: 'none' },
      time: (u) => u.tms,
      apply(book, u) {
        for (const [p, q] of u.asks) book.setAsk(p, q);
        for (const [p, q] of u.bids) book.setBid(p, q);
        // Kraken sends no removal for a level pushed beyond the subscribed depth
        book.truncate(kept);
      },
      checksum: {
        of: (u) => u.checksum,
        compute: (book) => checksumOf(book, this.precisionOf(symbol) ?? { price: 0, qty: 0 }),
      },
      source: {
        ws: {
          resubscribe: (out) => {
            out.send(unsubscribeFrame('orderbook', [symbol], kept, this.reqId++));
            out.send(subscribeFrame('orderbook', [symbol], kept, this.reqId++));
          },
        },
      },
    });
    this.syncs.set(symbol, s);
    return s;
  }
}
