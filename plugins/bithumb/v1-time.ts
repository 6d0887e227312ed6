// Bithumb v1 time fields: Upbit's ms numbers, or (a Bithumb quirk) digit strings, some of them in microseconds.
//
// Rule, applied to every time field Bithumb v1 sends (timestamp / tms, trade_timestamp / ttms): a JSON number or a
// digit string, 13 digits = ms, 16 digits = µs (the orderbook `timestamp` quirk) floored to ms (a string is cut
// exactly, no float division); anything else is BAD_FRAME. Both widths are fixed from 2001 to 2286, so the width
// names the unit (the SDK's rule, sdk/readers.ts msFromEpoch).

import { timeMs } from '../../sdk/index.ts';
import type { TimeReader } from '../_upbit-format/time.ts';
import { UPBIT_TIME_UNITS } from '../_upbit-format/time.ts';

export const bithumbTime: TimeReader = (m, key, what) => timeMs(m, key, what, UPBIT_TIME_UNITS);
