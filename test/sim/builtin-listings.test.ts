// The built-in simulators' market lists through a real gateway (`symbols: {quote: [...]}` follows listings and
// delistings at run time), a delisted market's streams stopping, and skewed activity in the Binance simulator.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { TestClient, waitFor } from '../support/client.ts';
import { startGateway } from '../support/gateway.ts';
import binanceSim, { startBinanceSim } from '../../plugins/binance/sim.ts';
import upbitSim, { startUpbitSim } from '../../plugins/upbit/sim.ts';
import type { SimHandle } from '../../sim/index.ts';
import { stepEvery } from '../../sim/market-set.ts';

type Subs = { exchanges: Record<string, { symbols: string[] }> };

/** `symbols: {quote: [quote]}` through a gateway: the quote's markets, then a listing and a delisting reach clients */
async function followsList(ex: string, h: SimHandle, section: Record<string, unknown>, quote: string, drop: string, mc: string) {
  const gw = await startGateway({
    exchanges: { [ex]: { ...section, symbols: { quote: [quote] }, marketRefreshMs: 200, channels: ['trade'] } },
  });
  const c = await TestClient.connect(`${gw.ws}?type=listing,trade&snapshot=false`);
  try {
    const subs = async () => ((await (await fetch(`${gw.http}/api/subscriptions`)).json()) as Subs).exchanges[ex]?.symbols ?? [];
    const listed = `NEWCOIN/${quote}`;
    await waitFor(async () => (await subs()).includes(drop), 15_000, `the ${quote} markets`);
    assert.ok((await subs()).every((s) => s.endsWith(`/${quote}`)), 'only the chosen quote');
    h.listMarket!(listed);
    const l = await c.next((f) => f.ty === 'listing' && f.cd === listed, 15_000);
    assert.deepEqual([l.ex, l.mc, l.ls], [ex, mc, 'listed']);
    await c.next((f) => f.ty === 'trade' && f.cd === listed, 20_000);
    h.delistMarket!(drop);
    const gone = await c.next((f) => f.ty === 'listing' && f.cd === drop, 15_000);
    assert.equal(gone.ls, 'delisted');
    await waitFor(async () => !(await subs()).includes(drop), 15_000, `${drop} unsubscribed`);
  } finally {
    await c.close();
    await gw.kernel.close();
  }
}

describe('built-in simulators under symbols: {quote}', () => {
  it('binance: subscribes the EUR markets of exchangeInfo, then follows a listing and a delisting', async () => {
    const h = await startBinanceSim({ seed: 3, intervalMs: 50 });
    try {
      await followsList('binance', h, binanceSim.config(h), 'EUR', 'ETH/EUR', 'NEWCOINEUR');
    } finally {
      await h.close();
    }
  });

  it('upbit: subscribes the USDT markets of /v1/market/all, then follows a listing and a delisting', async () => {
    const h = await startUpbitSim({ seed: 3, intervalMs: 50 });
    try {
      await followsList('upbit', h, upbitSim.config(h), 'USDT', 'ETH/USDT', 'USDT-NEWCOIN');
    } finally {
      await h.close();
    }
  });
});

/** a raw Binance client on combined streams, counting trade events per symbol */
async function binanceClient(h: SimHandle, streams: string[]) {
  const ws = new WebSocket(`${h.url}/stream?streams=${streams.join('/')}`);
  const counts = new Map<string, number>();
  ws.on('message', (d) => {
    const { data } = JSON.parse(String(d)) as { data: { e?: string; s?: string } };
    if (data.e === 'trade') counts.set(data.s!, (counts.get(data.s!) ?? 0) + 1);
  });
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  return { counts, close: () => ws.terminate() };
}

describe('the built-in simulators\' streams', () => {
  it('binance with skewed activity: BTC trades far more often than a long-tail market', async () => {
    const h = await startBinanceSim({ seed: 5, intervalMs: 10, activity: 'skewed' });
    const c = await binanceClient(h, ['btcusdt@trade', 'zrxusdt@trade']);
    try {
      assert.ok(stepEvery('ZRX') >= 20);
      await waitFor(() => (c.counts.get('BTCUSDT') ?? 0) >= 400, 60_000, '400 BTC trades');
      const btc = c.counts.get('BTCUSDT')!;
      const zrx = c.counts.get('ZRXUSDT') ?? 0;
      assert.ok(zrx * 5 < btc, `BTC ${btc} trades, ZRX ${zrx}`);
    } finally {
      c.close();
      await h.close();
    }
  });

  it('binance: a delisted market stops producing and leaves exchangeInfo; listed again, it produces again', async () => {
    const h = await startBinanceSim({ seed: 6, intervalMs: 20 });
    const c = await binanceClient(h, ['btcusdt@trade', 'ethusdt@trade']);
    const listedEth = async () =>
      ((await (await fetch(`${h.restUrl}/api/v3/exchangeInfo`)).json()) as { symbols: { symbol: string }[] }).symbols.some((s) => s.symbol === 'ETHUSDT');
    try {
      await waitFor(() => (c.counts.get('ETHUSDT') ?? 0) > 0, 15_000, 'ETH trades');
      h.delistMarket!('ETH/USDT');
      assert.equal(await listedEth(), false);
      // frames sent before the delisting may still be on their way: count from once BTC has moved on
      const btcAt = c.counts.get('BTCUSDT') ?? 0;
      await waitFor(() => (c.counts.get('BTCUSDT') ?? 0) >= btcAt + 10, 30_000, 'BTC goes on');
      const eth = c.counts.get('ETHUSDT')!;
      const btc = c.counts.get('BTCUSDT')!;
      await waitFor(() => (c.counts.get('BTCUSDT') ?? 0) >= btc + 50, 30_000, 'BTC goes on');
      assert.equal(c.counts.get('ETHUSDT'), eth, 'no ETH trade after the delisting');
      h.listMarket!('ETH/USDT');
      assert.equal(await listedEth(), true);
      await waitFor(() => c.counts.get('ETHUSDT')! > eth, 15_000, 'ETH trades again');
    } finally {
      c.close();
      await h.close();
    }
  });
});
