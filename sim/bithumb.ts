// Simulated Bithumb v1 WebSocket: the Upbit-compatible server with Bithumb's quirks switched on.

import type { SimHandle } from './sim-types.ts';
import { startUpbitSim, type UpbitSimOptions } from './upbit.ts';

/**
 * Same request array, types and formats as Upbit, but `sequential_id` is a string, the orderbook `timestamp` is a
 * string in microseconds, and frames are text rather than binary.
 */
export function startBithumbSim(options: Omit<UpbitSimOptions, 'variant'> = {}): Promise<SimHandle> {
  return startUpbitSim({ ...options, variant: 'bithumb' });
}
