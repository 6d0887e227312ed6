// The record rate the universe benchmark drives the simulators to, derived from each venue's documented push
// cadences (the plugin READMEs link the pages): per market, book updates and tickers at most at the venue's cap,
// trades unbounded; which markets run at the caps follows their 24 h turnover (sim/market-set.ts `busyStepEvery`).

import { busyStepEvery } from '../../sim/market-set.ts';

export interface VenueRate {
  /** the simulator's step: the period of the venue's fastest public book push (one book update per step) */
  stepMs: number;
  /** at most this many tickers per second per market; 'step': one with every step that traded (no cadence) */
  tickersPerS: number | 'step';
  /** Binance: the ticker goes out every second for every market, traded or not */
  tickerEverySecond?: boolean;
  /** where the cadences come from */
  source: string;
}

/** No published cadence: pushed on every change; the simulator steps such venues' markets at most every 100 ms. */
const ON_CHANGE = 'no published cadence (pushed on change): at most one book per 100 ms step assumed';

export const VENUE_RATES: Readonly<Record<string, VenueRate>> = {
  binance: {
    stepMs: 100,
    tickersPerS: 1,
    tickerEverySecond: true,
    source: '`<s>@depth@100ms` diffs every 100 ms, `<s>@ticker` every 1000 ms (developers.binance.com, WebSocket streams)',
  },
  okx: {
    stepMs: 100,
    tickersPerS: 10,
    source: '`books` every 100 ms, `tickers` at most every 100 ms when changed (okx.com/docs-v5, WebSocket market data)',
  },
  bybit: {
    stepMs: 20,
    tickersPerS: 20,
    source: 'spot `orderbook.50` every 20 ms, spot `tickers` every 50 ms (bybit-exchange.github.io/docs/v5/websocket/public)',
  },
  kraken: { stepMs: 100, tickersPerS: 'step', source: `\`book\` and \`ticker\` (on trades): ${ON_CHANGE}` },
  upbit: { stepMs: 100, tickersPerS: 'step', source: `ticker, trade, orderbook real time: ${ON_CHANGE}` },
  bithumb: { stepMs: 100, tickersPerS: 'step', source: `v1 ticker, trade, orderbook real time: ${ON_CHANGE}` },
  coinone: { stepMs: 100, tickersPerS: 'step', source: `TICKER on trades, ORDERBOOK on every change: ${ON_CHANGE}` },
  korbit: { stepMs: 100, tickersPerS: 'step', source: `ticker and trade on trades, orderbook on change: ${ON_CHANGE}` },
};

export const DEFAULT_RATE: VenueRate = { stepMs: 100, tickersPerS: 'step', source: ON_CHANGE };

export const venueRate = (exchange: string): VenueRate => VENUE_RATES[exchange] ?? DEFAULT_RATE;

export interface RateModel {
  /** trades per market step (a major at the step cap trades tradesPerStep × 1000/stepMs times a second) */
  tradesPerStep: number;
  /** the busier-minute factor: markets with at least 1/peak of BTC's turnover run at the caps (Infinity: all) */
  peak: number;
  /** the step the simulator was given, when not the venue's (the baseline's uniform 100 ms) */
  stepMs?: number;
}

/** Records per second one venue's simulator should produce for these subscribed markets (`BASE/QUOTE`). */
export function targetRate(exchange: string, symbols: readonly string[], model: RateModel): { perS: number; atCap: number } {
  const v = venueRate(exchange);
  const stepsPerS = 1000 / (model.stepMs ?? v.stepMs);
  let perS = 0;
  let atCap = 0;
  for (const symbol of symbols) {
    const every = busyStepEvery(symbol.split('/')[0]!, model.peak);
    if (every === 1) atCap++;
    const steps = stepsPerS / every;
    // every step: its trades and one book update
    perS += steps * (model.tradesPerStep + 1);
    if (v.tickerEverySecond) perS += typeof v.tickersPerS === 'number' ? v.tickersPerS : 1;
    else perS += v.tickersPerS === 'step' ? steps : Math.min(steps, v.tickersPerS);
  }
  return { perS, atCap };
}
