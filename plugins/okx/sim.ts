// The OKX simulator as the plugin folder declares it (sim/define.ts): start it, and the config section it serves.

import { defineSim } from '../../sim/index.ts';
import { startOkxSim, type OkxSimHandle } from './sim-protocol.ts';

export default defineSim<OkxSimHandle>({
  name: 'okx',
  start: (options) => startOkxSim(options),
  config: (handle) => ({ url: handle.url, restUrl: handle.restUrl, symbols: ['BTC/USDT', 'ETH/USDT'] }),
});
