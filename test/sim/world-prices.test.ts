// The simulators price from one world: KRW markets = the USDT market × USDT/KRW × a drifting per-venue premium, so
// Upbit and Bithumb differ from each other realistically; the FX simulator serves the same world's USD/KRW.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseRate } from '../../kernel/derived/fx.ts';
import { startFxSim } from '../../sim/fx-server.ts';
import { startSimulators } from '../../sim/index.ts';
import { referencePrice } from '../../sim/reference-prices.ts';
import { anchorPrice, fxRate, usdPrice, venuePremium } from '../../sim/world-prices.ts';
import { TestClient, waitFor } from '../support/client.ts';
import type { Frame } from '../support/client.ts';
import { startGateway } from '../support/gateway.ts';

describe('simulated world prices', () => {
  it('prices a KRW market from the world price, the FX rate and the venue premium, which drifts by venue', () => {
    const seed = 3;
    const t = Date.UTC(2026, 5, 1, 12);
    const krw = anchorPrice('upbit', 'BTC', 'KRW', seed, t);
    assert.equal(krw, usdPrice('BTC', seed, t) * fxRate(seed, t) * (1 + venuePremium('upbit', 'BTC', seed, t)));
    assert.equal(anchorPrice('binance', 'BTC', 'USDT', seed, t), usdPrice('BTC', seed, t));
    const premiums = { upbit: [] as number[], bithumb: [] as number[] };
    for (let m = 0; m < 24 * 60; m += 10) {
      for (const v of ['upbit', 'bithumb'] as const) premiums[v].push(venuePremium(v, 'BTC', seed, t + m * 60_000));
    }
    for (const list of Object.values(premiums)) {
      assert.ok(Math.min(...list) > -0.01 && Math.max(...list) < 0.07, 'a kimchi premium of a few per cent');
      assert.ok(Math.max(...list) - Math.min(...list) > 0.002, 'that moves during the day');
    }
    assert.ok(premiums.upbit.some((p, i) => Math.abs(p - premiums.bithumb[i]!) > 0.002), 'and differs by venue');
    // USDT/KRW carries its own, smaller premium over FX
    const usdt = anchorPrice('upbit', 'USDT', 'KRW', seed, t) / fxRate(seed, t) - 1;
    assert.ok(usdt > -0.01 && usdt < 0.04);
  });

  it('prices a market quoted in a coin or a fiat currency near its reference price, as every venue lists them', () => {
    const t = Date.UTC(2026, 5, 1, 12);
    for (const [base, quote] of [['BTC', 'BNB'], ['SOL', 'BNB'], ['ETH', 'EUR'], ['BTC', 'TRY'], ['XRP', 'BRL'], ['BTC', 'JPY'], ['ETH', 'BTC']] as const) {
      const ratio = anchorPrice('binance', base, quote, 3, t) / referencePrice(base, quote);
      assert.ok(ratio > 0.85 && ratio < 1.15, `${base}/${quote}: anchor/reference ${ratio}`);
    }
  });

  it('serves the FX rate in the shape of the Dunamu quote, and a 503 while down', async () => {
    const fx = await startFxSim({ seed: 3 });
    try {
      const res = await fetch(fx.quoteUrl);
      const rate = parseRate(await res.text(), '0.basePrice');
      assert.equal(typeof rate, 'number');
      assert.ok(Math.abs((rate as number) - fxRate(3, Date.now())) < 5);
      assert.equal(parseRate(await (await fetch(`${fx.url}/rate`)).text(), 'rate'), fx.rate());
      fx.down(true);
      assert.equal((await fetch(fx.quoteUrl)).status, 503);
    } finally {
      await fx.close();
    }
  });

  it('gives Upbit and Bithumb different KRW prices with a premium of a few per cent over Binance', async () => {
    const sims = await startSimulators({ seed: 11, intervalMs: 50 });
    const gw = await startGateway({
      exchanges: {
        binance: { url: sims.get('binance').url, restUrl: sims.get('binance').restUrl, symbols: ['BTC/USDT'], channels: ['ticker'] },
        upbit: { url: sims.get('upbit').url, symbols: ['BTC/KRW'], channels: ['ticker'] },
        bithumb: { api: 'v1', url: sims.get('bithumb').url, symbols: ['BTC/KRW'], channels: ['ticker'] },
      },
    });
    const c = await TestClient.connect(`${gw.ws}?type=ticker`);
    try {
      // the markets start near static reference prices and reach the world price within a few seconds
      await new Promise((r) => setTimeout(r, 4000));
      const last = (ex: string) => [...c.frames].reverse().find((f: Frame) => f.ex === ex) as Frame;
      await waitFor(() => last('binance') && last('upbit') && last('bithumb'), 15_000, 'tickers');
      const fx = fxRate(11, Date.now());
      const premium = (ex: string) => (last(ex).tp as number) / ((last('binance').tp as number) * fx) - 1;
      for (const ex of ['upbit', 'bithumb']) assert.ok(premium(ex) > -0.02 && premium(ex) < 0.08, `${ex} premium ${premium(ex)}`);
      assert.notEqual(last('upbit').tp, last('bithumb').tp);
    } finally {
      await c.close();
      await gw.kernel.close();
      await sims.close();
    }
  });
});
