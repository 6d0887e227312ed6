// Upbit-format time fields: ms since epoch as documented, or µs (16 digits) as both exchanges sometimes send.
//
// The SDK's width rule (sdk/readers.ts msFromEpoch) tells the two apart: 13 digits = ms, 16 = µs floored to ms;
// any other width (seconds, ns, a typo) is BAD_FRAME. Upbit sends JSON numbers only; Bithumb v1 also sends digit
// strings (plugins/bithumb/v1-time.ts), so which JSON types are taken is the exchange's choice.

import { badFrame, clip, timeMs } from '../../sdk/index.ts';
import type { Json, TimeUnit } from '../../sdk/index.ts';

/** reads a time field as ms since epoch; throws BAD_FRAME when it is missing or malformed */
export type TimeReader = (m: Json, key: string, what: string) => number;

export const UPBIT_TIME_UNITS: readonly TimeUnit[] = ['ms', 'us'];

/** Upbit: a JSON number in ms or µs */
export const numberTime: TimeReader = (m, key, what) => {
  const v = m[key];
  if (typeof v !== 'number') throw badFrame(`${what}: ${key} is ${clip(v)}, not a time in ms (13 digits) or µs (16 digits)`);
  return timeMs(m, key, what, UPBIT_TIME_UNITS);
};
