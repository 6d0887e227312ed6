// One market's order book from Bybit's `orderbook.{depth}.{symbol}` topic, kept by the SDK's synchronizer.
//
// Bybit's rules (orderbook page): a `snapshot` replaces the local book (also the one with u = 1 after a restart of
// their service); a `delta` sets each level it names, size "0" deleting it; `u` counts the topic's messages one by one.
// In the synchronizer's terms that is an update-id chain whose every message covers exactly one id (first = last = u),
// with the snapshot coming over the WebSocket. A delta that does not follow on or leaves the book crossed makes it
// invalidate the key, clear the book and subscribe the topic again, which makes Bybit send a fresh snapshot; deltas
// arriving meanwhile are dropped, and a snapshot that has not come 10 s later is asked for again.

import { BookSync, SnapshotPacer } from '../../sdk/index.ts';
import type { BookSnapshot } from '../../sdk/index.ts';
import { resubscribeFrames } from './wire.ts';

/** A validated `data` object of an orderbook message. */
export interface BookData {
  /** the message's `ts` (ms) */
  ts: number;
  u: number;
  bids: [number, number][];
  asks: [number, number][];
}

export interface BookTarget {
  ex: string;
  cd: string;
  mc: string;
  /** levels per record (config depth) */
  depth: number;
  /** the topic as subscribed: `orderbook.50.BTCUSDT` */
  topic: string;
}

/**
 * Resubscriptions of one connection: each book at most 3 at once then one a second, and all of them together at most
 * 50 in 10 s, so a connection whose books all break at once does not flood Bybit with requests.
 */
export const resubscribePacer = (): SnapshotPacer => new SnapshotPacer({ perKey: { burst: 3, intervalMs: 1000 }, global: { count: 50, windowMs: 10_000 } });

export function bookSync(target: BookTarget, pacer: SnapshotPacer): BookSync<BookData> {
  const { ex, cd, mc, depth, topic } = target;
  return new BookSync<BookData>({
    ex,
    cd,
    mc,
    depth,
    pacer,
    chain: { by: 'update-id', first: (d) => d.u, last: (d) => d.u },
    time: (d) => d.ts,
    apply(book, d) {
      for (const [price, size] of d.bids) book.setBid(price, size);
      for (const [price, size] of d.asks) book.setAsk(price, size);
    },
    source: {
      ws: {
        resubscribe(out) {
          for (const frame of resubscribeFrames(topic)) out.send(frame);
        },
      },
    },
  });
}

export const snapshotOf = (d: BookData): BookSnapshot => ({ id: d.u, tms: d.ts, bids: d.bids, asks: d.asks });
