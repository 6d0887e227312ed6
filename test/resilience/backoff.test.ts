// The reconnect backoff as it happens: an exchange connection refused (HTTP 503, not pushback) retries after delays
// that grow by the multiplier up to the cap and start again after a healthy period; a crashing worker is restarted
// the same way by its supervisor.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '../../kernel/log.ts';
import { ExchangeSupervisor } from '../../kernel/supervisor.ts';
import { startUpbitSim } from '../../plugins/upbit/sim.ts';
import type { SimHandle } from '../../sim/sim-types.ts';
import { waitFor } from '../support/client.ts';
import { startFeedServer } from '../support/feed-server.ts';
import type { FeedServer } from '../support/feed-server.ts';
import { TEST_PLUGINS_DIR, startGateway } from '../support/gateway.ts';

/** delays 300, 900, 2700, then the 4000 cap; ±20 % jitter */
const POLICY = { initialDelayMs: 300, maxDelayMs: 4000, multiplier: 3, resetAfterMs: 1500 };
const nominal = (k: number) => Math.min(POLICY.maxDelayMs, POLICY.initialDelayMs * POLICY.multiplier ** k);
/** what a loaded machine may add to a timer and a loopback connection attempt */
const SLACK_MS = 1200;

/** a measured wait that began with the k-th delay of POLICY: never shorter than its jitter allows, not much longer */
function assertStep(what: string, ms: number, k: number): void {
  const step = nominal(k);
  assert.ok(ms >= step * 0.8, `${what}: ${ms} ms, less than 80 % of ${step} ms`);
  assert.ok(ms <= step * 1.2 + SLACK_MS, `${what}: ${ms} ms, more than 120 % of ${step} ms`);
}

describe('exchange reconnect backoff (feed)', () => {
  let sim: SimHandle;
  let gw: Awaited<ReturnType<typeof startGateway>>;
  const stats = () => gw.kernel.supervisors[0]!.connections[0];

  before(async () => {
    sim = await startUpbitSim({ seed: 2, intervalMs: 100 });
    gw = await startGateway({ exchanges: { upbit: { url: sim.url, restUrl: sim.restUrl, symbols: ['BTC/KRW'], reconnect: POLICY } } });
  });

  after(async () => {
    await gw?.kernel.close();
    await sim?.close();
  });

  /** drops the connection, refuses the next n upgrades with 503, and returns when each attempt came and when the drop was */
  async function refused(n: number) {
    await waitFor(() => stats()?.state === 'open' && Date.now() - stats()!.connectedAt > POLICY.resetAfterMs + 1000, 20_000, 'healthy connection');
    const from = sim.upgrades().length;
    sim.rejectUpgrades(503, undefined, n);
    const droppedAt = Date.now();
    sim.dropAll();
    const attempts = (await waitFor(() => {
      const u = sim.upgrades().slice(from);
      return u.length > n ? u.slice(0, n + 1) : null;
    }, 60_000, `accepted after ${n} refusals`))!;
    assert.deepEqual(attempts.map((a) => a.status), [...Array<number>(n).fill(503), 101]);
    return { droppedAt, at: attempts.map((a) => a.atMs) };
  }

  it('grows each delay by the multiplier, within ±20 % jitter, and stays within the cap', async () => {
    const { droppedAt, at } = await refused(5);
    assertStep('first attempt after the drop', at[0]! - droppedAt, 0);
    for (let k = 1; k < at.length; k++) assertStep(`attempt ${k + 1}`, at[k]! - at[k - 1]!, k);
  });

  it('starts from the initial delay again once a connection has been healthy for resetAfterMs', async () => {
    // the previous test left the backoff at its cap; the connection it ended with has been open since
    const { droppedAt, at } = await refused(1);
    assertStep('first attempt after the drop', at[0]! - droppedAt, 0);
    assertStep('second attempt', at[1]! - at[0]!, 1);
  });
});

describe('worker restart backoff (supervisor)', () => {
  const RESTART = { initialDelayMs: 300, maxDelayMs: 3000, multiplier: 3, resetAfterMs: 2500 };
  let feed: FeedServer;
  let sup: ExchangeSupervisor;
  const lines: string[] = [];
  const crashes: number[] = [];

  before(async () => {
    feed = await startFeedServer();
    sup = new ExchangeSupervisor({
      init: {
        plugin: { id: 'feed', url: feed.url, symbols: ['BTC/KRW'], channels: ['trade'], depth: 15, options: {} },
        stallTimeoutMs: 20_000,
        maxConnectionAgeMs: 0,
        pluginsDir: TEST_PLUGINS_DIR,
        reconnect: { initialDelayMs: 50, maxDelayMs: 200, multiplier: 2, resetAfterMs: 1000 },
        statsIntervalMs: 200,
      },
      log: createLogger('info', 'test', (line) => lines.push(line) > 0),
      onBatch: () => {},
      onCrash: () => void crashes.push(Date.now()),
      restart: RESTART,
    });
    await sup.start();
  });

  after(async () => {
    await sup?.close();
    await feed?.close();
  });

  /** the restart delays the supervisor scheduled, in order */
  const scheduled = () => lines.flatMap((l) => /restarting in (\d+) ms/.exec(l)?.[1] ?? []).map(Number);

  /** waits for the worker's connection, crashes it, and returns when the next worker connected */
  async function crashOnce(): Promise<{ crashedAt: number; reconnectedAt: number }> {
    await waitFor(() => feed.sockets.size === 1, 20_000, 'worker connected');
    const connections = feed.connections;
    const n = crashes.length;
    feed.push('crash');
    await waitFor(() => crashes.length > n, 10_000, 'crash');
    await waitFor(() => feed.connections > connections && feed.sockets.size === 1, 30_000, 'restarted worker connected');
    return { crashedAt: crashes[n]!, reconnectedAt: Date.now() };
  }

  it('grows restart delays by the multiplier up to the cap, within ±20 % jitter', async () => {
    for (let k = 0; k < 4; k++) {
      const { crashedAt, reconnectedAt } = await crashOnce();
      const delay = scheduled()[k]!;
      const step = Math.min(RESTART.maxDelayMs, RESTART.initialDelayMs * RESTART.multiplier ** k);
      assert.ok(delay >= step * 0.8 && delay <= step * 1.2, `restart ${k + 1} scheduled after ${delay} ms (step ${step} ms)`);
      assert.ok(reconnectedAt - crashedAt >= delay, `restart ${k + 1} came ${reconnectedAt - crashedAt} ms after the crash`);
    }
    assert.equal(sup.restarts, 4);
  });

  it('starts from the initial delay again after the worker has run for resetAfterMs', async () => {
    await new Promise((r) => setTimeout(r, RESTART.resetAfterMs + 1500)); // the healthy period itself is what is tested
    await crashOnce();
    const delay = scheduled()[4]!;
    assert.ok(delay <= RESTART.initialDelayMs * 1.2, `restart after a healthy period scheduled after ${delay} ms`);
  });
});
