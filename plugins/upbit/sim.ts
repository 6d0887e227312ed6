// The Upbit simulator: the shared Upbit-format exchange (plugins/_upbit-format/) as Upbit serves it, binary frames
// holding UTF-8 JSON, numeric sequential ids, and the private endpoint /websocket/v1/private.

import { defineSim } from '../../sim/define.ts';
import type { SimHandle, SimOptions } from '../../sim/sim-types.ts';
import { startUpbitFormatSim } from '../_upbit-format/sim-exchange.ts';

export { UPBIT_WS_PATH } from '../_upbit-format/sim-exchange.ts';

export function startUpbitSim(options: SimOptions = {}): Promise<SimHandle> {
  return startUpbitFormatSim({ ...options, variant: 'upbit' });
}

export default defineSim({
  name: 'upbit',
  start: startUpbitSim,
  config: (h) => ({ url: h.url, restUrl: h.restUrl, symbols: ['BTC/KRW', 'ETH/KRW'] }),
});
