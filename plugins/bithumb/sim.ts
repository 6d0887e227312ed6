// Bithumb's two simulators: 'bithumb' (v1, the Upbit-compatible API with Bithumb's quirks) and 'bithumb-legacy'
// (/pub/ws with REST order-book snapshots, sim-legacy.ts). Both serve the bithumb plugin, with `api` choosing.

import { defineSim } from '../../sim/define.ts';
import type { SimHandle, SimOptions } from '../../sim/sim-types.ts';
import { startUpbitFormatSim } from '../_upbit-format/sim-exchange.ts';
import { startBithumbLegacySim } from './sim-legacy.ts';

export { startBithumbLegacySim };

/**
 * Same request array, types and formats as Upbit, but `sequential_id` is a string, the orderbook `timestamp` is a
 * string in microseconds, and frames are text rather than binary; private endpoint /websocket/v2/private.
 */
export function startBithumbSim(options: SimOptions = {}): Promise<SimHandle> {
  return startUpbitFormatSim({ ...options, variant: 'bithumb' });
}

const SYMBOLS = ['BTC/KRW', 'ETH/KRW'];

export default [
  defineSim({
    name: 'bithumb',
    start: startBithumbSim,
    config: (h) => ({ api: 'v1', url: h.url, restUrl: h.restUrl, symbols: SYMBOLS }),
  }),
  defineSim({
    name: 'bithumb-legacy',
    start: startBithumbLegacySim,
    config: (h) => ({ api: 'legacy', url: h.url, restUrl: h.restUrl, symbols: SYMBOLS }),
  }),
];
