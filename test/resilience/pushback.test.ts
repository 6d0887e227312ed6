// Pushback against the simulators' refusals, per exchange: how long each stays away after HTTP 429 on the upgrade,
// shaped by its limit window (Upbit and Bithumb per second, Binance per 5 minutes), with and without Retry-After.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { SimHandle } from '../../sim/sim-types.ts';
import type { TestClient } from '../support/client.ts';
import { waitFor } from '../support/client.ts';
import { startSimGateways } from '../support/sim-gateways.ts';
import type { Gateway, SimGateways, Simulators } from '../support/sim-gateways.ts';
const KRW = ['BTC/KRW'];
/** a connection open this long resets the pushback, so each test starts from the first wait */
const RECONNECT = { initialDelayMs: 100, maxDelayMs: 3000, multiplier: 2, resetAfterMs: 1000 };

interface Target {
  ex: string;
  sim: () => SimHandle;
  /** back within this long of the first of four refusals without Retry-After (the bound) */
  boundMs: number;
  /** the schedule's waits at the bottom of the jitter (80 %), which timers cannot undercut */
  leastWaitsMs: number[];
}

describe('pushback after refused upgrades, per exchange', () => {
  let env: SimGateways | undefined;
  let sims: Simulators;
  let gw: Gateway;
  let client: TestClient;

  before(async () => {
    env = await startSimGateways({ seed: 5, intervalMs: 100, usdt: ['BTC/USDT'], krw: KRW, extra: { reconnect: RECONNECT } });
    ({ sims, main: gw, mainClient: client } = env);
  });

  after(async () => {
    await env?.close();
  });

  const targets: Target[] = [
    { ex: 'upbit', sim: () => sims.get('upbit'), boundMs: 15_000, leastWaitsMs: [800, 1600, 3200, 3200] },
    { ex: 'bithumb', sim: () => sims.get('bithumb'), boundMs: 15_000, leastWaitsMs: [800, 1600, 3200, 3200] },
    { ex: 'binance', sim: () => sims.get('binance'), boundMs: 150_000, leastWaitsMs: [6000, 12_000, 24_000, 48_000] },
  ];
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
    const from = targets.map((t) => t.sim().upgrades().length);
    const eps = targets.map((t) => stats(t)!.ep);
    for (const t of targets) {
      t.sim().rejectUpgrades(429, retryAfterS, n);
      t.sim().dropAll();
    }
    return Promise.all(
      targets.map(async (t, i) => {
        const attempts = (await waitFor(
          () => {
            const u = t.sim().upgrades().slice(from[i]);
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
