// One simulated world all venues price from: a coin's USD price, the USD/KRW rate, and each Korean venue's drifting
// premium, all smooth deterministic functions of (seed, time). Separate simulators agree without sharing state, so a
// KRW market = the USDT market × USDT/KRW × the venue's premium, and the demo's premium board looks like the real one.

import { hashString, mulberry32 } from './prng.ts';
import { quoteUsd, referencePrice } from './reference-prices.ts';

/** USD/KRW around which the simulated FX rate moves */
export const FX_CENTER = 1450;

/** smooth noise in about [-1, 1]: hashed values every `periodMs`, cosine-interpolated between them */
export function noise(name: string, seed: number, tms: number, periodMs: number): number {
  const k = Math.floor(tms / periodMs);
  const f = (tms - k * periodMs) / periodMs;
  const at = (i: number) => mulberry32(hashString(`${name}:${periodMs}:${i}`, seed))() * 2 - 1;
  const w = (1 - Math.cos(Math.PI * f)) / 2;
  return at(k) * (1 - w) + at(k + 1) * w;
}

/** a slow wander made of a day, an hour, ten minutes and a minute of noise */
function wander(name: string, seed: number, tms: number, day: number, hour: number, tenMin: number, minute: number): number {
  return (
    day * noise(name, seed, tms, 86_400_000) +
    hour * noise(name, seed, tms, 3_600_000) +
    tenMin * noise(name, seed, tms, 600_000) +
    minute * noise(name, seed, tms, 60_000)
  );
}

const STABLE = new Set(['USDT', 'USDC', 'FDUSD', 'TUSD', 'BUSD', 'DAI']);
const FIAT = new Set(['EUR', 'TRY', 'BRL', 'JPY']);

/** the coin's world price in USD at `tms` (stablecoins: 1) */
export function usdPrice(base: string, seed: number, tms: number): number {
  if (STABLE.has(base)) return 1;
  const center = referencePrice(base, 'USDT');
  return center * Math.exp(wander(`usd:${base}`, seed, tms, 0.03, 0.012, 0.004, 0.0012));
}

/** USD/KRW at `tms`: what the FX simulator serves */
export function fxRate(seed: number, tms: number): number {
  return Math.round(FX_CENTER * Math.exp(wander('fx', seed, tms, 0.004, 0.0015, 0.0004, 0.0001)) * 100) / 100;
}

/** the premium each Korean venue's coins centre on (Coinone and Korbit, the thinner books, a little higher) */
const KRW_PREMIUM: Readonly<Record<string, number>> = { upbit: 0.025, bithumb: 0.029, coinone: 0.027, korbit: 0.032 };

/**
 * The venue's premium over world price × FX for one coin: Upbit around +2.5 %, Bithumb around +2.9 %, Coinone
 * around +2.7 %, Korbit around +3.2 %, each drifting
 * on its own (the premium moves by venue and by coin), USDT/KRW around +1.2 % (the Korean stablecoin premium).
 */
export function venuePremium(venue: string, base: string, seed: number, tms: number): number {
  const venueCenter = KRW_PREMIUM[venue];
  if (venueCenter === undefined) return 0;
  const center = STABLE.has(base) ? 0.012 : venueCenter;
  const common = wander(`prem:${venue}`, seed, tms, 0.01, 0.006, 0.002, 0.0006);
  const coin = wander(`prem:${venue}:${base}`, seed, tms, 0.004, 0.002, 0.001, 0.0004);
  return center + common + coin;
}

/** where a venue's BASE/QUOTE market trades at `tms` in the simulated world */
export function anchorPrice(venue: string, base: string, quote: string, seed: number, tms: number): number {
  const premium = 1 + venuePremium(venue, base, seed, tms);
  if (quote === 'KRW') return usdPrice(base, seed, tms) * fxRate(seed, tms) * premium;
  // a coin quote (BTC, ETH, BNB) moves with the world; a fiat one (EUR, TRY, ...) is worth its fixed USD value
  const usd = STABLE.has(quote) ? 1 : FIAT.has(quote) ? quoteUsd(quote)! : usdPrice(quote, seed, tms);
  return (usdPrice(base, seed, tms) / usd) * premium;
}
