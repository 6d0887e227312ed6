// Pushback against the simulators' refusals, per exchange: how long each stays away after HTTP 429 on the upgrade,
// shaped by the limit window its plugin declares (Upbit and Bithumb per second, Binance per 5 minutes), with and
// without Retry-After. Every plugin with a simulator takes part (the first simulator of each plugin).

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { limitWindowMs } from '../../worker/pushback.ts';
import type { TestClient } from '../support/client.ts';
import { waitFor } from '../support/client.ts';
import { startSimGateways } from '../support/sim-gateways.ts';
import type { Gateway, SimGateways, SimTarget } from '../support/sim-gateways.ts';

/** a connection open this long resets the pushback, so each test starts from the first wait */
const RECONNECT = { initialDelayMs: 100, maxDelayMs: 3000, multiplier: 2, resetAfterMs: 1000 };

interface Target extends SimTarget {
  /** back within this long of the first of four refusals without Retry-After */
  boundMs: number;
  /** the schedule's waits at the bottom of the jitter (80 %), which timers cannot undercut */
  leastWaitsMs: number[];
}

/**
 * The documented schedule (docs/operations.md, worker/pushback.ts) for a limit window W, written out independently:
 * first wait = W/40 within [1 s, W], doubling (the multiplier), capped at W or four first waits if that is longer;
 * jitter only shortens, to 80 % at least. Bound: the four full waits plus a third (at least 4 s) for a loaded machine.
 * Upbit, Bithumb (1 s): 800, 1600, 3200, 3200 ms at least, back within 15 s; Binance (5 min): 6, 12, 24, 48 s, 150 s.
 */
function schedule(windowMs: number): { leastWaitsMs: number[]; boundMs: number } {
  const first = Math.max(RECONNECT.initialDelayMs, Math.min(windowMs, Math.max(1000, windowMs / 40)));
  const cap = Math.max(windowMs, 4 * first);
  const waits = [0, 1, 2, 3].map((k) => Math.min(cap, first * RECONNECT.multiplier ** k));
  const total = waits.reduce((a, b) => a + b, 0);
  return { leastWaitsMs: waits.map((w) => w * 0.8), boundMs: total + Math.max(4000, total / 3) };
}

describe('pushback after refused upgrades, per exchange', () => {
  let env: SimGateways | undefined;
  let gw: Gateway;
  let client: TestClient;
  const targets: Target[] = [];

  before(async () => {
    env = await startSimGateways({ seed: 5, intervalMs: 100, symbols: 1, extra: { reconnect: RECONNECT } });
    ({ main: gw, mainClient: client } = env);
    // the first gateway has the first simulator of every plugin
    for (const t of env.targets.filter((x) => x.gw === gw)) targets.push({ ...t, ...schedule(limitWindowMs(t.plugin.limits, RECONNECT.maxDelayMs)) });
  });

  after(async () => {
    await env?.close();
  });

  const stats = (t: Target) => gw.kernel.supervisors.find((s) => s.id === t.ex)!.connections[0];

  /** open, and open long enough that the pushback has reset */
  const settled = (t: Target) =>
    waitFor(() => stats(t)?.state === 'open' && Date.now() - stats(t)!.connectedAt > RECONNECT.resetAfterMs + 1000, 30_000, `${t.ex} settled`);

  /**
   * Refuses the next `n` upgrades of every exchange at once (after dropping their connections) and returns, per
   * exchange, the gaps between its attempts and the time from the first refusal to the accepted upgrade.
   */
  async function refuse(n: number, retryAfterS: number | undefined, timeoutMs: number) {
    await Promise.all(targets.map(settled));
    const from = targets.map((t) => t.sim.upgrades().length);
    const eps = targets.map((t) => stats(t)!.ep);
    for (const t of targets) {
      t.sim.rejectUpgrades(429, retryAfterS, n);
      t.sim.dropAll();
    }
    return Promise.all(
      targets.map(async (t, i) => {
        const attempts = (await waitFor(
          () => {
            const u = t.sim.upgrades().slice(from[i]);
            return u.length > n && u[n]!.status === 101 ? u.slice(0, n + 1) : null;
          },
          timeoutMs,
          `${t.ex}: accepted after ${n} refusals`,
        ))!;
        assert.deepEqual(attempts.map((a) => a.status), [...Array<number>(n).fill(429), 101]);
        // and data flows again, in a new epoch
        await client.next((f) => f.ex === t.ex && (f.ep as number) > eps[i]!, 15_000, 0);
        const gaps = attempts.slice(1).map((a, k) => a.atMs - attempts[k]!.atMs);
        return { t, gaps, backMs: attempts[n]!.atMs - attempts[0]!.atMs };
      }),
    );
  }

  it('honours Retry-After on every exchange, however long or short its window', async (tc) => {
    const results = await refuse(3, 2, 60_000);
    for (const { t, gaps, backMs } of results) {
      tc.diagnostic(`${t.ex}: Retry-After 2 s, 3 refusals: retries after ${gaps.join(', ')} ms; back ${backMs} ms after the first`);
      for (const g of gaps) {
        assert.ok(g >= 2000, `${t.ex}: retried ${g} ms after a refusal with Retry-After: 2`);
        // the wait is at most 10 % longer; the rest is a loaded machine's timer and connection latency
        assert.ok(g <= 2200 + 3000, `${t.ex}: waited ${g} ms for Retry-After: 2`);
      }
    }
  });

  it('without Retry-After grows from each exchange\'s limit window and is back within its bound after four refusals', async (tc) => {
    const results = await refuse(4, undefined, 200_000);
    for (const { t, gaps, backMs } of results) {
      tc.diagnostic(`${t.ex}: 4 refusals without Retry-After: retries after ${gaps.join(', ')} ms; back ${backMs} ms after the first`);
      gaps.forEach((g, k) => assert.ok(g >= t.leastWaitsMs[k]!, `${t.ex}: retry ${k + 1} after ${g} ms, less than ${t.leastWaitsMs[k]} ms`));
      assert.ok(backMs <= t.boundMs, `${t.ex}: back ${backMs} ms after the first refusal (bound ${t.boundMs} ms)`);
    }
  });
});
