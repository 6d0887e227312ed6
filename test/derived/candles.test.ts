// Candle records (SPEC §3a) against candles computed independently from the trades the test sent: open and close
// edges, empty intervals, exact volumes, the closing record at the first later trade or on the timer, late trades,
// and a restart in the middle of a candle with and without Redis.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { decode } from '../../boundary/codec.ts';
import { startRedis } from '../../scripts/infra/index.ts';
import { TestClient } from '../support/client.ts';
import type { Frame } from '../support/client.ts';
import { expectedCandles } from './expected-candles.ts';
import type { Trade } from './expected-candles.ts';
import type { Gateway, Harness } from './harness.ts';
import { dkey, startHarness, venue } from './harness.ts';

const SYM = 'BTC/KRW';
/** a future minute, so only trades (never the clock) close these candles */
const T0 = Date.UTC(2100, 0, 1, 0, 0, 0);

const config = (h: Harness, extra: Record<string, unknown> = {}) => ({
  exchanges: { qa: venue(h, 'qa', [SYM, 'ETH/KRW'], ['trade']) },
  derived: { minIntervalMs: 100, candles: { intervals: ['1s', '1m'] } },
  ...extra,
});

function pick(c: Frame) {
  return { tms: c.tms, op: c.op, hp: c.hp, lp: c.lp, tp: c.tp, catv: c.catv, catp: c.catp };
}

describe('candle records', () => {
  let h: Harness;
  let gw: Gateway;
  let client: TestClient;
  const sent: Trade[] = [];
  const send = (p: number, q: number, ts: number) => {
    sent.push({ p, q, ts });
    h.trade('qa', SYM, p, q, ts);
  };
  const closing = (iv: string) => client.frames.filter((f) => f.ty === 'candle' && f.iv === iv && f.cl === true);

  before(async () => {
    h = await startHarness();
    gw = await h.start(config(h));
    client = await TestClient.connect(`${gw.ws}?type=candle`);
  });

  after(async () => {
    await client?.close();
    await gw?.kernel.close();
    await h?.close();
  });

  it('closes each candle at the first later trade, exact to the trades, with no candle for empty intervals', async () => {
    send(100, 0.1, T0); // opens 1s [T0, T0+1000) and 1m [T0, T0+60000)
    send(101.5, 0.2, T0 + 999); // last millisecond of the first second
    send(99, 0.3, T0 + 1000); // first millisecond of the next: closes the first 1s candle
    send(98.25, 0.7, T0 + 5500); // 2 s to 4 s have no trades
    send(97, 1.1, T0 + 60_000); // closes 1s [T0+5000) and the 1m candle
    send(96, 0.000001, T0 + 61_000); // closes 1s [T0+60000)
    await client.next((f) => f.ty === 'candle' && f.iv === '1s' && f.cl === true && f.tms === T0 + 60_000);
    await client.next((f) => f.ty === 'candle' && f.iv === '1m' && f.cl === true && f.tms === T0);
    await client.next((f) => f.ty === 'candle' && f.iv === '1m' && f.tms === T0 + 60_000 && f.catv === 1.100001);

    const want1s = expectedCandles(sent, 1000);
    assert.deepEqual(closing('1s').map(pick), want1s.slice(0, 4));
    assert.deepEqual(closing('1m').map(pick), expectedCandles(sent, 60_000).slice(0, 1));
    // float addition would say 0.30000000000000004
    assert.equal(closing('1s')[0]!.catv, 0.3);
    assert.equal(closing('1s')[0]!.catp, 30.3);
    const candles = client.frames.filter((f) => f.ty === 'candle');
    for (const t of [T0 + 2000, T0 + 3000, T0 + 4000]) assert.equal(candles.some((f) => f.iv === '1s' && f.tms === t), false, `no candle at ${t}`);
    for (const f of candles) {
      assert.equal(f.ex, 'qa');
      assert.equal(f.cd, SYM);
      assert.equal(f.mc, 'BTC-KRW');
      assert.equal((f.tms as number) % (f.iv === '1s' ? 1000 : 60_000), 0, 'UTC-aligned open time');
    }
    // per key: sq +1, and nothing after the closing record of a candle
    const byKey = new Map<string, Frame[]>();
    for (const f of candles) byKey.set(dkey(f), [...(byKey.get(dkey(f)) ?? []), f]);
    assert.deepEqual([...byKey.keys()].sort(), ['qa|candle|BTC/KRW|1m', 'qa|candle|BTC/KRW|1s']);
    assert.equal(closing('1s')[2]!.catv, 0.7);
    for (const list of byKey.values()) {
      list.forEach((f, i) => assert.equal(f.sq, i + 1));
      const closed = new Set<number>();
      for (const f of list) {
        assert.equal(closed.has(f.tms as number), false, `a record after the close of ${f.tms}`);
        if (f.cl) closed.add(f.tms as number);
      }
    }
    // open updates of the current 1m candle carry no cl and follow its trades
    const open1m = candles.filter((f) => f.iv === '1m' && f.tms === T0 + 60_000);
    assert.ok(open1m.length >= 1);
    assert.equal(open1m.some((f) => 'cl' in f), false);
  });

  it('drops a trade of a candle already closed', async () => {
    send(500, 9, T0 + 10); // late: its 1s and 1m candles are closed
    sent.pop();
    send(95, 0.5, T0 + 62_000); // a sentinel that closes [T0+61000)
    await client.next((f) => f.ty === 'candle' && f.iv === '1s' && f.cl === true && f.tms === T0 + 61_000);
    const late = client.frames.filter((f) => f.ty === 'candle' && f.tms === T0 && f.hp === 500);
    assert.equal(late.length, 0);
    assert.equal(closing('1s').filter((f) => f.tms === T0).length, 1);
  });

  it('closes a candle on the timer within a second of its end when no later trade comes', async () => {
    // another market: BTC/KRW's candles are in 2100 now, so a trade of today would be late there
    const now = Date.now();
    h.trade('qa', 'ETH/KRW', 90, 0.25, now);
    const start = Math.floor(now / 1000) * 1000;
    const closed = await client.next((f) => f.ty === 'candle' && f.cd === 'ETH/KRW' && f.iv === '1s' && f.cl === true && f.tms === start, 10_000);
    assert.deepEqual(pick(closed), expectedCandles([{ p: 90, q: 0.25, ts: now }], 1000)[0]);
    assert.ok((closed.rtms as number) >= start + 1000, 'not before the end of its interval');
  });
});

describe('a restart in the middle of a candle', () => {
  let h: Harness;
  let redis: Awaited<ReturnType<typeof startRedis>>;
  const T1 = T0 + 10 * 60_000;

  before(async () => {
    h = await startHarness();
    redis = await startRedis();
  });

  after(async () => {
    await h?.close();
    await redis?.close();
  });

  async function run(gwConfig: Record<string, unknown>, trades: Trade[], until: (f: Frame) => boolean): Promise<{ gw: Gateway; frames: Frame[] }> {
    const gw = await h.start(gwConfig);
    const c = await TestClient.connect(`${gw.ws}?type=candle&snapshot=false`);
    for (const t of trades) h.trade('qa', SYM, t.p, t.q, t.ts);
    await c.next(until);
    await c.close();
    return { gw, frames: c.frames };
  }

  it('with Redis, continues the open candle from the latest record: the closing record covers trades before and after', async () => {
    const cfg = config(h, { redis: { enabled: true, url: redis.url, hash: 'restart:latest' } });
    const before = [
      { p: 200, q: 0.1, ts: T1 + 5 },
      { p: 210, q: 0.2, ts: T1 + 20_000 },
    ];
    const first = await run(cfg, before, (f) => f.iv === '1m' && f.catv === 0.3);
    // the latest 1m record has reached Redis before the restart
    const r = new Redis(redis.url);
    try {
      for (;;) {
        const bytes = await r.hgetBuffer('restart:latest', 'qa|candle|BTC/KRW|1m');
        if (bytes && decode<Frame>(bytes).catv === 0.3) break;
        await new Promise((res) => setTimeout(res, 50));
      }
    } finally {
      r.disconnect();
    }
    const ep1 = first.frames.find((f) => f.iv === '1m')!.ep as number;
    await first.gw.kernel.close();

    const afterRestart = [
      { p: 190, q: 0.3, ts: T1 + 40_000 },
      { p: 195, q: 0.4, ts: T1 + 60_000 }, // next minute: closes [T1)
    ];
    const second = await run(cfg, afterRestart, (f) => f.iv === '1m' && f.cl === true && f.tms === T1);
    try {
      const closed = second.frames.find((f) => f.iv === '1m' && f.cl === true && f.tms === T1)!;
      assert.deepEqual(pick(closed), expectedCandles([...before, ...afterRestart], 60_000)[0]);
      assert.ok((closed.ep as number) > ep1, 'the restarted stage has a newer ep');
      assert.equal(second.frames.filter((f) => f.iv === '1m' && f.ep === closed.ep)[0]!.sq, 1);
    } finally {
      await second.gw.kernel.close();
    }
  });

  it('without Redis, a restarted gateway builds the candle from the trades it sees after the restart', async () => {
    const cfg = config(h);
    const T2 = T1 + 5 * 60_000;
    const first = await run(cfg, [{ p: 300, q: 1, ts: T2 + 1 }], (f) => f.iv === '1m' && f.tms === T2);
    await first.gw.kernel.close();
    const later = [
      { p: 310, q: 2, ts: T2 + 30_000 },
      { p: 305, q: 3, ts: T2 + 60_000 },
    ];
    const second = await run(cfg, later, (f) => f.iv === '1m' && f.cl === true && f.tms === T2);
    try {
      const closed = second.frames.find((f) => f.iv === '1m' && f.cl === true && f.tms === T2)!;
      assert.deepEqual(pick(closed), expectedCandles(later, 60_000)[0]);
    } finally {
      await second.gw.kernel.close();
    }
  });
});
