// Upbit-style market codes (QUOTE-BASE, which Bithumb v1 shares) and the code → unified symbol lookup.

import { GatewayError } from '../../sdk/errors.ts';
import { isSymbol, splitSymbol } from '../../sdk/model.ts';

/** `BTC/KRW` → `KRW-BTC`; throws for anything that is not `BASE/QUOTE` */
export function quoteBaseCode(symbol: string): string {
  if (!isSymbol(symbol)) {
    throw new GatewayError('PLUGIN_SYMBOL_INVALID', `${JSON.stringify(String(symbol).slice(0, 40))} is not BASE/QUOTE`);
  }
  const { base, quote } = splitSymbol(symbol);
  return `${quote}-${base}`;
}

/**
 * Native code → unified symbol for the configured symbols only. Built once per plan: a frame for a market
 * we did not configure cannot be named reliably, so the mapper treats it as BAD_FRAME instead of guessing.
 */
export function marketLookup(symbols: readonly string[], code: (symbol: string) => string): Map<string, string> {
  const markets = new Map<string, string>();
  for (const s of symbols) markets.set(code(s), s);
  return markets;
}
