// Fault injection on every exchange: drops, stalls, malformed frames, close 1008, HTTP 429 on upgrade, a storm.
// Each fault: data flows again under a new epoch with the full subscription, the others are unaffected, and the
// connection metrics recorded it.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { discoverSims } from '../../sim/index.ts';
import { waitFor } from '../support/client.ts';
import { startSimGateways } from '../support/sim-gateways.ts';
import type { SimGateways, SimTarget } from '../support/sim-gateways.ts';
import { assertSequences, isRecord } from '../support/streams.ts';

/** every simulator found by folder (plugins/<id>/sim.ts): the tests are registered per simulator before any starts */
const NAMES = (await discoverSims()).map((s) => s.name);
const RESILIENCE = {
  reconnect: { initialDelayMs: 100, maxDelayMs: 3000, multiplier: 2, resetAfterMs: 400 },
  stallTimeoutMs: 1000,
};

describe('exchange connections under faults', () => {
  let env: SimGateways | undefined;

  before(async () => {
    env = await startSimGateways({ seed: 3, intervalMs: 50, extra: RESILIENCE });
    targets.push(...env.targets);
  });

  after(async () => {
    await env?.close();
  });

  // filled in by before(): each simulator with its gateway and that gateway's client
  const targets: SimTarget[] = [];

  const stats = (t: SimTarget) => t.gw.kernel.supervisors.find((s) => s.id === t.ex)!.connections[0]!;
  const others = (t: SimTarget) => targets.filter((o) => o.name !== t.name);
  const byName = (name: string) => targets.find((t) => t.name === name)!;

  /** every configured key delivers a record in an epoch newer than `ep` */
  async function flowsAgain(t: SimTarget, ep: number): Promise<void> {
    const c = t.client;
    const want = t.symbols.flatMap((cd) => t.config.channels.map((ty) => `${ty}|${cd}`));
    await waitFor(
      () => want.every((k) => c.frames.some((f) => f.ex === t.ex && `${f.ty}|${f.cd}` === k && (f.ep as number) > ep)),
      15_000,
      `${t.name}: every key in a new epoch`,
    );
  }

  /** runs `fault` on t and checks recovery, resubscription, isolation and metrics */
  async function recovers(t: SimTarget, fault: () => void | Promise<void>): Promise<void> {
    await waitFor(() => stats(t).state === 'open', 10_000, `${t.name} open`);
    const before = { ...stats(t) };
    // the other exchanges' connections must have reported before their counts are compared (their workers report once a second)
    await waitFor(() => others(t).every((o) => o.gw.kernel.supervisors.find((s) => s.id === o.ex)?.connections[0]?.state === 'open'), 10_000, 'other exchanges open');
    const othersBefore = others(t).map((o) => stats(o).reconnects);
    const received = t.sim.received().length;
    const total = t.sim.totalConnections();
    await fault();
    await waitFor(() => stats(t).state === 'open' && stats(t).ep > before.ep, 15_000, `${t.name} reconnected`);
    await flowsAgain(t, before.ep);
    assert.ok(stats(t).reconnects > before.reconnects, 'the reconnect is counted');
    assert.ok(t.sim.totalConnections() > total);
    if (t.messages) {
      // the full subscription set went out again on the new connection: every distinct frame sent before (keep-alive
      // frames aside: they follow a timer, not the connection)
      const again = t.sim.received().slice(received);
      const keepAlive = new Set(t.keepAliveFrames);
      for (const frame of new Set(t.sim.received().slice(0, received))) {
        if (!keepAlive.has(frame)) assert.ok(again.includes(frame), `re-sent ${frame.slice(0, 80)}`);
      }
    }
    assert.deepEqual(others(t).map((o) => stats(o).reconnects), othersBefore, 'other exchanges kept their connections');
    assertSequences(t.client.frames.filter(isRecord), t.client);
  }

  for (const name of NAMES) {
    describe(name, () => {
      const t = {} as SimTarget;
      before(() => void Object.assign(t, byName(name)));

      it('reconnects after an abrupt drop and resubscribes everything under a new epoch', async () => {
        await recovers(t, () => t.sim.dropAll());
      });

      it('replaces a connection that went silent, judged by keep-alive, not by market activity', async () => {
        await recovers(t, async () => {
          const stalls = stats(t).errors.STALL ?? 0;
          t.sim.stall(true);
          await waitFor(() => (stats(t).errors.STALL ?? 0) > stalls, 10_000, 'stall detected');
          t.sim.stall(false);
        });
      });

      it('counts malformed frames and keeps the same connection streaming', async () => {
        await waitFor(() => stats(t).state === 'open', 10_000, 'open');
        const { ep, reconnects } = stats(t);
        const bad = stats(t).errors.BAD_FRAME ?? 0;
        t.sim.sendRaw('{"broken": ', true);
        t.sim.sendRaw('[1,2,', false);
        await waitFor(() => (stats(t).errors.BAD_FRAME ?? 0) >= bad + 2, 5000, 'bad frames counted');
        const n = t.client.frames.length;
        await t.client.next((f) => f.ex === t.ex && f.ep === ep, 5000, n);
        assert.equal(stats(t).reconnects, reconnects);
        const metrics = await (await fetch(`${t.gw.http}/metrics`)).text();
        assert.match(metrics, new RegExp(`gateway_exchange_errors_total\\{code="BAD_FRAME",connection="[^"]+",exchange="${t.ex}"\\} \\d+`));
      });

      it('waits longer before reconnecting after close 1008', async () => {
        let closedAt = 0;
        await recovers(t, () => {
          closedAt = Date.now();
          t.sim.closeAll(1008, 'policy violation');
        });
        // a plain first retry waits about initialDelayMs (100 ms); pushback multiplies it by 4 (±20 % jitter)
        assert.ok(stats(t).ep - closedAt >= 300, `reconnected after ${stats(t).ep - closedAt} ms`);
      });

      it('backs off on HTTP 429 at upgrade, honouring Retry-After, then reconnects', async () => {
        await recovers(t, async () => {
          const refused = stats(t).errors.HTTP_429 ?? 0;
          t.sim.rejectUpgrades(429, 1);
          t.sim.dropAll();
          await waitFor(() => (stats(t).errors.HTTP_429 ?? 0) > refused, 5000, 'first refusal');
          const start = Date.now();
          await new Promise((r) => setTimeout(r, 2000)); // observe the retry rate over a window
          const attempts = (stats(t).errors.HTTP_429 ?? 0) - refused;
          assert.ok(attempts <= 1 + Math.ceil((Date.now() - start) / 1000), `${attempts} refused attempts in 2 s despite Retry-After: 1`);
          t.sim.rejectUpgrades(null);
        });
      });
    });
  }

  it('survives a reconnect storm across all exchanges at once', async () => {
    const eps = targets.map((t) => stats(t).ep);
    for (const t of targets) t.sim.dropAll();
    await Promise.all(targets.map((t, i) => flowsAgain(t, eps[i]!)));
    for (const t of targets) {
      const health = (await (await fetch(`${t.gw.http}/api/ws/infra-health`)).json()) as { exchanges: Record<string, { connected: boolean }> };
      assert.equal(health.exchanges[t.ex]!.connected, true, t.name);
    }
  });
});
