// Bithumb v1 time fields: Upbit's ms numbers, or (a Bithumb quirk) digit strings, some of them in microseconds.
//
// Rule, applied to every time field Bithumb v1 sends (timestamp / tms, trade_timestamp / ttms):
//   - a JSON number is ms since epoch, Upbit's documented unit;
//   - a string must be all digits: 13 digits = ms, 16 digits = µs (the orderbook `timestamp` quirk), floored
//     to ms by dropping the last three digits, which is exact (no float division);
//   - any other string is BAD_FRAME.
// The string form is what marks the quirk, and its width tells the two documented encodings apart (both are
// fixed-width from 2001 to 2286); a number is never reinterpreted by its size.

import { badFrame } from '../../sdk/errors.ts';
import type { Json } from '../upbit/read.ts';
import { clip } from '../upbit/read.ts';
import { msTime } from '../upbit/map.ts';

const MS_DIGITS = /^[0-9]{13}$/;
const US_DIGITS = /^[0-9]{16}$/;

export function bithumbTime(m: Json, key: string, ctx: string): number {
  const v = m[key];
  if (typeof v !== 'string') return msTime(m, key, ctx);
  if (MS_DIGITS.test(v)) return Number(v);
  if (US_DIGITS.test(v)) return Number(v.slice(0, 13));
  throw badFrame(`${ctx}: ${key} is ${clip(v)}, neither 13 digits (ms) nor 16 (µs)`);
}
