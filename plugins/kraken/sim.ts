// The simulated Kraken spot exchange (WebSocket v2 at /v2, REST AssetPairs): a few hundred pairs priced from the one
// simulated world, checksummed books, and switches to list or delist a pair and to corrupt the next checksum.

import { defineSim } from '../../sim/index.ts';
import { resolveOptions } from '../../sim/resolve-options.ts';
import { startSimServer, type Peer } from '../../sim/sim-server.ts';
import type { SimHandle, SimOptions } from '../../sim/sim-types.ts';
import { defaultPairs } from './sim-markets.ts';
import { delistPair, krakenProtocol, listPair, type KrakenPeerState, type KrakenWorld } from './sim-protocol.ts';

export interface KrakenSimOptions extends SimOptions {
  /** the pairs served at start (unified symbols); default: about 330 pairs over USD, EUR, USDT, USDC, BTC, ETH, JPY */
  pairs?: string[];
}

export type KrakenSimHandle = SimHandle & Required<Pick<SimHandle, 'listMarket' | 'delistMarket' | 'corruptChecksum'>>;

export async function startKrakenSim(options: KrakenSimOptions = {}): Promise<KrakenSimHandle> {
  // No server pings (Kraken's v2 keep-alive is the client's {"method":"ping"}); idle clients are cut after a minute;
  // more than 50 messages a second from one client closes it (Kraken's own message limit is not published).
  const o = resolveOptions(options, { pingIntervalMs: 0, idleTimeoutMs: 60_000, maxMessagesPerSecond: 50 });
  const world: KrakenWorld = {
    pairs: new Map(),
    seed: o.seed,
    tradesPerStep: o.tradesPerStep,
    activity: o.activity,
    peak: o.peak,
    steps: 0,
    corruptNext: 0,
    connectionIds: 0,
  };
  for (const symbol of options.pairs ?? defaultPairs()) listPair(world, symbol);
  let peerSet: () => Iterable<Peer<KrakenPeerState>> = () => [];
  const handle = await startSimServer<KrakenPeerState>(o.limits, ({ peers }) => {
    peerSet = peers;
    return krakenProtocol(world, peers, o.intervalMs);
  });
  return {
    ...handle,
    listMarket: (symbol) => listPair(world, symbol),
    delistMarket: (symbol) => delistPair(world, peerSet(), symbol),
    corruptChecksum: () => {
      world.corruptNext++;
    },
  };
}

export default defineSim({
  name: 'kraken',
  start: (options: SimOptions) => startKrakenSim(options),
  config: (handle: SimHandle) => ({ url: handle.url, restUrl: handle.restUrl, symbols: ['BTC/USD', 'ETH/USD'] }),
});
