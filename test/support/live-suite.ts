// The live end-to-end suite a plugin's test declares with a few parameters: a real gateway on the plugin's simulator,
// the simulator's own trades (seen by a direct client) held to the records field by field, books uncrossed, JSON =
// msgpack, sq +1 per key; then drop, stall and refused upgrades recovered; then a malformed frame and an exchange
// error counted on the same connection; optionally a second gateway following the market list.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TestClient } from './client.ts';
import type { Frame } from './client.ts';
import { rawSocket } from './raw-socket.ts';
import { assertSequences, isRecord } from './streams.ts';
import {
  assertBooksUncrossed, assertCountsBadFrames, assertEachMatches, assertSameInBothFormats, checkFollowsListings, FAST_RESILIENCE,
  itRecoversFromFaults, liveFaultChecks, startLiveGateway,
} from './live.ts';
import type { FaultChecks, FaultySim, LiveGateway } from './live.ts';

/** what the suite asks of a simulator handle beyond the fault switches */
export interface LiveSim {
  url: string;
  close(): Promise<void>;
  sendRaw(text: string): void;
  listMarket(symbol: string): void;
  delistMarket(symbol: string): void;
}

export interface LiveSuite<S extends FaultySim> {
  id: string;
  /** starts the simulator with a seed (closed after the suite) */
  start(seed: number): Promise<S>;
  /** the plugin's simulator definition: its config section for a handle (the suite adds FAST_RESILIENCE, `symbols`) */
  sim: { config(sim: S): Record<string, unknown> };
  symbols: string[];
  /** the direct client's subscription (one text frame) and how its frames become trades by id */
  tap: { subscribe: string; trades(frames: Frame[]): Map<string, Frame> };
  /** the symbol whose trades are compared, at least 5 of them (the first of `symbols`) */
  tradeSymbol?: string;
  /** the record fields a trade of the simulator's must become (compared with the record's same fields) */
  trade(sent: Frame): Frame;
  /** the book depth no book may exceed (the gateway's default, 15) */
  depth?: number;
  resent: NonNullable<FaultChecks['resent']>;
  refuse: FaultChecks['refuse'];
  /** a malformed frame and an error answer of the exchange, both to be counted without a reconnect */
  badFrames: [malformed: string, exchangeError: string];
  /** a second gateway that follows the market list (`symbols` as given here): see checkFollowsListings */
  listings?: { symbols: unknown; streaming?: string; symbol: string; mc: string };
}

export function describeLiveGateway<S extends FaultySim & LiveSim>(suite: LiveSuite<S>): void {
  describe(`${suite.id} through a gateway`, () => {
    let s: S;
    let live: LiveGateway;
    const mine = () => live.mine();

    before(async () => {
      s = await suite.start(7);
      live = await startLiveGateway(suite.id, { ...suite.sim.config(s), symbols: suite.symbols, ...FAST_RESILIENCE }, { symbols: suite.symbols });
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
        const trades = mine().filter((f) => f.ty === 'trade' && f.cd === (suite.tradeSymbol ?? suite.symbols[0]));
        assertEachMatches(trades, suite.tap.trades(tap.frames), (t) => t.sid as string, (record, sent) => {
          const want = suite.trade(sent);
          assert.deepEqual(Object.fromEntries(Object.keys(want).map((k) => [k, record[k]])), want);
        }, 5, 'trades');
        assertBooksUncrossed(mine(), suite.depth ?? 15);
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

  const listings = suite.listings;
  if (listings) {
    describe(`${suite.id} following its market list (symbols: ${JSON.stringify(listings.symbols)})`, () => {
      it('subscribes a listing and streams it, and publishes a delisting', async () => {
        const s = await suite.start(9);
        try {
          const { url, restUrl } = suite.sim.config(s);
          await checkFollowsListings({ url, restUrl, symbols: listings.symbols }, s, { id: suite.id, ...listings });
        } finally {
          await s.close();
        }
      });
    });
  }
}
