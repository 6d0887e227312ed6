// Keeps the books of one connection's markets from Kraken's `book` snapshots and updates, checking the CRC32 checksum
// after every message; a mismatch (or a crossed book) invalidates the key and resubscribes it for a fresh snapshot.

import type { Output } from '../../sdk/index.ts';
import { fixedText } from './checksum.ts';
import { LevelBook } from './level-book.ts';
import type { Level } from './level-book.ts';
import type { RawValue } from './raw-json.ts';
import { decimalText, isObj } from './values.ts';
import { badFrame } from '../../sdk/index.ts';
import { subscribeFrame, unsubscribeFrame } from './wire.ts';

export interface Precision {
  price: number;
  qty: number;
}

/** One book message for one market, validated before it touches any state. */
export interface BookMessage {
  symbol: string;
  snapshot: boolean;
  asks: Level[];
  bids: Level[];
  checksum: number;
  /** the exchange's time of the update, ms (absent on snapshots that carry none) */
  tms?: number;
}

interface MarketState {
  book: LevelBook;
  /** false until a snapshot has been applied (and again after a mismatch, until the next snapshot) */
  synced: boolean;
  /** a resubscription is on its way: do not ask again */
  resyncing: boolean;
}

export class BookKeeper {
  private readonly markets = new Map<string, MarketState>();
  private reqId = 1000;
  /** checksum mismatches seen on this connection (tests and logs) */
  mismatches = 0;

  constructor(
    private readonly ex: string,
    /** the depth subscribed and kept (Kraken's depth, at least N) */
    private readonly keptDepth: number,
    /** N: levels per record */
    private readonly depth: number,
    private readonly precisionOf: (symbol: string) => Precision | undefined,
  ) {}

  /** levels of a `bids`/`asks` array in fixed text form (the pair's precision where the instrument list gave it) */
  levels(items: RawValue[], symbol: string, side: string): Level[] {
    const p = this.precisionOf(symbol);
    const out: Level[] = [];
    for (const item of items) {
      if (!isObj(item)) throw badFrame(`book ${symbol} ${side}: expected {price, qty}`);
      const price = decimalText(item, 'price', `book ${side}`);
      const qty = decimalText(item, 'qty', `book ${side}`);
      if (!(price.value > 0) || !(qty.value >= 0) || !Number.isFinite(price.value) || !Number.isFinite(qty.value)) {
        throw badFrame(`book ${symbol} ${side}: price must be positive and qty non-negative`);
      }
      out.push({ price: price.value, qty: qty.value, priceText: fixedText(price.text, p?.price), qtyText: fixedText(qty.text, p?.qty) });
    }
    return out;
  }

  onMessage(m: BookMessage, rtms: number, out: Output): void {
    let state = this.markets.get(m.symbol);
    if (!state) this.markets.set(m.symbol, (state = { book: new LevelBook(this.keptDepth), synced: false, resyncing: false }));
    if (m.snapshot) {
      state.book.clear();
      state.synced = true;
      state.resyncing = false;
    } else if (!state.synced) {
      return; // updates before the (new) snapshot belong to a book we do not have
    }
    state.book.apply(m.asks, m.bids);
    if (state.book.checksum() !== m.checksum || state.book.isCrossed()) return this.resync(m.symbol, state, out);
    out.emit({ ty: 'orderbook', ex: this.ex, cd: m.symbol, mc: m.symbol, tms: m.tms ?? rtms, obu: state.book.top(this.depth) });
  }

  /** The book no longer matches Kraken's: clients are told, and a fresh subscription brings a new snapshot. */
  private resync(symbol: string, state: MarketState, out: Output): void {
    this.mismatches++;
    state.book.clear();
    state.synced = false;
    out.invalidate?.('orderbook', symbol);
    if (state.resyncing) return;
    state.resyncing = true;
    out.send(unsubscribeFrame('orderbook', [symbol], this.keptDepth, this.reqId++));
    out.send(subscribeFrame('orderbook', [symbol], this.keptDepth, this.reqId++));
  }
}
