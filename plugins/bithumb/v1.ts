// Bithumb's current (v1) API: Upbit's request and formats, mapped by the shared Upbit-format mapper
// (plugins/_upbit-format/) with Bithumb's quirks.
//
// Quirks: `sequential_id` may be a string (read as is, like Upbit's quoted integers); times may be digit
// strings, the orderbook's in µs (v1-time.ts); an extra orderbook `level` / `lv` (price grouping) is not read.

import type { ConnectionPlan, PluginConfig } from '../../sdk/index.ts';
import { upbitStylePlan } from '../_upbit-format/plan.ts';
import { bithumbTime } from './v1-time.ts';

export function v1Plan(config: PluginConfig): ConnectionPlan {
  return upbitStylePlan(config, { ex: 'bithumb', readTime: bithumbTime });
}
