// The simulated Bybit spot venue: its trading rules, and its market list of a few hundred instruments in the shape
// of `instruments-info`, changeable at run time (listings and delistings) by the simulator's handle.

import { QUOTES } from '../../sim/reference-prices.ts';
import { BINANCE_RULES, type VenueRules } from '../../sim/venue-rules.ts';

/** Bybit's spot grid is a fixed tick per symbol, like Binance's; its markets follow the world price without premium. */
export const BYBIT_RULES: VenueRules = { ...BINANCE_RULES, venue: 'bybit' };

/** Base coins the simulated venue lists, roughly by size; the first ones are quoted in more currencies. */
const BASES = (
  'BTC ETH XRP SOL BNB DOGE ADA TRX LINK DOT AVAX LTC BCH TON SHIB XLM SUI NEAR APT UNI ' +
  'ICP ETC FIL ATOM ARB OP INJ HBAR VET MKR AAVE GRT RNDR IMX STX SEI TIA LDO ALGO FTM ' +
  'SAND MANA AXS THETA EGLD XTZ EOS FLOW CHZ KAVA ROSE MINA QNT ZIL ENJ BAT ONE CRV SNX COMP ' +
  'YFI SUSHI 1INCH ZRX LRC KSM DYDX GMX BLUR PEPE FLOKI BONK WIF JUP PYTH ORDI WLD ARKM ENA ' +
  'ETHFI ONDO STRK MNT PENDLE JTO ZETA MANTA ALT DYM PORTAL PIXEL AEVO BOME ETHW GALA APE CAKE ' +
  'CELO CORE FET AGIX OCEAN GLMR MOVR ASTR KDA CSPR ZEN DASH ZEC XEM IOTA NEO ONT QTUM WAVES ' +
  'ICX RVN SC DGB HOT ANKR CELR SKL STORJ BAND NMR OGN RSR SXP COTI CTSI CHR DENT SUN JST'
).split(' ');

/** quotes and how many of the first BASES each one lists */
const QUOTE_DEPTH: [quote: string, count: number][] = [
  ['USDT', BASES.length],
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

/** The listed instruments, by code. */
export class Universe {
  private readonly listed = new Map<string, Instrument>();

  constructor() {
    for (const [quote, count] of QUOTE_DEPTH) {
      for (const base of BASES.slice(0, count)) if (base !== quote) this.add(instrument(base, quote));
    }
  }

  get(code: string): Instrument | undefined {
    return this.listed.get(code);
  }

  all(): Instrument[] {
    return [...this.listed.values()];
  }

  add(i: Instrument): void {
    this.listed.set(i.symbol, i);
  }

  remove(code: string): boolean {
    return this.listed.delete(code);
  }
}
