// Bithumb legacy order books: a full book per market, from a REST snapshot plus the orderbookdepth diffs after it.
//
// The first diff for a market asks the worker for `GET /public/orderbook/<mc>?count=30`; diffs are buffered
// until the answer arrives. The snapshot has a ms `timestamp`, diffs a µs `datetime`: this is the SDK's time chain
// (sdk/book-sync.ts). Buffered diffs at or before the snapshot are already in it and are dropped, later ones are
// applied in order, and the book is published. The stream carries no update ids, so a lost diff shows only in what
// it leaves behind: a diff older than the last applied one (reordered), or a crossed book (a removal that never
// came). Either clears the book and fetches it again (`invalidate` first), and nothing is published until it is
// whole. A failed snapshot leaves the market unsynchronized; the next diff asks again.

import { badFrame, BookSync, clip, GatewayError, isObject, SnapshotPacer } from '../../sdk/index.ts';
import type { BookSnapshot, DepthBook, HttpResponse, Output } from '../../sdk/index.ts';
import { decimal, epochInt, positive } from './legacy-values.ts';

export interface Level {
  bid: boolean;
  price: number;
  /** 0 removes the level */
  size: number;
}

export interface Diff {
  /** `datetime`, µs since epoch */
  us: number;
  levels: Level[];
}

/** Bounds memory while a snapshot is slow: at a few diffs per second per market this is minutes of diffs. */
export const MAX_BUFFERED = 1000;

/** The snapshot size asked for; 30 is the most Bithumb's public orderbook endpoint returns. */
const SNAPSHOT_COUNT = 30;

/**
 * Snapshot requests per market: five at once, then one per 2 s. Bithumb's public REST allows far more per IP; the
 * worker's `requestsPerMinute` (index.ts) caps all markets together.
 */
export const SNAPSHOT_PACING = { perKey: { burst: 5, intervalMs: 2000 } } as const;

export interface LegacyBookOptions {
  ex: string;
  restUrl: string;
  depth: number;
  /** native code → unified symbol */
  markets: ReadonlyMap<string, string>;
}

function applyDiff(book: DepthBook, d: Diff): void {
  for (const l of d.levels) {
    if (l.bid) book.setBid(l.price, l.size);
    else book.setAsk(l.price, l.size);
  }
}

export class LegacyBooks {
  private readonly books = new Map<string, BookSync<Diff>>();
  /** one count for all markets: every request has a tag of its own */
  private requests = 0;
  private readonly pacer = new SnapshotPacer(SNAPSHOT_PACING);

  constructor(private readonly opts: LegacyBookOptions) {}

  /** one validated diff for a configured market; `rtms` paces snapshot requests (default: the diff's time) */
  onDiff(mc: string, diff: Diff, out: Output, rtms = diff.us / 1000): void {
    this.market(mc).onDiff(diff, rtms, out);
  }

  /** the worker's answer to a snapshot request; throws (after arranging a retry) when it is unusable */
  onSnapshot(tag: string, res: HttpResponse, out: Output, rtms = 0): void {
    for (const sync of this.books.values()) {
      if (sync.tag === tag) return sync.onResponse(tag, res, rtms, out);
    }
    // superseded by a later request, or never asked: ignored
  }

  private market(mc: string): BookSync<Diff> {
    let sync = this.books.get(mc);
    if (!sync) {
      const { ex, restUrl, depth, markets } = this.opts;
      sync = new BookSync<Diff>({
        ex, cd: markets.get(mc)!, mc, depth,
        chain: { by: 'time', at: (d) => d.us },
        time: (d) => Math.floor(d.us / 1000),
        apply: applyDiff,
        source: {
          rest: {
            url: `${restUrl}/public/orderbook/${mc}?count=${SNAPSHOT_COUNT}`,
            tag: () => `orderbook:${mc}:${++this.requests}`,
            parse: (res) => parseSnapshot(res, mc),
          },
        },
        pacer: this.pacer,
        maxBuffered: MAX_BUFFERED,
      });
      this.books.set(mc, sync);
    }
    return sync;
  }
}

/**
 * `{"status":"0000","data":{"timestamp":"<ms>","order_currency":"BTC","payment_currency":"KRW","bids":[{quantity,price}],"asks":[...]}}`
 * A transport failure (status 0), a non-200 answer or a non-"0000" status is EXCHANGE_ERROR; a malformed body BAD_FRAME.
 * The chain position is the snapshot's time in µs, like the diffs' `datetime`.
 */
function parseSnapshot(res: HttpResponse, mc: string): BookSnapshot {
  const what = `bithumb orderbook snapshot ${mc}`;
  if (res.status !== 200) {
    throw new GatewayError('EXCHANGE_ERROR', `${what}: HTTP ${res.status} ${String(res.body).slice(0, 200)}`);
  }
  let body: unknown;
  try {
    body = JSON.parse(res.body);
  } catch {
    throw badFrame(`${what}: body is not JSON`);
  }
  if (!isObject(body)) throw badFrame(`${what}: body is ${clip(body)}`);
  if (body.status !== '0000') {
    throw new GatewayError('EXCHANGE_ERROR', `${what}: status ${clip(body.status)} ${clip(body.message)}`);
  }
  const data = body.data;
  if (!isObject(data)) throw badFrame(`${what}: data is ${clip(data)}`);
  if (data.order_currency !== undefined && `${String(data.order_currency)}_${String(data.payment_currency)}` !== mc) {
    throw badFrame(`${what}: answer is for ${clip(data.order_currency)}/${clip(data.payment_currency)}`);
  }
  const ms = epochInt(data.timestamp, `${what} timestamp`);
  return { id: ms * 1000, tms: ms, bids: sideLevels(data.bids, 'bids', what), asks: sideLevels(data.asks, 'asks', what) };
}

function sideLevels(list: unknown, key: 'bids' | 'asks', what: string): [number, number][] {
  if (!Array.isArray(list)) throw badFrame(`${what}: ${key} is ${clip(list)}, not a list`);
  return list.map((l: unknown): [number, number] => {
    if (!isObject(l)) throw badFrame(`${what}: a level in ${key} is ${clip(l)}`);
    return [positive(l.price, `${what} ${key} price`), decimal(l.quantity, `${what} ${key} quantity`)];
  });
}
