// Bithumb legacy order books: a full book per market, from a REST snapshot plus the orderbookdepth diffs after it.
//
// The first diff for a market asks the worker for `GET /public/orderbook/<mc>?count=30`; diffs are buffered
// until the answer arrives. The snapshot has a ms `timestamp`, diffs a µs `datetime`: buffered diffs at or
// before the snapshot are already in it and are dropped, later ones are applied in order, and the book is
// published. Live, a diff older than the last applied one, or a book that ends up crossed, means something was
// missed or reordered: the book is cleared and fetched again, and nothing is published until it is whole.
// A failed snapshot leaves the market unsynchronized; the next diff asks again.

import { DepthBook } from '../../sdk/book.ts';
import { badFrame, GatewayError } from '../../sdk/errors.ts';
import type { HttpResponse, Output } from '../../sdk/plugin.ts';
import { clip, isObject } from '../../sdk/index.ts';
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

interface MarketBook {
  cd: string;
  mc: string;
  book: DepthBook;
  phase: 'idle' | 'waiting' | 'live';
  /** tag of the snapshot request in flight; answers with any other tag are stale and ignored */
  tag?: string;
  buffer: Diff[];
  /** newest `datetime` pushed out of a full buffer: a snapshot older than it cannot be completed */
  droppedUs: number;
  snapshotUs: number;
  lastUs: number;
  /** the published book's time: the last applied diff's, or the snapshot's */
  tms: number;
}

export interface LegacyBookOptions {
  ex: string;
  restUrl: string;
  depth: number;
  /** native code → unified symbol */
  markets: ReadonlyMap<string, string>;
}

export class LegacyBooks {
  private readonly books = new Map<string, MarketBook>();
  private requests = 0;

  constructor(private readonly opts: LegacyBookOptions) {}

  /** one validated diff for a configured market */
  onDiff(mc: string, diff: Diff, out: Output): void {
    const b = this.market(mc);
    if (b.phase === 'live') {
      const r = this.apply(b, diff);
      if (r === 'resync') this.resync(b, out);
      else if (r === 'applied') this.publish(b, out);
      return;
    }
    if (b.buffer.length >= MAX_BUFFERED) b.droppedUs = Math.max(b.droppedUs, b.buffer.shift()!.us);
    b.buffer.push(diff);
    if (b.phase === 'idle') this.request(b, out);
  }

  /** the worker's answer to a snapshot request; throws (after resetting the market) when it is unusable */
  onSnapshot(tag: string, res: HttpResponse, out: Output): void {
    const b = [...this.books.values()].find((x) => x.tag === tag);
    if (!b) return; // superseded by a later request
    b.tag = undefined;
    b.phase = 'idle';
    const snap = parseSnapshot(res, b.mc);
    // diffs newer than this snapshot were lost from a full buffer: it cannot be brought up to date
    if (b.droppedUs > snap.us) return;
    b.book.clear();
    for (const l of snap.levels) setLevel(b.book, l);
    if (b.book.isCrossed()) {
      b.book.clear();
      throw badFrame(`bithumb orderbook snapshot ${b.mc} is crossed`);
    }
    b.phase = 'live';
    b.snapshotUs = snap.us;
    b.lastUs = snap.us;
    b.tms = snap.us / 1000;
    const buffered = b.buffer;
    b.buffer = [];
    b.droppedUs = 0;
    for (const d of buffered) {
      if (this.apply(b, d) === 'resync') return this.resync(b, out);
    }
    this.publish(b, out);
  }

  private market(mc: string): MarketBook {
    let b = this.books.get(mc);
    if (!b) {
      const cd = this.opts.markets.get(mc)!;
      b = { cd, mc, book: new DepthBook(), phase: 'idle', buffer: [], droppedUs: 0, snapshotUs: 0, lastUs: 0, tms: 0 };
      this.books.set(mc, b);
    }
    return b;
  }

  private apply(b: MarketBook, d: Diff): 'applied' | 'skipped' | 'resync' {
    if (d.us <= b.snapshotUs) return 'skipped'; // already in the snapshot
    if (d.us < b.lastUs) return 'resync';
    for (const l of d.levels) setLevel(b.book, l);
    if (b.book.isCrossed()) return 'resync';
    b.lastUs = d.us;
    b.tms = Math.floor(d.us / 1000);
    return 'applied';
  }

  private resync(b: MarketBook, out: Output): void {
    out.invalidate?.('orderbook', b.cd);
    b.book.clear();
    b.buffer = [];
    b.droppedUs = 0;
    this.request(b, out);
  }

  private request(b: MarketBook, out: Output): void {
    b.tag = `orderbook:${b.mc}:${++this.requests}`;
    b.phase = 'waiting';
    out.request(b.tag, `${this.opts.restUrl}/public/orderbook/${b.mc}?count=${SNAPSHOT_COUNT}`);
  }

  private publish(b: MarketBook, out: Output): void {
    const { ex, depth } = this.opts;
    out.emit({ ty: 'orderbook', ex, cd: b.cd, mc: b.mc, tms: b.tms, obu: b.book.top(depth).obu });
  }
}

function setLevel(book: DepthBook, l: Level): void {
  if (l.bid) book.setBid(l.price, l.size);
  else book.setAsk(l.price, l.size);
}

/**
 * `{"status":"0000","data":{"timestamp":"<ms>","order_currency":"BTC","payment_currency":"KRW","bids":[{quantity,price}],"asks":[...]}}`
 * A transport failure (status 0), a non-200 answer or a non-"0000" status is EXCHANGE_ERROR; a malformed body BAD_FRAME.
 */
function parseSnapshot(res: HttpResponse, mc: string): { us: number; levels: Level[] } {
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
  const levels = [...sideLevels(data.bids, true, what), ...sideLevels(data.asks, false, what)];
  return { us: epochInt(data.timestamp, `${what} timestamp`) * 1000, levels };
}

function sideLevels(list: unknown, bid: boolean, what: string): Level[] {
  const key = bid ? 'bids' : 'asks';
  if (!Array.isArray(list)) throw badFrame(`${what}: ${key} is ${clip(list)}, not a list`);
  return list.map((l: unknown) => {
    if (!isObject(l)) throw badFrame(`${what}: a level in ${key} is ${clip(l)}`);
    return { bid, price: positive(l.price, `${what} ${key} price`), size: decimal(l.quantity, `${what} ${key} quantity`) };
  });
}
