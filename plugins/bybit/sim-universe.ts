// The simulated Bybit spot venue: its trading rules, and its market list of a few hundred instruments in the shape
// of `instruments-info`, changeable at run time (listings and delistings) by the simulator's handle.

import { QUOTES } from '../../sim/reference-prices.ts';
import { buildUniverse, Listing } from '../../sim/universe.ts';
import { BINANCE_RULES, type VenueRules } from '../../sim/venue-rules.ts';

/** Bybit's spot grid is a fixed tick per symbol, like Binance's; its markets follow the world price without premium. */
export const BYBIT_RULES: VenueRules = { ...BINANCE_RULES, venue: 'bybit' };

/** quotes and how many of the shared base assets (sim/universe.ts, majors first) each one lists */
const QUOTE_DEPTH: [quote: string, count: number][] = [
  ['USDT', Infinity],
  ['USDC', 80],
  ['BTC', 40],
  ['EUR', 12],
  ['BRL', 6],
  ['TRY', 6],
];

export interface Instrument {
  symbol: string;
  baseCoin: string;
  quoteCoin: string;
}

export function instrument(base: string, quote: string): Instrument {
  return { symbol: base + quote, baseCoin: base, quoteCoin: quote };
}

/** Bybit's code back to its coins, for any quote the simulated world prices (longest quote first). */
export function splitCode(code: string): Instrument | undefined {
  if (!/^[A-Z0-9]{2,30}$/.test(code)) return undefined;
  const quote = QUOTES.find((q) => code.endsWith(q) && code.length - q.length >= 1);
  return quote ? instrument(code.slice(0, -quote.length), quote) : undefined;
}

/** The listed instruments: the shared listing state (sim/universe.ts), indexed by Bybit's code. */
export class Universe {
  private readonly listing = new Listing(buildUniverse({ quotes: QUOTE_DEPTH }));
  private readonly byCode = new Map<string, Instrument>(this.listing.all().map((m) => [m.base + m.quote, instrument(m.base, m.quote)]));

  get(code: string): Instrument | undefined {
    return this.byCode.get(code);
  }

  /** in list order: the initial universe, then the run-time listings */
  all(): Instrument[] {
    return this.listing.all().map((m) => this.byCode.get(m.base + m.quote)!);
  }

  add(i: Instrument): void {
    this.listing.list(`${i.baseCoin}/${i.quoteCoin}`);
    this.byCode.set(i.symbol, i);
  }

  remove(code: string): boolean {
    const i = this.byCode.get(code);
    if (!i) return false;
    this.byCode.delete(code);
    return this.listing.delist(`${i.baseCoin}/${i.quoteCoin}`);
  }
}
