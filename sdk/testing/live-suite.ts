// The live end-to-end suite a plugin's test declares with a few parameters: a real gateway on the plugin's simulator,
// the simulator's own trades (seen by a direct client) held to the records field by field, books uncrossed, JSON =
// msgpack, sq +1 per key; then drop, stall and refused upgrades recovered; then a malformed frame and an exchange
// error counted on the same connection.

import { after, before, describe, it } from 'node:test';
import { TestClient } from '../../test/support/client.ts';
import type { Frame } from '../../test/support/client.ts';
import { rawSocket } from '../../test/support/raw-socket.ts';
import { assertSequences, isRecord } from '../../test/support/streams.ts';
import {
  assertBooksUncrossed, assertCountsBadFrames, assertEachMatches, assertSameInBothFormats, FAST_RESILIENCE, itRecoversFromFaults,
  liveFaultChecks, startLiveGateway,
} from './live.ts';
import type { FaultChecks, FaultySim, LiveGateway } from './live.ts';

export interface LiveSuite<S extends FaultySim> {
  id: string;
  /** starts the simulator (closed after the suite) */
  start(): Promise<S>;
  /** the exchange's config section for the simulator (the suite adds FAST_RESILIENCE and `symbols`) */
  config(sim: S): Record<string, unknown>;
  symbols: string[];
  /** the direct client's subscription (one text frame) and how its frames become trades by id */
  tap: { subscribe: string; trades(frames: Frame[]): Map<string, Frame> };
  /** the symbol whose trades are compared (at least 5) */
  tradeSymbol: string;
  /** asserts one record against the simulator's trade of the same id */
  checkTrade(record: Frame, sent: Frame): void;
  /** the book depth no book may exceed */
  depth: number;
  resent: NonNullable<FaultChecks['resent']>;
  refuse: FaultChecks['refuse'];
  /** a malformed frame and an error answer of the exchange, both to be counted without a reconnect */
  badFrames: [malformed: string, exchangeError: string];
}

export function describeLiveGateway<S extends FaultySim & { url: string; close(): Promise<void>; sendRaw(text: string): void }>(suite: LiveSuite<S>): void {
  describe(`${suite.id} through a gateway`, () => {
    let s: S;
    let live: LiveGateway;
    const mine = () => live.mine();

    before(async () => {
      s = await suite.start();
      live = await startLiveGateway(suite.id, { ...suite.config(s), symbols: suite.symbols, ...FAST_RESILIENCE }, { symbols: suite.symbols });
    });
    after(async () => {
      await live?.close();
      await s?.close();
    });

    it('publishes exactly the simulator trades, gapless per key, the same in JSON and msgpack', async () => {
      const tap = await rawSocket(s.url);
      tap.send(suite.tap.subscribe);
      const pack = await TestClient.connect(`${live.gw.ws}?format=msgpack&snapshot=false&exchange=${suite.id}`);
      try {
        await live.flowsAfter(0);
        await pack.collect(isRecord, 100, 20_000);
        const trades = mine().filter((f) => f.ty === 'trade' && f.cd === suite.tradeSymbol);
        assertEachMatches(trades, suite.tap.trades(tap.frames), (t) => t.sid as string, suite.checkTrade, 5, 'trades');
        assertBooksUncrossed(mine(), suite.depth);
        assertSameInBothFormats(mine(), pack.frames, 50);
        assertSequences(mine(), live.client);
      } finally {
        await pack.close();
        tap.close();
      }
    });

    itRecoversFromFaults(liveFaultChecks(() => live, () => s, { resent: suite.resent, refuse: suite.refuse }));

    it('counts malformed frames and exchange errors without reconnecting', async () => {
      await assertCountsBadFrames(live, s, ...suite.badFrames);
    });
  });
}
