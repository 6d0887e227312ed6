// Upbit-format market codes, QUOTE-BASE (`KRW-BTC`), shared by Upbit and Bithumb v1.

import { marketCode } from '../../sdk/index.ts';
import type { CodeFormat } from '../../sdk/index.ts';

/** `BTC/KRW` → `KRW-BTC` */
export const QUOTE_BASE: CodeFormat = (base, quote) => `${quote}-${base}`;

/** `BTC/KRW` → `KRW-BTC`; PLUGIN_SYMBOL_INVALID for anything that is not BASE/QUOTE */
export function quoteBaseCode(symbol: string): string {
  return marketCode(symbol, QUOTE_BASE);
}
