// A deterministic market for one symbol: random-walk mid, a full uncrossed book, trades and 24 h statistics.

import { OrderBook, type LevelChange, type Side } from './order-book.ts';
import type { PriceGrid } from './price-grid.ts';
import { roundTo } from './price-grid.ts';
import { createRng, hashString, type Rng } from './prng.ts';
import { dailyTurnoverUsd, quoteUsd, referencePrice } from './reference-prices.ts';
import { anchorPrice } from './world-prices.ts';
import type { VenueRules } from './venue-rules.ts';
import { recordTrade, type DayStats, type Trade } from './market-stats.ts';

export type { DayStats, Trade } from './market-stats.ts';

export interface MarketSpec {
  base: string;
  quote: string;
  /** the run's seed; each market mixes in its own name */
  seed: number;
  rules: VenueRules;
  tradesPerStep: number;
}

/** What one step changed. Update ids number level changes, Binance-style: `u - U + 1` changes. */
export interface StepResult {
  tms: number;
  tus: number;
  trades: Trade[];
  bids: LevelChange[];
  asks: LevelChange[];
  firstUpdateId: number;
  lastUpdateId: number;
}

/** Levels per side: never fewer than MIN after a step, trimmed beyond MAX. */
const MIN_LEVELS = 60;
const MAX_LEVELS = 100;
/** per-step volatility of the mid (about 5-6 % a day at 10 steps a second) */
const SIGMA = 0.00006;
/** share of the gap to the world price closed per step: a market follows it within a few seconds */
const PULL = 0.05;

export class Market {
  readonly base: string;
  readonly quote: string;
  readonly grid: PriceGrid;
  readonly qtyDecimals: number;
  readonly book = new OrderBook();
  readonly stats: DayStats;
  lastTrade: Trade;
  /** id of the last applied level change; a snapshot taken now is at this id */
  updateId: number;
  lastTms: number;
  private mid: number;
  private readonly ref: number;
  private readonly seed: number;
  private readonly venue: string;
  private anchor = 0;
  private anchorAt = -Infinity;
  private readonly rng: Rng;
  private readonly gapTicks: number;
  private readonly levelNotional: number;
  private readonly tradeNotional: number;
  private readonly tradesPerStep: number;
  private nextTradeId: number;
  private minNextTms = 0;

  constructor(spec: MarketSpec, nowMs: number) {
    this.base = spec.base;
    this.quote = spec.quote;
    this.tradesPerStep = spec.tradesPerStep;
    this.seed = spec.seed;
    this.venue = spec.rules.venue;
    const h = hashString(`${spec.base}/${spec.quote}`, spec.seed);
    this.rng = createRng(h);
    this.ref = referencePrice(spec.base, spec.quote);
    this.mid = this.ref * (1 + 0.01 * (this.rng.next() - 0.5));
    this.grid = spec.rules.grid(spec.quote, this.ref);
    const perUsd = 1 / quoteUsd(spec.quote)!;
    // Lot sizes follow the coin's dollar value, whatever it is quoted in (ETHBTC trades in 0.0001 ETH).
    this.qtyDecimals = spec.rules.qtyDecimals(this.ref / perUsd);
    const tick = this.grid.tickAt(this.ref);
    // Sparse levels for fine grids (BTCUSDT at 0.01), every tick for coarse ones (KRW-BTC at 1000).
    this.gapTicks = Math.max(1, Math.round((this.ref * 0.00001) / tick));
    const turnoverUsd = dailyTurnoverUsd(spec.base);
    this.levelNotional = Math.min(50_000, Math.max(500, turnoverUsd / 200_000)) * perUsd;
    this.tradeNotional = this.levelNotional / 12;
    this.updateId = 10_000_000_000 + (h % 1_000_000_000);
    this.nextTradeId = 5_123_456_789 - (h % 4_000_000_000);
    this.lastTms = nowMs;

    this.seedBook();
    const open = this.grid.floor(this.mid * (1 + 0.04 * (this.rng.next() - 0.5)));
    const volume = (turnoverUsd * perUsd * (0.8 + 0.4 * this.rng.next())) / this.mid;
    const tradeCount = Math.max(1000, Math.round(volume / (this.tradeNotional / this.mid)));
    this.stats = {
      open,
      prevClose: open,
      high: this.grid.floor(Math.max(open, this.mid) * (1 + 0.012 * this.rng.next())),
      low: this.grid.floor(Math.min(open, this.mid) * (1 - 0.012 * this.rng.next())),
      volume: this.roundQty(volume),
      quoteVolume: volume * this.mid,
      sellVolume: this.roundQty(volume * 0.49),
      buyVolume: this.roundQty(volume * 0.51),
      tradeCount,
      firstTradeId: this.nextTradeId - tradeCount,
      high52w: this.grid.floor(this.mid * 1.35),
      low52w: this.grid.floor(this.mid * 0.55),
    };
    const tms = nowMs - this.rng.int(50, 3000);
    this.lastTrade = {
      id: this.nextTradeId - 1,
      price: this.book.bestBid(),
      qty: this.tradeQty(),
      takerSide: 'sell',
      tms,
      tus: tms * 1000 + this.rng.int(0, 999),
    };
  }

  /** Advances the market one step. Step times strictly increase, whatever the clock says. */
  step(nowMs: number): StepResult {
    const tms = Math.max(nowMs, this.lastTms + 1, this.minNextTms);
    this.lastTms = tms;
    this.book.mark();
    const oldBid = this.book.bestBid();
    const oldAsk = this.book.bestAsk();
    const prevMid = this.mid;
    // A pull towards the simulated world's price for this venue (world price × FX × the venue's drifting premium)
    // keeps venues consistent with each other: the demo shows a realistic, moving, venue-specific premium.
    // (recomputed at most every 100 ms: it moves slowly, and fast benchmark clocks step many times a millisecond)
    if (tms - this.anchorAt >= 100) {
      this.anchor = anchorPrice(this.venue, this.base, this.quote, this.seed, tms);
      this.anchorAt = tms;
    }
    this.mid *= Math.exp(SIGMA * this.rng.normal() + PULL * Math.log(this.anchor / this.mid));
    this.moveTouch(oldBid, oldAsk);
    const trades = this.trade(tms, this.mid >= prevMid ? 0.58 : 0.42);
    this.churn();
    // Trades and churn thin the book; refilling keeps both sides deep enough for any snapshot limit clients use.
    this.refill('bid');
    this.refill('ask');
    const diff = this.book.changes();
    const firstUpdateId = this.updateId + 1;
    this.updateId += Math.max(1, diff.bids.length + diff.asks.length);
    return { tms, tus: tms * 1000 + this.rng.int(1, 999), trades, ...diff, firstUpdateId, lastUpdateId: this.updateId };
  }

  /**
   * A time for a snapshot of the current book, in ms, such that every diff already applied has `tus` below
   * `ms * 1000` and every later one above it (Bithumb's REST/WebSocket sync rule).
   */
  snapshotTms(nowMs: number): number {
    const tms = Math.max(nowMs, this.lastTms + 1);
    this.minNextTms = Math.max(this.minNextTms, tms);
    return tms;
  }

  roundQty(qty: number): number {
    return roundTo(qty, this.qtyDecimals);
  }

  private get qtyStep(): number {
    return 1 / 10 ** this.qtyDecimals;
  }

  private levelQty(nearTouch: boolean): number {
    const notional = this.levelNotional * Math.exp(0.9 * this.rng.normal()) * (nearTouch ? 0.4 : 1);
    return Math.max(this.qtyStep, this.roundQty(notional / this.mid));
  }

  private tradeQty(): number {
    return Math.max(this.qtyStep, this.roundQty((this.tradeNotional * Math.exp(1.1 * this.rng.normal())) / this.mid));
  }

  /** a grid price `ticks` ticks further from the touch */
  private outward(side: Side, price: number, ticks: number): number {
    return this.grid.move(price, side === 'bid' ? -ticks : ticks);
  }

  private seedBook(): void {
    let bid = this.grid.floor(this.mid);
    let ask = this.grid.up(bid);
    for (let i = 0; i < (MIN_LEVELS + MAX_LEVELS) / 2; i++) {
      this.book.set('bid', bid, this.levelQty(i < 3));
      this.book.set('ask', ask, this.levelQty(i < 3));
      bid = this.outward('bid', bid, this.rng.int(1, this.gapTicks));
      ask = this.outward('ask', ask, this.rng.int(1, this.gapTicks));
    }
  }

  /** Re-centres the touch on the new mid: crossing levels go, the emptied stretch fills with fresh orders. */
  private moveTouch(oldBid: number, oldAsk: number): void {
    const bid = this.grid.floor(this.mid);
    const ask = this.grid.up(bid);
    // the crossing levels are a prefix of each side's best-first prices
    if (oldBid > bid) for (const bids = this.book.view('bid'); bids.length > 0 && bids[0]! > bid; ) this.book.remove('bid', bids[0]!);
    if (oldAsk < ask) for (const asks = this.book.view('ask'); asks.length > 0 && asks[0]! < ask; ) this.book.remove('ask', asks[0]!);
    // Sometimes the touch stays empty for a step: a two-tick spread.
    if (this.rng.chance(0.85) || this.book.bids.size === 0) this.book.set('bid', bid, this.levelQty(true));
    if (this.rng.chance(0.85) || this.book.asks.size === 0) this.book.set('ask', ask, this.levelQty(true));
    // After a jump wider than the book, the fill stops at MAX_LEVELS: deeper levels would be trimmed anyway.
    for (let p = this.outward('bid', bid, this.rng.int(1, this.gapTicks)), n = 0; p > oldBid && n < MAX_LEVELS; n++) {
      if (!this.book.bids.has(p)) this.book.set('bid', p, this.levelQty(true));
      p = this.outward('bid', p, this.rng.int(1, this.gapTicks));
    }
    for (let p = this.outward('ask', ask, this.rng.int(1, this.gapTicks)), n = 0; p < oldAsk && n < MAX_LEVELS; n++) {
      if (!this.book.asks.has(p)) this.book.set('ask', p, this.levelQty(true));
      p = this.outward('ask', p, this.rng.int(1, this.gapTicks));
    }
  }

  /** Takers hit the touch; a trade larger than the level takes the whole level. */
  private trade(tms: number, buyBias: number): Trade[] {
    const trades: Trade[] = [];
    const n = this.tradesPerStep;
    // Strictly increasing microseconds within the millisecond: Upbit-style sequential ids are derived from them.
    let us = this.rng.int(0, Math.max(0, 998 - 2 * n));
    for (let i = 0; i < n; i++) {
      const takerSide = this.rng.chance(buyBias) ? 'buy' : 'sell';
      const side: Side = takerSide === 'buy' ? 'ask' : 'bid';
      const levels = this.book.levels(side);
      // Huge tradesPerStep settings could otherwise eat a whole side.
      if (levels.size < 2) this.refill(side);
      const price = takerSide === 'buy' ? this.book.bestAsk() : this.book.bestBid();
      const available = levels.get(price)!;
      let qty = this.tradeQty();
      const left = this.roundQty(available - qty);
      if (left <= 0) {
        qty = available;
        this.book.remove(side, price);
      } else this.book.set(side, price, left);
      us = Math.min(999, us + this.rng.int(1, 2));
      const trade: Trade = { id: this.nextTradeId++, price, qty, takerSide, tms, tus: tms * 1000 + us };
      recordTrade(this.stats, trade, this.qtyDecimals);
      this.lastTrade = trade;
      trades.push(trade);
    }
    return trades;
  }

  /** Resting orders come and go, mostly near the touch. */
  private churn(): void {
    const changes = this.rng.int(2, 6);
    // Sorted once per step: a level picked after an earlier change removed it simply comes back, which is harmless.
    const sorted = { bid: this.book.sortedPrices('bid'), ask: this.book.sortedPrices('ask') };
    for (let i = 0; i < changes; i++) {
      const side: Side = this.rng.chance(0.5) ? 'bid' : 'ask';
      const levels = this.book.levels(side);
      const idx = Math.floor(this.rng.next() ** 2 * sorted[side].length);
      const price = sorted[side][idx]!;
      const r = this.rng.next();
      if (i === 0 || r < 0.55) {
        const qty = this.levelQty(idx < 3);
        // A redraw may repeat the old quantity; nudge it so this step is guaranteed to change something.
        this.book.set(side, price, qty === levels.get(price) ? this.roundQty(qty + this.qtyStep) : qty);
      } else if (r < 0.75 && idx > 0 && levels.size > MIN_LEVELS) this.book.remove(side, price);
      else this.book.set(side, this.outward(side, price, this.rng.int(1, this.gapTicks)), this.levelQty(idx < 3));
    }
  }

  /** Keeps each side between MIN_LEVELS and MAX_LEVELS deep. */
  private refill(side: Side): void {
    const levels = this.book.levels(side);
    if (levels.size >= MIN_LEVELS && levels.size <= MAX_LEVELS) return;
    const sorted = this.book.sortedPrices(side);
    let worst = sorted[sorted.length - 1]!;
    for (let n = levels.size; n < MIN_LEVELS; n++) {
      worst = this.outward(side, worst, this.rng.int(1, this.gapTicks));
      this.book.set(side, worst, this.levelQty(false));
    }
    for (let i = sorted.length - 1; i >= MAX_LEVELS; i--) this.book.remove(side, sorted[i]!);
  }
}
