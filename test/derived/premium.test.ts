// The premium records (SPEC §3a) against the formula, from the very input records the same run delivered: USDT and
// FX bases, same-quote pairs, absent values for missing inputs, FX down and back, throttling, stream keys and sq.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TestClient, waitFor } from '../support/client.ts';
import type { Frame } from '../support/client.ts';
import { TEST_PLUGINS_DIR, startGateway } from '../support/gateway.ts';
import { getJson } from '../support/process.ts';
import type { Gateway, Harness } from './harness.ts';
import { dkey, startHarness, venue } from './harness.ts';

const MIN_INTERVAL_MS = 200;

describe('premium records', () => {
  let h: Harness;
  let gw: Gateway;
  let client: TestClient;
  const premiums = () => client.frames.filter((f) => f.ty === 'premium' && f.st === undefined);

  /** the newest ticker of (ex, cd) the client received before frame index `upto` */
  function tickerBefore(ex: string, cd: string, upto: number): Frame | undefined {
    for (let i = upto - 1; i >= 0; i--) {
      const f = client.frames[i]!;
      if (f.ty === 'ticker' && f.ex === ex && f.cd === cd) return f;
    }
    return undefined;
  }

  /** every premium received so far agrees with the formula over the inputs received before it */
  function assertFormula(): number {
    let checked = 0;
    client.frames.forEach((f, i) => {
      if (f.ty !== 'premium' || f.st) return;
      const m = tickerBefore(f.ex as string, f.cd as string, i)!;
      const r = tickerBefore(f.rex as string, f.rcd as string, i)!;
      assert.equal(f.tp, m.tp, 'tp is the market ticker');
      assert.equal(f.rtp, r.tp, 'rtp is the reference ticker');
      const [, quote] = (f.cd as string).split('/');
      const [, rquote] = (f.rcd as string).split('/');
      let newest = Math.max(m.tms as number, r.tms as number);
      if (quote === rquote) {
        assert.equal(f.pu, (f.tp as number) / (f.rtp as number) - 1);
        assert.equal(f.pf, f.pu);
        assert.equal('usdt' in f || 'fx' in f, false, 'same quote: no usdt, no fx');
      } else {
        const u = tickerBefore(f.ex as string, `${rquote}/${quote}`, i);
        if (u) {
          assert.equal(f.usdt, u.tp);
          assert.equal(f.pu, (f.tp as number) / ((f.rtp as number) * (u.tp as number)) - 1);
          newest = Math.max(newest, u.tms as number);
        } else assert.equal('usdt' in f || 'pu' in f, false, 'no USDT/KRW yet: usdt and pu absent');
        if ('fx' in f) assert.equal(f.pf, (f.tp as number) / ((f.rtp as number) * (f.fx as number)) - 1);
        else assert.equal('pf' in f, false, 'no FX rate: pf absent');
      }
      assert.equal(f.tms, newest, 'tms is the newest input time');
      for (const v of Object.values(f)) assert.ok(v !== null && v !== undefined);
      checked++;
    });
    return checked;
  }

  before(async () => {
    h = await startHarness(1400);
    gw = await h.start({
      exchanges: { qa: venue(h, 'qa', ['BTC/KRW']), qb: venue(h, 'qb', ['BTC/KRW']), qc: venue(h, 'qc', ['ETH/USDT']) },
      derived: {
        minIntervalMs: MIN_INTERVAL_MS,
        premium: [
          { exchange: 'qa', reference: 'qc' },
          { exchange: 'qb', reference: 'qc' },
          { exchange: 'qb', reference: 'qa' },
        ],
        fx: { url: h.fx.quoteUrl, path: '0.basePrice', intervalMs: 200, maxAgeMs: 600 },
      },
    });
    client = await TestClient.connect(`${gw.ws}?type=premium,ticker`);
  });

  after(async () => {
    await client?.close();
    await gw?.kernel.close();
    await h?.close();
  });

  it('subscribes USDT/KRW and the reference symbols by itself', () => {
    assert.deepEqual(h.subscribed('qa').sort(), ['BTC/KRW', 'USDT/KRW']);
    assert.deepEqual(h.subscribed('qb').sort(), ['BTC/KRW', 'USDT/KRW']);
    assert.deepEqual(h.subscribed('qc').sort(), ['BTC/USDT', 'ETH/USDT']);
  });

  it('leaves usdt and pu absent until USDT/KRW is known, with pf from the FX rate', async () => {
    await waitFor(async () => (await getJson<{ derived: { fx: { healthy: boolean } } }>(`${gw.http}/api/ws/infra-health`)).derived.fx.healthy, 10_000, 'FX rate');
    const t = Date.now();
    h.ticker('qc', 'BTC/USDT', 100_000, t);
    h.ticker('qa', 'BTC/KRW', 145_000_000, t + 1);
    const first = await client.next((f) => f.ty === 'premium' && f.ex === 'qa');
    assert.equal(first.rex, 'qc');
    assert.equal(first.rcd, 'BTC/USDT');
    assert.equal(first.mc, 'BTC-KRW');
    assert.equal(first.fx, 1400);
    assert.equal(first.pf, 145_000_000 / (100_000 * 1400) - 1);
    assert.equal('usdt' in first || 'pu' in first, false);
    assert.equal(first.tms, t + 1);
    h.ticker('qa', 'USDT/KRW', 1420, t + 2);
    const withUsdt = await client.next((f) => f.ty === 'premium' && f.ex === 'qa' && f.usdt === 1420);
    assert.equal(withUsdt.pu, 145_000_000 / (100_000 * 1420) - 1);
    assert.equal(withUsdt.tms, t + 2);
    assertFormula();
  });

  it('computes a same-quote pair as a plain ratio, and keeps two streams for one market against two references', async () => {
    const t = Date.now();
    h.ticker('qb', 'USDT/KRW', 1425, t);
    h.ticker('qb', 'BTC/KRW', 146_000_000, t + 1);
    const vsQa = await client.next((f) => f.ty === 'premium' && f.ex === 'qb' && f.rex === 'qa');
    assert.equal(vsQa.rcd, 'BTC/KRW');
    assert.equal(vsQa.pu, 146_000_000 / 145_000_000 - 1);
    assert.equal(vsQa.pf, vsQa.pu);
    const vsQc = await client.next((f) => f.ty === 'premium' && f.ex === 'qb' && f.rex === 'qc' && f.usdt === 1425);
    assert.equal(vsQc.pu, 146_000_000 / (100_000 * 1425) - 1);
    const snap = await getJson<Frame[]>(`${gw.http}/api/snapshot?type=premium&exchange=qb`);
    assert.deepEqual(snap.map(dkey).sort(), ['qb|premium|BTC/KRW|qa', 'qb|premium|BTC/KRW|qc']);
    assertFormula();
  });

  it('drops pf while the FX source is down, keeps pu going, says so in health, and brings pf back', async () => {
    h.fx.down(true);
    const down = await client.next((f) => f.ty === 'premium' && f.ex === 'qa' && !('pf' in f), 15_000);
    assert.equal('fx' in down, false);
    assert.equal(typeof down.pu, 'number');
    const health = await getJson<{ derived: { fx: { healthy: boolean; lastError?: string } } }>(`${gw.http}/api/ws/infra-health`);
    assert.equal(health.derived.fx.healthy, false);
    assert.match(health.derived.fx.lastError ?? '', /503/);
    assert.equal(gw.kernel.fxState().healthy, false);
    // pu goes on: a new market price makes a record without pf
    h.ticker('qa', 'BTC/KRW', 147_000_000, Date.now());
    const moved = await client.next((f) => f.ty === 'premium' && f.ex === 'qa' && f.tp === 147_000_000);
    assert.equal(moved.pu, 147_000_000 / (100_000 * 1420) - 1);
    assert.equal('pf' in moved, false);
    h.fx.setRate(1410);
    h.fx.down(false);
    const back = await client.next((f) => f.ty === 'premium' && f.ex === 'qa' && f.fx === 1410, 15_000);
    assert.equal(back.pf, 147_000_000 / (100_000 * 1410) - 1);
    assert.equal(gw.kernel.fxState().healthy, true);
    assertFormula();
  });

  it('emits at most one record per key per minIntervalMs, the last one from the last inputs, with sq +1 per key', async () => {
    const t = Date.now();
    for (let i = 1; i <= 20; i++) h.ticker('qc', 'BTC/USDT', 100_000 + i, t + i);
    const last = await client.next((f) => f.ty === 'premium' && f.ex === 'qa' && f.rtp === 100_020);
    assert.equal(last.pu, 147_000_000 / (100_020 * 1420) - 1);
    const checked = assertFormula();
    assert.ok(checked >= 8, `${checked} records checked`);
    const byKey = new Map<string, Frame[]>();
    for (const f of premiums()) byKey.set(dkey(f), [...(byKey.get(dkey(f)) ?? []), f]);
    assert.equal(byKey.size, 3);
    const eps = new Set(premiums().map((f) => f.ep));
    assert.equal(eps.size, 1, 'one stage, one ep');
    const health = await getJson<{ derived: { stage: { ep: number } } }>(`${gw.http}/api/ws/infra-health`);
    assert.equal([...eps][0], health.derived.stage.ep);
    for (const [key, list] of byKey) {
      list.forEach((f, i) => {
        assert.equal(f.sq, i + 1, `${key} sq`);
        if (i > 0) assert.ok((f.rtms as number) - (list[i - 1]!.rtms as number) >= MIN_INTERVAL_MS, `${key}: two records within ${MIN_INTERVAL_MS} ms`);
      });
    }
    // 20 changes of the reference within a few ms went out as far fewer records
    const qaAfter = byKey.get('qa|premium|BTC/KRW|qc')!.filter((f) => (f.rtp as number) > 100_000);
    assert.ok(qaAfter.length < 20, `${qaAfter.length} records for 20 changes`);
  });

  it('refuses a premium filter when no premium is configured on another gateway', async () => {
    const plain = await startGateway({ exchanges: { qa: { ...venue(h, 'qa', ['BTC/KRW']), url: 'ws://127.0.0.1:9' } } }, { pluginsDir: TEST_PLUGINS_DIR });
    try {
      const res = await fetch(`${plain.http}/api/snapshot?type=premium`);
      assert.equal(res.status, 400);
      assert.match(((await res.json()) as { message: string }).message, /not enabled/);
    } finally {
      await plain.kernel.close();
    }
  });
});
