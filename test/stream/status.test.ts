// Status and resync events (SPEC §4a) against the exchange simulators: on connect and after subscribe, on a drop,
// a stall and an HTTP 429 refusal of each exchange (down with the reason, then up again), and resync on a Binance
// depth gap.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { discoverSims } from '../../sim/index.ts';
import type { Frame } from '../support/client.ts';
import { TestClient, waitFor } from '../support/client.ts';
import { startSimGateways } from '../support/sim-gateways.ts';
import type { Gateway, SimGateways, SimTarget } from '../support/sim-gateways.ts';
import { assertSequences, isRecord } from '../support/streams.ts';

/** every simulator found by folder (plugins/<id>/sim.ts): the tests are registered per simulator before any starts */
const NAMES = (await discoverSims()).map((s) => s.name);
const RESILIENCE = {
  reconnect: { initialDelayMs: 100, maxDelayMs: 3000, multiplier: 2, resetAfterMs: 400 },
  stallTimeoutMs: 1000,
};

const isStatus = (ex: string, state?: string) => (f: Frame) => f.event === 'status' && f.exchange === ex && (!state || f.state === state);

describe('status and resync events', () => {
  let env: SimGateways | undefined;
  let main: Gateway;

  before(async () => {
    env = await startSimGateways({ seed: 5, intervalMs: 50, extra: RESILIENCE });
    ({ main } = env);
    for (const t of env.targets) await t.client.next(isStatus(t.ex, 'up'), 20_000);
  });

  after(async () => {
    await env?.close();
  });

  it('sends one status per exchange of the filter after the snapshot, and again after every subscribed', async () => {
    const c = await TestClient.connect(`${main.ws}?exchange=upbit,binance`);
    try {
      await c.next((f) => f.event === 'status' && f.exchange === 'binance');
      await c.next((f) => f.event === 'status' && f.exchange === 'upbit');
      const statuses = c.frames.filter((f) => f.event === 'status');
      const firstStatus = c.frames.findIndex((f) => f.event === 'status');
      // the snapshot (st: SNAPSHOT records) comes first, and nothing of bithumb
      assert.ok(c.frames.slice(0, firstStatus).every((f) => f.st === 'SNAPSHOT'));
      assert.ok(firstStatus > 0, 'a snapshot came first');
      assert.ok(statuses.every((s) => s.exchange !== 'bithumb'));
      for (const s of statuses) {
        assert.ok(['up', 'degraded', 'down'].includes(s.state as string));
        assert.ok((s.since as number) <= (s.tms as number));
        if (s.state !== 'up') assert.equal(typeof s.reason, 'string');
      }
      const n = c.frames.length;
      c.send({ method: 'subscribe', exchange: 'bithumb', id: 7 });
      const sub = await c.next((f) => f.event === 'subscribed', 10_000, n);
      assert.equal(sub.id, 7);
      const st = await c.next(isStatus('bithumb'), 10_000, n);
      assert.ok(c.frames.indexOf(st) > c.frames.indexOf(sub));
    } finally {
      await c.close();
    }
  });


  /** after `fault`, a down status of t's exchange whose reason matches, then up; other exchanges stay up */
  async function reports(t: SimTarget, reason: RegExp, fault: () => void | Promise<void>, heal?: () => void): Promise<Frame> {
    const c = t.client;
    await c.next(isStatus(t.ex, 'up'), 20_000, c.frames.findLastIndex((f) => f.event === 'status' && f.exchange === t.ex));
    const from = c.frames.length;
    const faultAt = Date.now();
    await fault();
    const seen = () => JSON.stringify(c.frames.slice(from).filter((f) => f.event === 'status'));
    const down = await c.next((f) => isStatus(t.ex, 'down')(f) && reason.test(f.reason as string), 15_000, from).catch((err: Error) => {
      throw new Error(`${err.message}; statuses since the fault: ${seen()}`);
    });
    assert.ok((down.since as number) >= faultAt - 50, `since is when the trouble began: ${seen()}`);
    heal?.();
    const up = await c.next(isStatus(t.ex, 'up'), 20_000, c.frames.indexOf(down) + 1);
    assert.equal(up.reason, undefined, 'up carries no reason');
    const between = c.frames.slice(from, c.frames.indexOf(up));
    const others = between.filter((f) => f.event === 'status' && f.exchange !== t.ex && f.state !== 'up');
    assert.deepEqual(others, [], `other exchanges stayed up: ${seen()}`);
    return down;
  }

  for (const name of NAMES) {
    describe(name, () => {
      const t = {} as SimTarget;
      before(() => void Object.assign(t, env!.target(name)));

      it('says down when the connection drops, with the close as the reason, and up when data flows again', async () => {
        const c = t.client;
        const from = c.frames.length;
        const down = await reports(t, /connection closed|could not connect/, () => t.sim.dropAll());
        // the books that connection had published are invalid until the next connection's first books
        const resync = c.frames.slice(from).find((f) => f.event === 'resync' && f.exchange === t.ex);
        assert.ok(resync, 'resync for the books of the dropped connection');
        await c.next((f) => f.ty === 'orderbook' && f.ex === t.ex && f.cd === resync.symbol, 20_000, c.frames.indexOf(resync) + 1);
        assert.ok((down.since as number) >= (resync.tms as number) - 1000);
      });

      it('says down while the exchange is silent (stalled), and up once it speaks again', async () => {
        await reports(t, /stalled/, () => t.sim.stall(true), () => t.sim.stall(false));
      });

      it('says down while the exchange refuses the connection with HTTP 429, and up after', async () => {
        await reports(
          t,
          /HTTP 429/,
          () => {
            t.sim.rejectUpgrades(429, 1);
            t.sim.dropAll();
          },
          () => t.sim.rejectUpgrades(null),
        );
      });
    });
  }

  it('sends resync for a book whose depth stream has a gap, then the rebuilt book, on the same connection', async () => {
    // every simulator that can leave out depth diffs (SimHandle.skipDepthDiffs: Binance's update-id gap)
    const gapped = env!.targets.filter((t) => t.sim.skipDepthDiffs);
    assert.ok(gapped.length > 0, 'some simulator can skip depth diffs');
    for (const t of gapped) {
      const c = t.client;
      const ep = t.gw.kernel.supervisors.find((s) => s.id === t.ex)!.connections[0]!.ep;
      await waitFor(() => c.frames.some((f) => f.ty === 'orderbook' && f.ex === t.ex && f.ep === ep), 10_000, `${t.name}: a book`);
      const from = c.frames.length;
      t.sim.skipDepthDiffs!(3);
      const resync = await c.next((f) => f.event === 'resync' && f.exchange === t.ex, 15_000, from);
      assert.equal(resync.type, 'orderbook');
      assert.ok(t.symbols.includes(resync.symbol as string));
      assert.equal(typeof resync.tms, 'number');
      assert.equal(resync.ty, undefined, 'a control message carries no ty');
      const at = c.frames.indexOf(resync);
      const book = await c.next((f) => f.ty === 'orderbook' && f.ex === t.ex && f.cd === resync.symbol, 15_000, at + 1);
      assert.equal(book.ep, ep, 'rebuilt without reconnecting');
      // the exchange was degraded while its books were resynchronizing, then up again
      const degraded = c.frames.slice(from).find((f) => isStatus(t.ex, 'degraded')(f));
      assert.ok(degraded, 'degraded while resynchronizing');
      assert.match(degraded.reason as string, /resynchroniz/);
      await c.next(isStatus(t.ex, 'up'), 10_000, c.frames.indexOf(degraded) + 1);
      assertSequences(c.frames.filter(isRecord), c);
    }
  });
});
