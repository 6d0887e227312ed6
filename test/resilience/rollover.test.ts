// Planned rollovers (maximum connection age, Binance's shutdown notice) and live subscription changes:
// make-before-break, so no record is lost and none repeated across the switch.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startSimulators } from '../../sim/index.ts';
import { TestClient, waitFor } from '../support/client.ts';
import { startGateway } from '../support/gateway.ts';
import { assertSequences, assertTradeIds, isRecord } from '../support/streams.ts';

type Gateway = Awaited<ReturnType<typeof startGateway>>;

describe('planned connection rollover', () => {
  let sims: Awaited<ReturnType<typeof startSimulators>>;
  let gw: Gateway;
  let client: TestClient;
  const stats = (ex: string) => gw.kernel.supervisors.find((s) => s.id === ex)!.connections[0]!;

  before(async () => {
    sims = await startSimulators({ seed: 5, intervalMs: 40, tradesPerStep: 2 });
    gw = await startGateway({
      exchanges: {
        binance: { url: sims.get('binance').url, restUrl: sims.get('binance').restUrl, symbols: ['BTC/USDT', 'ETH/USDT'], maxConnectionAgeMs: 1500 },
        upbit: { url: sims.get('upbit').url, symbols: ['BTC/KRW', 'ETH/KRW'], maxConnectionAgeMs: 1500 },
        bithumb: { api: 'legacy', url: sims.get('bithumb-legacy').url, restUrl: sims.get('bithumb-legacy').restUrl, symbols: ['BTC/KRW'], maxConnectionAgeMs: 1500 },
      },
    });
    client = await TestClient.connect(`${gw.ws}?snapshot=false`);
  });

  after(async () => {
    await client?.close();
    await gw?.kernel.close();
    await sims?.close();
  });

  it('replaces connections before their maximum age without losing or repeating a trade', async () => {
    const epochs = (ex: string) => new Set(client.frames.filter((r) => isRecord(r) && r.ex === ex).map((r) => r.ep)).size;
    // two rollovers each, and records from the third connection have reached the client
    await waitFor(() => ['binance', 'upbit', 'bithumb'].every((ex) => stats(ex).rollovers >= 2 && epochs(ex) >= 3), 20_000, 'three epochs each');
    const records = client.frames.filter(isRecord);
    for (const ex of ['binance', 'upbit', 'bithumb']) assert.equal(stats(ex).reconnects, 0, `${ex}: no unplanned reconnect`);
    // Binance numbers each market's trades consecutively: any loss or repeat across a switch would show.
    assert.ok(assertTradeIds(records.filter((r) => r.ex === 'binance'), true) > 50);
    assert.ok(assertTradeIds(records.filter((r) => r.ex === 'upbit'), false) > 50);
    assertSequences(records, client);
    // the old connections were closed after each switch
    await waitFor(() => sims.get('binance').connections() === 1 && sims.get('upbit').connections() === 1, 5000, 'old connections closed');
  });

  it('keeps the legacy feed whole across rollovers: trades in time order, books from a fresh snapshot', () => {
    const legacy = client.frames.filter((r) => isRecord(r) && r.ex === 'bithumb');
    const trades = legacy.filter((r) => r.ty === 'trade');
    for (let i = 1; i < trades.length; i++) assert.ok((trades[i]!.tms as number) >= (trades[i - 1]!.tms as number));
    const bookEps = new Set(legacy.filter((r) => r.ty === 'orderbook').map((r) => r.ep));
    assert.ok(bookEps.size >= 2, 'each epoch publishes its own synchronized book');
  });

  it("rolls a Binance connection over on the exchange's shutdown notice", async () => {
    const before = stats('binance').rollovers;
    const from = client.frames.length;
    sims.get('binance').sendRaw(JSON.stringify({ e: 'serverShutdown', E: Date.now() }));
    await waitFor(() => stats('binance').rollovers > before, 10_000, 'rollover after the notice');
    await client.next((f) => f.ex === 'binance' && f.ty === 'trade' && (f.ep as number) === stats('binance').ep, 10_000, from);
    assert.equal(stats('binance').reconnects, 0);
    assert.ok(assertTradeIds(client.frames.filter((r) => isRecord(r) && r.ex === 'binance'), true) > 50);
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
