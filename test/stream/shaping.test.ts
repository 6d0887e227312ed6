// Per-client shaping (SPEC §4a) against the simulators, in JSON and msgpack: depth cuts books (tas/tbs over the cut),
// interval conflates state keys and never trades, batch sends arrays; echoed in subscribed, changed by subscribe.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startSimulators } from '../../sim/index.ts';
import type { Frame } from '../support/client.ts';
import { TestClient, waitFor } from '../support/client.ts';
import { startGateway } from '../support/gateway.ts';
import { isRecord, keyOf } from '../support/streams.ts';

type Gateway = Awaited<ReturnType<typeof startGateway>>;
const sum = (xs: (number | undefined)[]) => Math.round(xs.reduce<number>((a, b) => a + (b ?? 0), 0) * 1e8) / 1e8;
const same = (a: Frame, b: Frame) => a.ep === b.ep && a.sq === b.sq && keyOf(a) === keyOf(b);

describe('shaping', () => {
  let sims: Awaited<ReturnType<typeof startSimulators>>;
  let gw: Gateway;

  before(async () => {
    sims = await startSimulators({ seed: 11, intervalMs: 50 });
    gw = await startGateway({
      exchanges: {
        upbit: { url: sims.get('upbit').url, restUrl: sims.get('upbit').restUrl, symbols: ['BTC/KRW', 'ETH/KRW'] },
        binance: { url: sims.get('binance').url, restUrl: sims.get('binance').restUrl, symbols: ['BTC/USDT'] },
      },
    });
    await waitFor(() => gw.kernel.store.size >= 9, 20_000, 'every key has a latest record');
  });

  after(async () => {
    await gw?.kernel.close();
    await sims?.close();
  });

  for (const format of ['json', 'msgpack'] as const) {
    it(`cuts books to depth with tas/tbs over the cut, snapshots included, and changes depth on subscribe (${format})`, async () => {
      const full = await TestClient.connect(`${gw.ws}?type=orderbook,trade&snapshot=false&format=${format}`);
      const cut = await TestClient.connect(`${gw.ws}?type=orderbook,trade&depth=5&format=${format}`);
      try {
        await waitFor(() => cut.frames.filter((f) => f.ty === 'orderbook' && !f.st).length >= 10, 20_000, 'books');
        const books = cut.frames.filter((f) => f.ty === 'orderbook');
        assert.ok(books.some((b) => b.st === 'SNAPSHOT'), 'a snapshot came');
        for (const b of books) {
          const obu = b.obu as { as?: number; bs?: number }[];
          assert.ok(obu.length <= 5 && obu.length > 0);
          assert.equal(b.tas, sum(obu.map((u) => u.as)));
          assert.equal(b.tbs, sum(obu.map((u) => u.bs)));
          const whole = full.frames.find((f) => same(f, b));
          if (whole) assert.deepEqual(b.obu, (whole.obu as unknown[]).slice(0, 5));
        }
        assert.ok(books.some((b) => full.frames.some((f) => same(f, b) && (f.obu as unknown[]).length > 5)), 'books were deeper than 5');
        // trades untouched
        const trade = cut.frames.find((f) => f.ty === 'trade' && !f.st)!;
        assert.deepEqual(trade, full.frames.find((f) => same(f, trade)));
        const n = cut.frames.length;
        cut.send({ method: 'subscribe', type: ['orderbook'], depth: 2, snapshot: false });
        const sub = await cut.next((f) => f.event === 'subscribed', 5000, n);
        assert.deepEqual([sub.depth, sub.interval, sub.batch], [2, null, false]);
        await cut.next((f) => f.ty === 'orderbook', 10_000, cut.frames.indexOf(sub));
        for (const b of cut.frames.slice(cut.frames.indexOf(sub)).filter(isRecord)) assert.ok((b.obu as unknown[]).length <= 2);
        // out of range: BAD_REQUEST, and at connect HTTP 400
        cut.send({ method: 'subscribe', depth: 16 });
        assert.match((await cut.next((f) => f.event === 'error', 5000, n)).message as string, /depth/);
        await assert.rejects(TestClient.connect(`${gw.ws}?depth=0`), /HTTP 400/);
      } finally {
        await full.close();
        await cut.close();
      }
    });

    it(`conflates state keys to one record per interval, the newest, and never trades (${format})`, async () => {
      const full = await TestClient.connect(`${gw.ws}?exchange=upbit&snapshot=false&format=${format}`);
      const slow = await TestClient.connect(`${gw.ws}?exchange=upbit&snapshot=false&interval=500&format=${format}`);
      const arrivals: number[] = [];
      slow.ws.on('message', () => (arrivals[slow.frames.length - 1] = Date.now()));
      try {
        const start = Date.now();
        await waitFor(() => Date.now() - start > 2600 && slow.frames.filter((f) => f.ty === 'ticker').length >= 4, 20_000, 'conflated tickers');
        const got = slow.frames.filter(isRecord);
        for (const key of new Set(got.map(keyOf))) {
          const mine = got.filter((f) => keyOf(f) === key);
          const theirs = full.frames.filter((f) => isRecord(f) && keyOf(f) === key);
          if (key.includes('|trade|')) {
            // every trade, in order, as sent to the full client
            const from = theirs.findIndex((f) => same(f, mine[0]!));
            assert.deepEqual(mine, theirs.slice(from, from + mine.length), `${key}: trades are never conflated`);
            continue;
          }
          // each conflated record is one the full client got; sq skips
          for (const m of mine) assert.deepEqual(m, theirs.find((f) => same(f, m)), `${key}: the record as sent`);
          assert.ok(theirs.length > mine.length * 2, `${key}: conflated (${mine.length} of ${theirs.length})`);
          // at most one per key per interval: as many as intervals passed (+1 for the edges), never two in one tick
          const at = mine.map((m) => arrivals[slow.frames.indexOf(m)]!);
          assert.ok(mine.length <= Math.ceil((at.at(-1)! - at[0]!) / 500) + 2, `${key}: ${mine.length} records in ${at.at(-1)! - at[0]!} ms`);
          for (let i = 1; i < at.length; i++) assert.ok(at[i]! - at[i - 1]! >= 150, `${key}: ${at[i]! - at[i - 1]!} ms apart`);
        }
        const n = slow.frames.length;
        slow.send({ method: 'subscribe', exchange: 'upbit', interval: 100000 });
        const err = await slow.next((f) => f.event === 'error', 5000, n);
        assert.match(err.message as string, /interval/);
        slow.send({ method: 'subscribe', exchange: 'upbit', interval: null, snapshot: false });
        const sub = await slow.next((f) => f.event === 'subscribed', 5000, n);
        assert.equal(sub.interval, null);
      } finally {
        await full.close();
        await slow.close();
      }
    });

    it(`sends each turn's records as one array frame with batch=true, in the same order as unbatched (${format})`, async () => {
      const plain = await TestClient.connect(`${gw.ws}?exchange=upbit&snapshot=false&format=${format}`);
      const batched = await TestClient.connect(`${gw.ws}?exchange=upbit&batch=true&format=${format}`);
      try {
        await waitFor(() => batched.frames.filter(Array.isArray).length >= 20, 20_000, 'array frames');
        assert.equal(batched.binary.every((b) => b === (format === 'msgpack')), true);
        const arrays = batched.frames.filter(Array.isArray) as unknown as Frame[][];
        // the snapshot came as one array, then status events as single objects
        assert.ok(arrays[0]!.every((r) => r.st === 'SNAPSHOT'));
        const firstStatus = batched.frames.findIndex((f) => f.event === 'status');
        assert.ok(firstStatus > batched.frames.indexOf(arrays[0] as unknown as Frame));
        assert.ok(arrays.every((a) => a.length > 0 && a.every(isRecord)), 'arrays hold records only');
        const live = arrays.slice(1).flat();
        for (const key of new Set(live.map(keyOf))) {
          const mine = live.filter((f) => keyOf(f) === key);
          const theirs = plain.frames.filter((f) => isRecord(f) && keyOf(f) === key);
          const from = theirs.findIndex((f) => same(f, mine[0]!));
          assert.ok(from >= 0);
          const upto = Math.min(mine.length, theirs.length - from);
          assert.deepEqual(mine.slice(0, upto), theirs.slice(from, from + upto), key);
        }
        const n = batched.frames.length;
        batched.send({ method: 'ping' });
        const pong = await batched.next((f) => f.event === 'pong', 5000, n);
        assert.equal(Array.isArray(pong), false);
      } finally {
        await plain.close();
        await batched.close();
      }
    });
  }
});
