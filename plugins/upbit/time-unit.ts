// The unit of an Upbit-format time number (Upbit, Bithumb v1): ms since epoch as documented, or µs as both
// exchanges sometimes send (16-digit `timestamp` / `trade_timestamp`), told apart by the width of the integer part.
//
// Rule: from 2001-09-09 to 2286-11-20 every ms time has exactly 13 integer digits and every µs time exactly 16, so
// the width names the unit without comparing with any clock: 13 digits = ms, 16 digits = µs floored to ms (integer
// division, exact: such µs values are below 2^53). Any other width (seconds, ns, a typo) is no time we know how to
// read: undefined, and the frame is BAD_FRAME. The same rule holds for Bithumb's digit strings (bithumb/v1-time.ts).

const MS_MIN = 1e12;
const MS_END = 1e13;
const US_MIN = 1e15;
const US_END = 1e16;

/** ms since epoch for a time number in ms or µs, or undefined for any other width */
export function msFromTimeNumber(v: number): number | undefined {
  if (v >= MS_MIN && v < MS_END) return v;
  if (v >= US_MIN && v < US_END) {
    const us = Math.floor(v);
    return (us - (us % 1000)) / 1000;
  }
  return undefined;
}
