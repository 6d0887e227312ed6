// Keeps one market's full order book from Binance's @depth diffs, synchronized with a REST snapshot by update id.
//
// The procedure is Binance's own (EXCHANGES.md) and is the SDK's update-id chain (sdk/book-sync.ts): buffer diffs,
// fetch a snapshot, drop diffs it already covers, check that the first diff applied bridges the snapshot
// (U <= lastUpdateId+1 <= u) and that every later one follows on (U == previous u + 1). Anything else means the book
// no longer matches the exchange's, so it is thrown away and rebuilt; nothing is published from a book that is not
// synchronized or that is crossed. This file only says how Binance writes diffs and snapshots.

import { badFrame, BookSync, GatewayError, SnapshotPacer } from '../../sdk/index.ts';
import type { BookSnapshot, DepthBook, HttpResponse, Output } from '../../sdk/index.ts';
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

/**
 * Snapshot requests per market: five at once, then one per 5 s (12 a minute for a market that keeps failing). A
 * 1000-level snapshot weighs 50 of the 6000 a minute Binance allows per IP; the worker's `requestsPerMinute`
 * (index.ts) caps all markets together.
 */
export const SNAPSHOT_PACING = { perKey: { burst: 5, intervalMs: 5000 } } as const;

export interface MarketBookTarget {
  ex: string;
  cd: string;
  mc: string;
  depth: number;
  /** the request tag that routes the snapshot's answer back here */
  tag: string;
  snapshotUrl: string;
  /** shared by the markets of a connection; default: one for this market alone, paced by SNAPSHOT_PACING */
  pacer?: SnapshotPacer;
}

function applyDiff(book: DepthBook, diff: DepthDiff): void {
  for (const [price, size] of diff.bids) book.setBid(price, size);
  for (const [price, size] of diff.asks) book.setAsk(price, size);
}

export class MarketBook {
  private readonly sync: BookSync<DepthDiff>;

  constructor(private readonly target: MarketBookTarget) {
    const { ex, cd, mc, depth, tag, snapshotUrl } = target;
    this.sync = new BookSync<DepthDiff>({
      ex, cd, mc, depth,
      chain: { by: 'update-id', first: (d) => d.U, last: (d) => d.u },
      time: (d) => d.E,
      apply: applyDiff,
      source: { rest: { url: snapshotUrl, tag: () => tag, parse: (res, rtms) => parseSnapshot(res, rtms, mc) } },
      pacer: target.pacer ?? new SnapshotPacer(SNAPSHOT_PACING),
      maxBuffered: MAX_BUFFERED_DIFFS,
      // a buffer this full means the snapshot is minutes late: start over rather than keep a stale tail
      overflow: 'clear',
    });
  }

  /** `rtms` paces snapshot requests; without it the diff's event time does */
  onDiff(diff: DepthDiff, out: Output, rtms = diff.E): void {
    this.sync.onDiff(diff, rtms, out);
  }

  onSnapshot(response: HttpResponse, rtms: number, out: Output): void {
    this.sync.onResponse(this.target.tag, response, rtms, out);
  }
}

/**
 * `GET /api/v3/depth` → `{lastUpdateId, bids, asks}`, timed by its receive time. A transport failure (status 0) is
 * the worker's own and already counted: undefined. Another status is EXCHANGE_ERROR, a malformed body BAD_FRAME.
 */
function parseSnapshot(response: HttpResponse, rtms: number, mc: string): BookSnapshot | undefined {
  if (response.status === 0) return undefined;
  const what = `${mc} depth snapshot`;
  if (response.status !== 200) {
    throw new GatewayError('EXCHANGE_ERROR', `${what}: HTTP ${response.status} ${response.body.slice(0, 200)}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(response.body);
  } catch (cause) {
    throw new GatewayError('BAD_FRAME', `${what}: not JSON`, { cause });
  }
  if (!isObj(value)) throw badFrame(`${what}: expected an object`);
  return {
    id: integer(value, 'lastUpdateId', what),
    tms: rtms,
    bids: levels(value, 'bids', what),
    asks: levels(value, 'asks', what),
  };
}
