// Order-book checksums as exchanges define them: CRC32 (node:zlib, Node >= 20.15 and Deno 2) over a text built from
// the top levels by each exchange's own rule. The text rules take the levels as the exchange writes them (strings);
// `bookLevels` renders a DepthBook's numbers back to text for exchanges whose formatting is known (fixed decimals).
//
//   OKX (`books`, `books-l2-tbt`): the top 25 bids and asks interleaved as `bidPx:bidSz:askPx:askSz:...`, a side
//       that runs out simply stops contributing; strings exactly as sent; the CRC32 read as a signed 32-bit integer.
//       (OKX announced that from June 2026 the field is always 0 and seqId/prevSeqId is the check: treat 0 as absent.)
//   Kraken v2 (`book`): the top 10 asks (low to high) then the top 10 bids (high to low), each level as price then
//       qty, both written with the instrument's precision and then with '.' removed and leading zeros stripped,
//       concatenated without separators; the CRC32 read as an unsigned 32-bit integer.

import { crc32 as zlibCrc32 } from 'node:zlib';
import type { DepthBook } from './book.ts';

/** one level as text: [price, size] */
export type TextLevel = readonly [price: string, size: string];

/** CRC32 (ISO-HDLC, the zip/PNG one) of the UTF-8 bytes of `text`, as an unsigned 32-bit integer */
export function crc32(text: string): number {
  return zlibCrc32(text) >>> 0;
}

/** the same 32 bits read as a signed integer (OKX, Bitfinex) */
export function toInt32(n: number): number {
  return n | 0;
}

export const OKX_CHECKSUM_LEVELS = 25;
export const KRAKEN_CHECKSUM_LEVELS = 10;

/** the text OKX checksums: bids and asks interleaved, price:size, top 25 of each */
export function okxChecksumText(bids: readonly TextLevel[], asks: readonly TextLevel[]): string {
  const parts: string[] = [];
  const n = Math.min(OKX_CHECKSUM_LEVELS, Math.max(bids.length, asks.length));
  for (let i = 0; i < n; i++) {
    const b = bids[i];
    if (b) parts.push(b[0], b[1]);
    const a = asks[i];
    if (a) parts.push(a[0], a[1]);
  }
  return parts.join(':');
}

/** OKX's book checksum: signed 32-bit */
export function okxChecksum(bids: readonly TextLevel[], asks: readonly TextLevel[]): number {
  return toInt32(crc32(okxChecksumText(bids, asks)));
}

/** a Kraken checksum field: '.' removed, leading zeros stripped ("0.00100000" -> "100000") */
export function krakenField(text: string): string {
  const digits = text.replace('.', '');
  let i = 0;
  while (i < digits.length - 1 && digits.charCodeAt(i) === 48) i++;
  return digits.slice(i);
}

/** the text Kraken checksums: top 10 asks then top 10 bids, price and qty fields concatenated */
export function krakenChecksumText(asks: readonly TextLevel[], bids: readonly TextLevel[]): string {
  let text = '';
  for (const side of [asks, bids]) {
    const n = Math.min(KRAKEN_CHECKSUM_LEVELS, side.length);
    for (let i = 0; i < n; i++) text += krakenField(side[i]![0]) + krakenField(side[i]![1]);
  }
  return text;
}

/** Kraken's book checksum: unsigned 32-bit */
export function krakenChecksum(asks: readonly TextLevel[], bids: readonly TextLevel[]): number {
  return crc32(krakenChecksumText(asks, bids));
}

/**
 * `value` with exactly `decimals` digits after the point, never in exponent form (Kraken's rule: the instrument's
 * price_precision / qty_precision). Exact for values that have at most `decimals` decimals.
 */
export function fixedText(value: number, decimals: number): string {
  if (Math.abs(value) < 1e21) return value.toFixed(decimals);
  return BigInt(Math.round(value)).toString() + (decimals > 0 ? '.' + '0'.repeat(decimals) : '');
}

/** the shortest decimal text that reads back as `value`, never in exponent form (1e-7 -> "0.0000001") */
export function plainText(value: number): string {
  const s = String(value);
  const e = s.indexOf('e');
  if (e < 0) return s;
  const negative = s.startsWith('-');
  const mantissa = s.slice(negative ? 1 : 0, e);
  const exp = Number(s.slice(e + 1));
  const dot = mantissa.indexOf('.');
  const digits = mantissa.replace('.', '');
  const point = (dot < 0 ? mantissa.length : dot) + exp; // position of the point within `digits`
  let out: string;
  if (point <= 0) out = '0.' + '0'.repeat(-point) + digits;
  else if (point >= digits.length) out = digits + '0'.repeat(point - digits.length);
  else out = digits.slice(0, point) + '.' + digits.slice(point);
  return (negative ? '-' : '') + out;
}

/** the best `n` levels of one side of a book as text, each number written by `price` / `size` */
export function bookLevels(
  book: DepthBook,
  side: 'bids' | 'asks',
  n: number,
  price: (value: number) => string = plainText,
  size: (value: number) => string = plainText,
): TextLevel[] {
  const s = book[side];
  const count = Math.min(n, s.length);
  const out: TextLevel[] = new Array(count);
  for (let i = 0; i < count; i++) out[i] = [price(s.prices[i]!), size(s.sizes[i]!)];
  return out;
}
