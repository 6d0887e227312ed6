// Kraken's book checksum: CRC32 (IEEE 802.3, as zlib computes it) over the top 10 asks then the top 10 bids, each
// level written as its price digits followed by its quantity digits, without the decimal point or leading zeros.
// (Kept here until the SDK's CRC32 helper exists: sdk/checksum.ts.)

const TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC32 of a string of ASCII characters (digits here), as an unsigned 32-bit integer */
export function crc32(ascii: string): number {
  let c = 0xffffffff;
  for (let i = 0; i < ascii.length; i++) c = TABLE[(c ^ ascii.charCodeAt(i)) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** the levels the checksum covers */
export const CHECKSUM_LEVELS = 10;

/**
 * A decimal literal in plain positional form with exactly `decimals` fraction digits where known: `1e-05` → `0.00001`,
 * `0.566` at 4 → `0.5660`. Digits beyond `decimals` are kept unless they are zeros, so a value the pair cannot hold
 * shows up as a mismatch instead of being rounded into agreement.
 */
export function fixedText(literal: string, decimals?: number): string {
  let t = literal;
  const e = t.search(/[eE]/);
  if (e >= 0) t = expand(t.slice(0, e), Number(t.slice(e + 1)));
  if (decimals === undefined) return t;
  const dot = t.indexOf('.');
  let int = dot < 0 ? t : t.slice(0, dot);
  let frac = dot < 0 ? '' : t.slice(dot + 1);
  if (frac.length < decimals) frac = frac.padEnd(decimals, '0');
  else while (frac.length > decimals && frac.endsWith('0')) frac = frac.slice(0, -1);
  if (int === '') int = '0';
  return frac === '' ? int : `${int}.${frac}`;
}

/** mantissa × 10^exp as a plain decimal literal */
function expand(mantissa: string, exp: number): string {
  const negative = mantissa.startsWith('-');
  const m = negative ? mantissa.slice(1) : mantissa;
  const dot = m.indexOf('.');
  const digits = dot < 0 ? m : m.slice(0, dot) + m.slice(dot + 1);
  const point = (dot < 0 ? m.length : dot) + exp;
  let out: string;
  if (point <= 0) out = `0.${'0'.repeat(-point)}${digits}`;
  else if (point >= digits.length) out = digits + '0'.repeat(point - digits.length);
  else out = `${digits.slice(0, point)}.${digits.slice(point)}`;
  return negative ? `-${out}` : out;
}

/** `0.00100000` → `100000`, `45285.2` → `452852` */
export function checksumDigits(fixed: string): string {
  const digits = fixed.replace('.', '');
  let i = 0;
  while (i < digits.length - 1 && digits.charCodeAt(i) === 0x30) i++;
  return digits.slice(i);
}

export interface TextLevel {
  /** price literal, already in fixed form */
  priceText: string;
  qtyText: string;
}

/** The checksum of a book: asks best (lowest) first, then bids best (highest) first, at most 10 each. */
export function bookChecksum(asks: readonly TextLevel[], bids: readonly TextLevel[]): number {
  let s = '';
  for (let i = 0; i < asks.length && i < CHECKSUM_LEVELS; i++) s += checksumDigits(asks[i]!.priceText) + checksumDigits(asks[i]!.qtyText);
  for (let i = 0; i < bids.length && i < CHECKSUM_LEVELS; i++) s += checksumDigits(bids[i]!.priceText) + checksumDigits(bids[i]!.qtyText);
  return crc32(s);
}
