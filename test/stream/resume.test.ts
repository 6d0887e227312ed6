// Resume (SPEC §4a): a client that reconnects after 3 s and resumes has, record for record, what a client that never
// disconnected saw; a key whose history no longer reaches back is lost and gets its latest record; bad resume
// entries are a BAD_REQUEST on a connection that stays open.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startSimulators } from '../../sim/index.ts';
import type { Frame } from '../support/client.ts';
import { TestClient, waitFor } from '../support/client.ts';
import { startGateway } from '../support/gateway.ts';
import { isRecord, keyOf } from '../support/streams.ts';

type Gateway = Awaited<ReturnType<typeof startGateway>>;
const FILTER = 'exchange=binance,upbit';

/** the last (ep, sq) of every key a client holds, as resume entries */
function positions(frames: Frame[]): { ex: string; ty: string; cd: string; ep: number; sq: number }[] {
  const last = new Map<string, Frame>();
  for (const f of frames) if (isRecord(f)) last.set(keyOf(f), f);
  return [...last.values()].map((f) => ({ ex: f.ex as string, ty: f.ty as string, cd: f.cd as string, ep: f.ep as number, sq: f.sq as number }));
}

const strip = (f: Frame) => {
  const { st: _st, ...rest } = f;
  return rest;
};

describe('resume', () => {
  let sims: Awaited<ReturnType<typeof startSimulators>>;
  let gw: Gateway;

  before(async () => {
    sims = await startSimulators({ seed: 9, intervalMs: 50 });
    gw = await startGateway({
      exchanges: {
        binance: { url: sims.get('binance').url, restUrl: sims.get('binance').restUrl, symbols: ['BTC/USDT', 'ETH/USDT'] },
        upbit: { url: sims.get('upbit').url, restUrl: sims.get('upbit').restUrl, symbols: ['BTC/KRW'] },
      },
    });
  });

  after(async () => {
    await gw?.kernel.close();
    await sims?.close();
  });

  for (const format of ['json', 'msgpack'] as const) {
    it(`after a 3 s disconnect gives exactly what a never-disconnected client saw (${format})`, async () => {
      const steady = await TestClient.connect(`${gw.ws}?${FILTER}&snapshot=false&format=${format}`);
      const first = await TestClient.connect(`${gw.ws}?${FILTER}&snapshot=false&format=${format}`);
      try {
        // every key has delivered to the client that will go away
        await waitFor(() => new Set(first.frames.filter(isRecord).map(keyOf)).size >= 9, 20_000, 'every key');
        await first.close();
        const held = first.frames.filter(isRecord);
        const resume = positions(held);
        await new Promise((r) => setTimeout(r, 3000)); // the disconnect itself: what the test is about
        const back = await TestClient.connect(`${gw.ws}?${FILTER}&wait=true&format=${format}`);
        try {
          back.send({ method: 'subscribe', exchange: ['binance', 'upbit'], snapshot: false, resume, id: 'r1' });
          const resumed = await back.next((f) => f.event === 'resumed');
          assert.equal(resumed.id, 'r1');
          assert.equal((resumed.lost as unknown[]).length, 0, `lost: ${JSON.stringify(resumed.lost)}`);
          assert.equal((resumed.recovered as unknown[]).length, resume.length);
          const subscribed = back.frames.findIndex((f) => f.event === 'subscribed');
          assert.ok(subscribed >= 0 && subscribed < back.frames.indexOf(resumed), 'subscribed comes first');
          // some live records after the seam
          const seam = back.frames.length;
          await waitFor(() => back.frames.slice(seam).filter((f) => f.ty === 'trade').length >= 20, 20_000, 'live trades after the seam');
        } finally {
          await back.close();
        }
        const after = back.frames.filter(isRecord);
        for (const key of new Set([...held, ...after].map(keyOf))) {
          const mine = [...held, ...after].filter((f) => keyOf(f) === key);
          const theirs = steady.frames.filter((f) => isRecord(f) && keyOf(f) === key);
          const start = theirs.findIndex((f) => f.ep === mine[0]!.ep && f.sq === mine[0]!.sq);
          assert.ok(start >= 0, `${key}: the steady client saw the first record`);
          const last = mine[mine.length - 1]!;
          const end = theirs.findIndex((f) => f.ep === last.ep && f.sq === last.sq);
          assert.ok(end >= start, `${key}: the steady client saw the last record`);
          const expected = theirs.slice(start, end + 1);
          if (key.includes('|trade|')) {
            // trades: every record, as originally sent, none twice
            assert.deepEqual(mine, expected, `${key}: trades record for record`);
          } else {
            // state keys: what was held, then the newest as a snapshot (unless nothing was missed), then every live record
            const resumedAt = held.filter((f) => keyOf(f) === key).length;
            const rest = mine.slice(resumedAt);
            let i = 0;
            if (rest[0]?.st === 'SNAPSHOT') {
              const snap = expected.find((f) => f.ep === rest[0]!.ep && f.sq === rest[0]!.sq);
              assert.deepEqual(strip(rest[0]!), snap, `${key}: the snapshot is the record as sent`);
              i = 1;
            }
            const live = rest.slice(i);
            if (live.length) {
              const from = expected.findIndex((f) => f.ep === live[0]!.ep && f.sq === live[0]!.sq);
              assert.deepEqual(live, expected.slice(from), `${key}: live after the seam`);
            }
          }
        }
      } finally {
        await steady.close();
      }
    });
  }

  it('says lost and sends the latest record when the history no longer reaches back', async () => {
    await waitFor(() => gw.kernel.store.get('binance|trade|BTC/USDT'), 20_000, 'a first trade');
    const c = await TestClient.connect(`${gw.ws}?exchange=binance&type=trade&wait=true`);
    try {
      // a position from long ago (an epoch before this gateway's history began)
      c.send({ method: 'subscribe', exchange: 'binance', type: 'trade', resume: [{ ex: 'binance', ty: 'trade', cd: 'BTC/USDT', ep: 1000, sq: 5 }] });
      const resumed = await c.next((f) => f.event === 'resumed');
      assert.deepEqual(resumed.lost, [{ ex: 'binance', ty: 'trade', cd: 'BTC/USDT' }]);
      assert.deepEqual(resumed.recovered, []);
      const snap = await c.next((f) => f.ty === 'trade' && f.cd === 'BTC/USDT');
      assert.equal(snap.st, 'SNAPSHOT');
      assert.ok(c.frames.indexOf(snap) > c.frames.indexOf(resumed));
      // the snapshot of the other key (not resumed) follows as usual, then live records
      await c.next((f) => f.ty === 'trade' && f.cd === 'BTC/USDT' && f.st === undefined && (f.sq as number) > (snap.sq as number));
    } finally {
      await c.close();
    }
  });

  it('says lost when the key has moved on by more than history.records since the client left', async () => {
    const small = await startGateway({
      history: { records: 10 },
      exchanges: { binance: { url: sims.get('binance').url, restUrl: sims.get('binance').restUrl, symbols: ['BTC/USDT'] } },
    });
    const watch = await TestClient.connect(`${small.ws}?type=trade&snapshot=false`);
    try {
      const left = await watch.next((f) => f.ty === 'trade');
      await watch.next((f) => f.ty === 'trade' && f.ep === left.ep && (f.sq as number) > (left.sq as number) + 15, 20_000);
      const c = await TestClient.connect(`${small.ws}?type=trade&wait=true`);
      c.send({ method: 'subscribe', type: 'trade', resume: [{ ex: 'binance', ty: 'trade', cd: 'BTC/USDT', ep: left.ep, sq: left.sq }] });
      const resumed = await c.next((f) => f.event === 'resumed');
      assert.deepEqual(resumed.lost, [{ ex: 'binance', ty: 'trade', cd: 'BTC/USDT' }]);
      const snap = await c.next(isRecord, 5000, c.frames.indexOf(resumed));
      assert.equal(snap.st, 'SNAPSHOT', 'the latest record, as a snapshot');
      await c.close();
      // while a client that left a moment ago still recovers on the same node
      const recent = watch.frames.filter(isRecord).at(-1)!;
      const d = await TestClient.connect(`${small.ws}?type=trade&wait=true`);
      d.send({ method: 'subscribe', type: 'trade', resume: [{ ex: 'binance', ty: 'trade', cd: 'BTC/USDT', ep: recent.ep, sq: recent.sq }] });
      const ok = await d.next((f) => f.event === 'resumed');
      assert.equal((ok.recovered as unknown[]).length, 1);
      const next = await d.next(isRecord, 5000, d.frames.indexOf(ok));
      assert.equal(next.st, undefined);
      assert.equal(next.sq, (recent.sq as number) + 1, 'the record right after the one held');
      await d.close();
    } finally {
      await watch.close();
      await small.kernel.close();
    }
  });

  it('answers bad resume entries with BAD_REQUEST and keeps the connection', async () => {
    const c = await TestClient.connect(`${gw.ws}?snapshot=false`);
    try {
      const bad: [unknown, RegExp][] = [
        ['nope', /resume: expected a list/],
        [[{ ex: 'binance', ty: 'trade', cd: 'BTC/USDT', ep: 1 }], /resume\[0\]: sq/],
        [[{ ex: 'binance', ty: 'trade', cd: 'BTC/USDT', ep: -1, sq: 1 }], /resume\[0\]: ep/],
        [[{ ex: 'kraken', ty: 'trade', cd: 'BTC/USDT', ep: 1, sq: 1 }], /resume\[0\]: exchange/],
        [[{ ex: 'binance', ty: 'candles', cd: 'BTC/USDT', ep: 1, sq: 1 }], /resume\[0\]: type/],
        [[{ ex: 'binance', ty: 'trade', cd: 'btc-usdt', ep: 1, sq: 1 }], /resume\[0\]: symbol/],
        [[{ ex: 'binance', ty: 'trade', cd: 'BTC/USDT', ep: 1, sq: 1, extra: 1 }], /unknown field "extra"/],
        [[{ ex: 'binance', ty: 'trade', cd: 'BTC/USDT', ep: 1, sq: 1 }, { ex: 'binance', ty: 'trade', cd: 'BTC/USDT', ep: 2, sq: 1 }], /resume\[1\].*twice/],
        [[7], /resume\[0\]: expected an object/],
      ];
      for (const [resume, why] of bad) {
        const n = c.frames.length;
        c.send({ method: 'subscribe', resume, id: 'x' });
        const err = await c.next((f) => f.event === 'error', 5000, n);
        assert.equal(err.code, 'BAD_REQUEST');
        assert.equal(err.id, 'x');
        assert.match(err.message as string, why);
      }
      // outside the filter being subscribed
      let n = c.frames.length;
      c.send({ method: 'subscribe', exchange: 'upbit', resume: [{ ex: 'binance', ty: 'trade', cd: 'BTC/USDT', ep: 1, sq: 1 }] });
      assert.match((await c.next((f) => f.event === 'error', 5000, n)).message as string, /outside the filter/);
      n = c.frames.length;
      c.send({ method: 'ping' });
      await c.next((f) => f.event === 'pong', 5000, n);
      assert.equal(c.closeCode, undefined, 'still connected');
    } finally {
      await c.close();
    }
  });
});
