// Unified symbols (BASE/QUOTE) <-> an exchange's market codes, validated once: the one table a plugin keeps.
//
//   const BINANCE: CodeFormat = (base, quote) => base + quote;           // BTC/USDT -> BTCUSDT
//   marketCode('BTC/USDT', BINANCE)          'BTCUSDT'; PLUGIN_SYMBOL_INVALID for anything that is not BASE/QUOTE
//   const t = symbolTable(config.symbols, BINANCE, 'binance')
//   t.symbol('BTCUSDT')                      'BTC/USDT'; undefined for a code that was not configured
//   t.code('BTC/USDT')                       'BTCUSDT'; throws for a symbol that was not configured
//   t.codes / t.symbols                      the configured codes and symbols, in config order, without repeats
//
// The table is built from the configured symbols only, and the way back (code -> symbol) is a lookup in it, never a
// parse: "BTCUSDC" cannot be split safely against a quote "USD", so a frame for a code nobody configured is a frame
// the mapper rejects instead of guessing. Building it throws PLUGIN_SYMBOL_INVALID when a symbol is malformed or two
// different symbols would share one code (`BTC/USDT` and `BTCU/SDT` are both BTCUSDT on Binance): call it in
// `connections(config)`, so a bad configuration fails at start-up rather than on the first frame.

import { GatewayError } from './errors.ts';
import { isSymbol, splitSymbol } from './model.ts';

/** How an exchange spells a market: base and quote (upper case, as in the unified symbol) to its code. */
export type CodeFormat = (base: string, quote: string) => string;

/** The exchange's code for a unified symbol; PLUGIN_SYMBOL_INVALID for anything that is not BASE/QUOTE. */
export function marketCode(symbol: string, format: CodeFormat): string {
  if (!isSymbol(symbol)) {
    throw new GatewayError('PLUGIN_SYMBOL_INVALID', `${JSON.stringify(String(symbol).slice(0, 40))} is not a unified symbol BASE/QUOTE`);
  }
  const { base, quote } = splitSymbol(symbol);
  return format(base, quote);
}

export interface SymbolTable {
  /** the configured codes, in config order, without repeats */
  readonly codes: readonly string[];
  /** the configured symbols, in config order, without repeats */
  readonly symbols: readonly string[];
  /** the unified symbol of a configured code; undefined for any other */
  symbol(code: string): string | undefined;
  /** the code of a configured symbol; throws PLUGIN_SYMBOL_INVALID for any other */
  code(symbol: string): string;
  /** code -> symbol, for code that wants a plain map */
  readonly byCode: ReadonlyMap<string, string>;
}

/**
 * The table of the configured symbols. `exchange` names the exchange in the collision error. Repeating a symbol is
 * harmless; two symbols with one code are a configuration error.
 */
export function symbolTable(symbols: readonly string[], format: CodeFormat, exchange: string): SymbolTable {
  const byCode = new Map<string, string>();
  const bySymbol = new Map<string, string>();
  for (const s of symbols) {
    const code = marketCode(s, format);
    const other = byCode.get(code);
    if (other !== undefined && other !== s) {
      throw new GatewayError('PLUGIN_SYMBOL_INVALID', `"${s}" and "${other}" are both ${code} on ${exchange}`);
    }
    byCode.set(code, s);
    bySymbol.set(s, code);
  }
  return {
    codes: [...byCode.keys()],
    symbols: [...bySymbol.keys()],
    byCode,
    symbol: (code) => byCode.get(code),
    code(symbol) {
      const code = bySymbol.get(symbol);
      if (code === undefined) throw new GatewayError('PLUGIN_SYMBOL_INVALID', `"${String(symbol).slice(0, 40)}" is not configured for ${exchange}`);
      return code;
    },
  };
}
