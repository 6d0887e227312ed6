// Planned rollovers (maximum connection age on every simulator found by folder, Binance's shutdown notice) and live
// subscription changes: make-before-break, so no record is lost and none repeated across the switch.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startSimulators } from '../../sim/index.ts';
import { TestClient, waitFor } from '../support/client.ts';
import { startGateway } from '../support/gateway.ts';
import { startSimGateways } from '../support/sim-gateways.ts';
import type { SimGateways, SimTarget } from '../support/sim-gateways.ts';
import { assertSequences, assertTradeIds, isRecord } from '../support/streams.ts';

type Gateway = Awaited<ReturnType<typeof startGateway>>;

describe('planned connection rollover', () => {
  let env: SimGateways | undefined;
  const stats = (t: SimTarget) => t.gw.kernel.supervisors.find((s) => s.id === t.ex)!.connections[0]!;
  const records = (t: SimTarget) => t.client.frames.filter((r) => isRecord(r) && r.ex === t.ex);

  before(async () => {
    // every simulator found by folder, each connection replaced every 1.5 s
    env = await startSimGateways({ seed: 5, intervalMs: 40, tradesPerStep: 2, extra: { maxConnectionAgeMs: 1500 } });
  });

  after(async () => {
    await env?.close();
  });

  it('replaces connections before their maximum age without losing or repeating a trade', async () => {
    const targets = env!.targets;
    const epochs = (t: SimTarget) => new Set(records(t).map((r) => r.ep)).size;
    // two rollovers each, and records from the third connection have reached the client
    await waitFor(() => targets.every((t) => stats(t).rollovers >= 2 && epochs(t) >= 3), 30_000, 'three epochs each');
    for (const t of targets) {
      assert.equal(stats(t).reconnects, 0, `${t.name}: no unplanned reconnect`);
      assertSequences(records(t), t.client);
      // a trade id never repeats within a key, across the switches too
      const seen = new Set<string>();
      for (const r of records(t)) {
        if (r.ty !== 'trade' || r.sid === undefined) continue;
        const key = `${r.cd}|${r.sid}`;
        assert.ok(!seen.has(key), `${t.name}: trade ${key} repeated`);
        seen.add(key);
      }
    }
    // Binance numbers each market's trades consecutively: any loss or repeat across a switch would show.
    assert.ok(assertTradeIds(records(env!.target('binance')), true) > 50);
    assert.ok(assertTradeIds(records(env!.target('upbit')), false) > 50);
    // the old connections were closed after each switch
    await waitFor(() => targets.every((t) => t.sim.connections() === t.plans), 5000, 'old connections closed');
  });

  it('keeps the legacy feed whole across rollovers: trades in time order, books from a fresh snapshot', () => {
    const legacy = records(env!.target('bithumb-legacy'));
    const trades = legacy.filter((r) => r.ty === 'trade');
    for (let i = 1; i < trades.length; i++) assert.ok((trades[i]!.tms as number) >= (trades[i - 1]!.tms as number));
    const bookEps = new Set(legacy.filter((r) => r.ty === 'orderbook').map((r) => r.ep));
    assert.ok(bookEps.size >= 2, 'each epoch publishes its own synchronized book');
  });

  it("rolls a Binance connection over on the exchange's shutdown notice", async () => {
    const t = env!.target('binance');
    const before = stats(t).rollovers;
    const from = t.client.frames.length;
    t.sim.sendRaw(JSON.stringify({ e: 'serverShutdown', E: Date.now() }));
    await waitFor(() => stats(t).rollovers > before, 10_000, 'rollover after the notice');
    await t.client.next((f) => f.ex === 'binance' && f.ty === 'trade' && (f.ep as number) === stats(t).ep, 10_000, from);
    assert.equal(stats(t).reconnects, 0);
    assert.ok(assertTradeIds(records(t), true) > 50);
  });
});

describe('live subscription changes', () => {
  let sims: Awaited<ReturnType<typeof startSimulators>>;
  let gw: Gateway;
  const stats = (ex: string) => gw.kernel.supervisors.find((s) => s.id === ex)!.connections[0]!;
  const post = (body: unknown) =>
    fetch(`${gw.http}/api/subscriptions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  before(async () => {
    sims = await startSimulators({ seed: 9, intervalMs: 40 });
    gw = await startGateway({
      exchanges: {
        binance: { url: sims.get('binance').url, restUrl: sims.get('binance').restUrl, symbols: ['BTC/USDT'] },
        upbit: { url: sims.get('upbit').url, symbols: ['BTC/KRW'] },
      },
    });
    await waitFor(() => stats('binance')?.state === 'open' && stats('upbit')?.state === 'open', 10_000, 'open');
  });

  after(async () => {
    await gw?.kernel.close();
    await sims?.close();
  });

  it('adds a symbol at run time without dropping the other streams', async () => {
    const res = await post({ exchange: 'upbit', add: ['XRP/KRW'] });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { exchange: 'upbit', symbols: ['BTC/KRW', 'XRP/KRW'], channels: ['ticker', 'trade', 'orderbook'] });
    const c = await TestClient.connect(`${gw.ws}?symbol=XRP/KRW&snapshot=false`);
    await c.collect((f) => f.ex === 'upbit' && f.cd === 'XRP/KRW', 3);
    await c.close();
    assert.equal(stats('upbit').reconnects, 0);
    assert.equal(stats('upbit').rollovers, 1);
    assert.equal(stats('binance').rollovers + stats('binance').reconnects, 0, 'binance untouched');
    const list = (await (await fetch(`${gw.http}/api/subscriptions`)).json()) as { exchanges: Record<string, { symbols: string[] }> };
    assert.deepEqual(list.exchanges.upbit!.symbols, ['BTC/KRW', 'XRP/KRW']);
  });

  it('removes a symbol and a channel, and forgets their latest records', async () => {
    const res = await post({ exchange: 'binance', remove: [], channels: ['trade', 'ticker'] });
    assert.equal(res.status, 200);
    await waitFor(() => stats('binance').rollovers === 1, 10_000, 'binance rollover');
    const res2 = await post({ exchange: 'upbit', remove: ['XRP/KRW'] });
    assert.equal(res2.status, 200);
    await waitFor(() => stats('upbit').rollovers === 2, 10_000, 'upbit rollover');
    const snap = (await (await fetch(`${gw.http}/api/snapshot`)).json()) as { ex: string; ty: string; cd: string }[];
    assert.ok(!snap.some((r) => r.cd === 'XRP/KRW'));
    assert.ok(!snap.some((r) => r.ex === 'binance' && r.ty === 'orderbook'));
    const c = await TestClient.connect(`${gw.ws}?snapshot=false`);
    await c.collect((f) => f.ex === 'binance', 5);
    assert.ok(!c.frames.some((f) => f.ex === 'binance' && f.ty === 'orderbook'));
    await c.close();
    const bad = await TestClient.connect(`${gw.ws}?symbol=XRP/KRW`).catch((e: Error) => e);
    assert.match(String(bad), /400/);
  });

  it('refuses invalid changes with 400 naming the problem', async () => {
    for (const [body, why] of [
      [{ exchange: 'kraken', add: ['BTC/USD'] }, /kraken/],
      [{ exchange: 'upbit', add: ['btc'] }, /btc/],
      [{ exchange: 'upbit', channels: ['candles'] }, /candles/],
      [{ exchange: 'upbit', remove: ['BTC/KRW'] }, /at least one symbol/],
      [{ exchange: 'upbit', speed: 3 }, /speed/],
    ] as const) {
      const res = await post(body);
      assert.equal(res.status, 400);
      assert.match(((await res.json()) as { message: string }).message, why);
    }
    const notJson = await fetch(`${gw.http}/api/subscriptions`, { method: 'POST', body: '{' });
    assert.equal(notJson.status, 400);
  });

  it('applies a reloaded configuration: new exchanges start, removed ones stop', async () => {
    const { parseConfig } = await import('../../kernel/config.ts');
    await gw.kernel.reload(
      parseConfig({
        server: { host: '127.0.0.1', port: 0 },
        log: { level: 'warn' },
        exchanges: {
          upbit: { url: sims.get('upbit').url, symbols: ['BTC/KRW', 'ETH/KRW'] },
          bithumb: { url: sims.get('bithumb').url, symbols: ['BTC/KRW'] },
        },
      }),
    );
    assert.deepEqual(gw.kernel.supervisors.map((s) => s.id).sort(), ['bithumb', 'upbit']);
    const c = await TestClient.connect(`${gw.ws}?snapshot=false`);
    await waitFor(() => c.frames.some((f) => f.ex === 'bithumb') && c.frames.some((f) => f.ex === 'upbit' && f.cd === 'ETH/KRW'), 10_000, 'new streams');
    assert.ok(!c.frames.some((f) => f.ex === 'binance'));
    await c.close();
  });
});
