// /api/history and /api/stats (SPEC §5) in memory and in Redis: closed candles and one premium sample per second,
// filters and limits, percentiles against an independent computation, and 400 JSON errors for bad parameters.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { redisCommand, startRedis } from '../../scripts/infra/index.ts';
import { TestClient } from '../support/client.ts';
import type { Frame } from '../support/client.ts';
import type { Gateway, Harness } from './harness.ts';
import { startHarness, venue } from './harness.ts';

const T0 = Date.UTC(2100, 0, 2);

/** nearest-rank interpolation, written out independently of kernel/derived/stats.ts */
function quantile(values: number[], q: number): number {
  const s = [...values].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const base = Math.floor(pos);
  const rest = pos - base;
  return base + 1 < s.length ? s[base]! + rest * (s[base + 1]! - s[base]!) : s[base]!;
}

async function json(url: string): Promise<{ status: number; body: any }> {
  const res = await fetch(url);
  return { status: res.status, body: await res.json() };
}

for (const store of ['memory', 'redis'] as const) {
  describe(`history and statistics (${store})`, () => {
    let h: Harness;
    let redis: Awaited<ReturnType<typeof startRedis>> | undefined;
    let gw: Gateway;
    let client: TestClient;
    const api = (path: string) => json(`${gw.http}${path}`);

    before(async () => {
      h = await startHarness(1400);
      if (store === 'redis') redis = await startRedis();
      gw = await h.start({
        ...(redis ? { redis: { enabled: true, url: redis.url } } : {}),
        exchanges: { qa: venue(h, 'qa', ['BTC/KRW']), qb: venue(h, 'qb', ['BTC/KRW']), qc: venue(h, 'qc', ['BTC/USDT']) },
        derived: {
          minIntervalMs: 0,
          premium: [
            { exchange: 'qa', reference: 'qc' },
            { exchange: 'qb', reference: 'qc' },
            { exchange: 'qb', reference: 'qa' },
          ],
          fx: { url: h.fx.quoteUrl, intervalMs: 200 },
          candles: { intervals: ['1s'], exchanges: ['qa'] },
        },
      });
      client = await TestClient.connect(`${gw.ws}?type=premium,candle`);
    });

    after(async () => {
      await client?.close();
      await gw?.kernel.close();
      await h?.close();
      await redis?.close();
    });

    it('serves the closed candles oldest first, filtered by from, to and limit', async () => {
      for (let i = 0; i < 6; i++) h.trade('qa', 'BTC/KRW', 1000 + i, 0.5 + i, T0 + i * 1000 + 10);
      await client.next((f) => f.ty === 'candle' && f.cl === true && f.tms === T0 + 4000);
      const closed = client.frames.filter((f) => f.ty === 'candle' && f.cl === true);
      const q = '/api/history?type=candle&exchange=qa&symbol=BTC/KRW&interval=1s';
      let got: Frame[] = [];
      for (let i = 0; i < 100 && got.length < 5; i++) {
        got = (await api(q)).body;
        if (got.length < 5) await new Promise((r) => setTimeout(r, 50));
      }
      assert.deepEqual(got, closed);
      assert.deepEqual((await api(`${q}&from=${T0 + 1000}&to=${T0 + 3000}`)).body, closed.slice(1, 4));
      assert.deepEqual((await api(`${q}&limit=2`)).body, closed.slice(3, 5), 'the newest two, oldest first');
      if (redis) assert.equal(await redisCommand(redis.port, 'ZCARD gateway:history:qa|candle|BTC/KRW|1s'), ':5');
    });

    it('keeps one premium sample per key per second and summarizes pu and pf over the window', async () => {
      const start = Math.floor(Date.now() / 1000) * 1000 - 30_000;
      h.ticker('qa', 'USDT/KRW', 1420, start);
      h.ticker('qb', 'USDT/KRW', 1421, start);
      h.ticker('qb', 'BTC/KRW', 146_000_000, start);
      h.ticker('qa', 'BTC/KRW', 145_000_000, start);
      // the reference moves every 400 ms of exchange time (its own feed: records of one venue keep their order);
      // the first one only once the market price is in (two venues' connections race each other)
      const rtp = (i: number) => 100_000 + 37 * ((i * 7) % 11) + i;
      h.ticker('qc', 'BTC/USDT', rtp(0), start + 1);
      await client.next((f) => f.ty === 'premium' && f.ex === 'qa' && f.rex === 'qc' && f.tp === 145_000_000 && f.rtp === rtp(0), 15_000);
      for (let i = 1; i < 24; i++) h.ticker('qc', 'BTC/USDT', rtp(i), start + i * 400 + 1);
      await client.next((f) => f.ty === 'premium' && f.ex === 'qa' && f.rtp === 100_000 + 37 * ((23 * 7) % 11) + 23 && 'fx' in f, 15_000);
      const live = client.frames.filter((f) => f.ty === 'premium' && f.ex === 'qa' && (f.tms as number) >= start);
      const firstPerSecond = new Map<number, Frame>();
      for (const f of client.frames.filter((f) => f.ty === 'premium' && f.ex === 'qa')) {
        const b = Math.floor((f.tms as number) / 1000);
        if (!firstPerSecond.has(b)) firstPerSecond.set(b, f);
      }
      const want = [...firstPerSecond.values()].filter((f) => (f.tms as number) >= start);
      assert.ok(want.length >= 9 && want.length < live.length, `${want.length} samples of ${live.length} records`);
      let got: Frame[] = [];
      for (let i = 0; i < 100; i++) {
        got = (await api(`/api/history?type=premium&exchange=qa&symbol=BTC/KRW&from=${start}`)).body;
        if (got.length >= want.length) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.deepEqual(got, want);
      const stats = (await api('/api/stats?type=premium&exchange=qa&symbol=BTC/KRW&window=1h')).body;
      const all = (await api('/api/history?type=premium&exchange=qa&symbol=BTC/KRW&from=0&limit=100000')).body as Frame[];
      const recent = all.filter((f) => (f.tms as number) >= stats.from);
      assert.equal(stats.samples, recent.length);
      assert.equal(stats.reference, 'qc');
      for (const basis of ['pu', 'pf'] as const) {
        const values = recent.flatMap((f) => (typeof f[basis] === 'number' ? [f[basis] as number] : []));
        assert.ok(values.length > 0);
        const s = stats[basis];
        assert.equal(s.count, values.length);
        assert.equal(s.min, Math.min(...values));
        assert.equal(s.max, Math.max(...values));
        for (const [k, q] of [['p5', 0.05], ['p25', 0.25], ['p50', 0.5], ['p75', 0.75], ['p95', 0.95]] as const) {
          assert.ok(Math.abs(s[k] - quantile(values, q)) < 1e-15, `${basis} ${k}`);
        }
      }
      // a market with two references: both streams in history, each record naming its reference
      await client.next((f) => f.ty === 'premium' && f.ex === 'qb' && f.rex === 'qa');
      let both: Frame[] = [];
      for (let i = 0; i < 100 && new Set(both.map((f) => f.rex)).size < 2; i++) {
        both = (await api('/api/history?type=premium&exchange=qb&symbol=BTC/KRW&from=0')).body;
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.deepEqual(new Set(both.map((f) => f.rex)), new Set(['qa', 'qc']));
      const onlyQa = (await api('/api/history?type=premium&exchange=qb&symbol=BTC/KRW&reference=qa&from=0')).body as Frame[];
      assert.ok(onlyQa.length > 0 && onlyQa.every((f) => f.rex === 'qa'));
      if (redis) assert.match(await redisCommand(redis.port, 'ZCARD gateway:history:qa|premium|BTC/KRW|qc'), /^:\d+$/);
    });

    it('answers bad parameters with 400 and a JSON error naming them', async () => {
      const cases: [string, RegExp][] = [
        ['/api/history', /type: required/],
        ['/api/history?type=ticker&exchange=qa&symbol=BTC/KRW', /type: expected premium or candle/],
        ['/api/history?type=candle&exchange=qa&symbol=BTC/KRW', /interval: required/],
        ['/api/history?type=candle&exchange=qa&symbol=BTC/KRW&interval=7m', /interval: "7m" is not configured/],
        ['/api/history?type=candle&exchange=qb&symbol=BTC/KRW&interval=1s', /no candles are configured for "qb"/],
        ['/api/history?type=candle&exchange=qa&symbol=btc-krw&interval=1s', /malformed symbol/],
        ['/api/history?type=premium&exchange=qa&symbol=BTC/KRW&interval=1s', /interval: only for type=candle/],
        ['/api/history?type=premium&exchange=qa&symbol=ETH/KRW', /no premium is configured/],
        ['/api/history?type=premium&exchange=qb&symbol=BTC/KRW&reference=zz', /reference: no premium/],
        ['/api/history?type=premium&exchange=qa&symbol=BTC/KRW&limit=0', /limit: expected an integer/],
        ['/api/history?type=premium&exchange=qa&symbol=BTC/KRW&from=abc', /from: expected an integer/],
        ['/api/history?type=premium&exchange=qa&symbol=BTC/KRW&from=5&to=4', /from: must not be after to/],
        ['/api/history?type=premium&exchange=qa&symbol=BTC/KRW&colour=red', /unknown query parameter "colour"/],
        ['/api/stats?type=candle&exchange=qa&symbol=BTC/KRW', /type: expected premium/],
        ['/api/stats?type=premium&exchange=qa&symbol=BTC/KRW&window=soon', /window: expected a duration/],
        ['/api/stats?type=premium&exchange=qa&symbol=BTC/KRW&window=30d', /window: longer than/],
        ['/api/stats?type=premium&exchange=qb&symbol=BTC/KRW', /against qc, qa; name one|against qa, qc; name one/],
        ['/api/stats?type=premium&symbol=BTC/KRW', /exchange: required/],
      ];
      for (const [path, message] of cases) {
        const { status, body } = await api(path);
        assert.equal(status, 400, path);
        assert.equal(body.error, 'BAD_REQUEST', path);
        assert.match(body.message, message, path);
      }
    });

    if (store === 'redis') {
      it('answers 503 with a JSON error while Redis is down', async () => {
        await redis!.close();
        const { status, body } = await api('/api/history?type=candle&exchange=qa&symbol=BTC/KRW&interval=1s');
        assert.equal(status, 503);
        assert.equal(body.error, 'UNAVAILABLE');
        redis = undefined;
      });
    }
  });
}
