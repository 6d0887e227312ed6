// The one rule that makes a symbol mean the same on every venue: asset codes are upper case, and the few legacy
// names a venue still uses for an asset are mapped to the name the other venues use (Kraken's XBT → BTC).
//
// Plugins apply `unifyAsset` to both halves of every market they read from an exchange's market list, and
// `venueAsset` (its inverse for that venue) when they must write a code in the venue's spelling. `BTC/KRW` then means
// the same market on every KRW venue and `BTC/USDT` on every USDT venue. Add an alias here only when a venue's name for
// an asset differs from the name most venues use for the same asset (never to rename a different asset).

/** legacy or venue-specific asset names → the common name (docs/symbols.md) */
export const ASSET_ALIASES: Readonly<Record<string, string>> = Object.freeze({
  XBT: 'BTC', // Kraken (REST pair names, ISO 4217-style code)
  XDG: 'DOGE', // Kraken
});

/** the common name of an asset as a venue writes it: upper-cased, aliases applied */
export function unifyAsset(code: string): string {
  const upper = code.trim().toUpperCase();
  return ASSET_ALIASES[upper] ?? upper;
}

/** `BASE/QUOTE` from a venue's two asset names, both unified */
export function unifySymbol(base: string, quote: string): string {
  return `${unifyAsset(base)}/${unifyAsset(quote)}`;
}
