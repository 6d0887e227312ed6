// Plausible starting prices and daily turnover for any BASE/QUOTE pair; unknown coins get one derived from the name.

import { hashString } from './prng.ts';

/** USD value of one unit of each quote currency we accept; a symbol whose quote is not here is invalid. */
const QUOTE_USD: Record<string, number> = {
  USDT: 1,
  USDC: 1,
  FDUSD: 1,
  TUSD: 1,
  BUSD: 1,
  DAI: 1,
  KRW: 1 / 1450,
  BTC: 95_000,
  ETH: 3_400,
  BNB: 650,
  EUR: 1.08,
  TRY: 1 / 34,
  BRL: 1 / 5.8,
  JPY: 1 / 150,
};

/** Quote currencies, longest first, so `btcfdusd` parses as BTC/FDUSD rather than failing on a shorter match. */
export const QUOTES: readonly string[] = Object.keys(QUOTE_USD).sort((a, b) => b.length - a.length);

// KRW prices carry the kimchi premium, so they are listed on their own rather than converted.
const KRW_PRICE: Record<string, number> = { BTC: 140_000_000, ETH: 4_900_000, XRP: 3_200, SOL: 280_000, DOGE: 540 };

const USD_PRICE: Record<string, number> = {
  BTC: 95_000,
  ETH: 3_400,
  XRP: 2.2,
  SOL: 190,
  BNB: 650,
  DOGE: 0.37,
  ADA: 0.95,
  TRX: 0.25,
  LINK: 21,
  DOT: 7.2,
  AVAX: 38,
  LTC: 105,
  BCH: 460,
};

const DAILY_TURNOVER_USD: Record<string, number> = { BTC: 2_000_000_000, ETH: 900_000_000, XRP: 300_000_000, SOL: 250_000_000 };

export function quoteUsd(quote: string): number | undefined {
  return QUOTE_USD[quote];
}

/** Unknown coins: a stable price between about 0.05 and 500 USD, picked from the name. */
function derivedUsd(base: string): number {
  const h = hashString(base);
  return 10 ** (((h % 10_000) / 10_000) * 4 - 1.3);
}

/** Starting price of BASE in QUOTE units; the quote must be one of QUOTES. */
export function referencePrice(base: string, quote: string): number {
  if (quote === 'KRW' && KRW_PRICE[base] !== undefined) return KRW_PRICE[base];
  const usd = QUOTE_USD[base] ?? USD_PRICE[base] ?? derivedUsd(base);
  return usd / QUOTE_USD[quote]!;
}

/** 24 h turnover of one market, in USD: large for the majors, a few million for the rest. */
export function dailyTurnoverUsd(base: string): number {
  return DAILY_TURNOVER_USD[base] ?? 2_000_000 + (hashString(base, 7) % 50) * 1_000_000;
}
