// The derived stage's two ways of running (docs/derived.md, "How it runs"): inline in the main thread (the default)
// and in a thread of its own (`derived.thread: true`) give the same records from the same inputs; a computation
// that throws inline is caught, the exchange records go on, and a new stage (newer ep) continues the candles.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { candlesModule } from '../../kernel/derived/candles.ts';
import { TestClient, waitFor } from '../support/client.ts';
import type { Frame } from '../support/client.ts';
import { getJson } from '../support/process.ts';
import type { Harness } from './harness.ts';
import { dkey, startHarness, venue } from './harness.ts';

/** a future minute: only trades (never the clock) close these candles */
const T0 = Date.UTC(2100, 0, 1, 0, 0, 0);

type Stage = { mode: string; running: boolean; ready: boolean; ep: number; restarts: number; lastError?: string; recordsProduced: number };
const stageOf = async (http: string) => (await getJson<{ derived: { stage: Stage } }>(`${http}/api/ws/infra-health`)).derived.stage;

const config = (h: Harness, thread: boolean | undefined) => ({
  exchanges: { qa: venue(h, 'qa', ['BTC/KRW']), qc: venue(h, 'qc', ['BTC/USDT'], ['ticker']) },
  derived: {
    // every change is a record at once: the records do not depend on when the stage's timer runs
    minIntervalMs: 0,
    ...(thread === undefined ? {} : { thread }),
    premium: [{ exchange: 'qa', reference: 'qc' }],
    fx: { url: h.fx.quoteUrl, path: '0.basePrice', intervalMs: 60_000 },
    candles: { intervals: ['1m'], exchanges: ['qa'] },
  },
});

/** one input and how many derived records it makes (with minIntervalMs 0) */
type Step = [(h: Harness) => void, number];
const STEPS: Step[] = [
  [(h) => h.ticker('qc', 'BTC/USDT', 100_000, T0), 0], // no market price yet
  [(h) => h.ticker('qa', 'BTC/KRW', 145_000_000, T0 + 1), 1], // premium on the FX basis
  [(h) => h.ticker('qa', 'USDT/KRW', 1420, T0 + 2), 1], // and on the USDT basis
  [(h) => h.trade('qa', 'BTC/KRW', 145_000_000, 0.5, T0 + 3), 1], // opens the candle
  [(h) => h.trade('qa', 'BTC/KRW', 145_100_000, 0.25, T0 + 1000), 1],
  [(h) => h.ticker('qc', 'BTC/USDT', 100_100, T0 + 1001), 1],
  [(h) => h.trade('qa', 'BTC/KRW', 144_900_000, 0.1, T0 + 60_000), 2], // closes it, opens the next
  [(h) => h.ticker('qa', 'BTC/KRW', 146_000_000, T0 + 60_001), 1],
];

/** runs the steps through a gateway in one mode: the derived records, and the stage's health */
async function derivedRecords(h: Harness, thread: boolean | undefined): Promise<{ records: Frame[]; stage: Stage }> {
  const gw = await h.start(config(h, thread));
  const client = await TestClient.connect(`${gw.ws}?type=premium,candle`);
  try {
    await waitFor(async () => (await getJson<{ derived: { fx: { healthy: boolean } } }>(`${gw.http}/api/ws/infra-health`)).derived.fx.healthy, 10_000, 'FX rate');
    let expected = 0;
    for (const [push, makes] of STEPS) {
      push(h);
      expected += makes;
      await client.collect((f) => f.ty === 'premium' || f.ty === 'candle', expected);
    }
    return { records: client.frames.filter((f) => f.ty === 'premium' || f.ty === 'candle'), stage: await stageOf(gw.http) };
  } finally {
    await client.close();
    await gw.kernel.close();
  }
}

/** a record without what belongs to the run (the stage's start time, when it computed the record) */
function content(f: Frame): Frame {
  const { ep: _ep, rtms: _rtms, ...rest } = f;
  return rest;
}

describe('the derived stage inline and in its own thread', () => {
  let h: Harness;

  before(async () => {
    h = await startHarness(1400);
  });

  after(async () => {
    await h?.close();
  });

  it('runs inline by default and gives the same records, field for field, as in a thread of its own', async () => {
    const inline = await derivedRecords(h, undefined);
    const thread = await derivedRecords(h, true);
    assert.equal(inline.stage.mode, 'inline');
    assert.equal(thread.stage.mode, 'thread');
    for (const run of [inline, thread]) {
      assert.equal(run.stage.running && run.stage.ready, true);
      assert.equal(run.stage.restarts, 0);
      assert.equal(run.stage.recordsProduced, run.records.length);
      assert.deepEqual(new Set(run.records.map((f) => f.ep)), new Set([run.stage.ep]), 'every record carries the stage ep');
    }
    assert.equal(inline.records.length, 8);
    assert.deepEqual(thread.records.map(content), inline.records.map(content));
    // the content itself: the premium from the last inputs, the candle closed at the later trade
    const last = inline.records.filter((f) => f.ty === 'premium').at(-1)!;
    assert.equal(last.pu, 146_000_000 / (100_100 * 1420) - 1);
    assert.equal(last.pf, 146_000_000 / (100_100 * 1400) - 1);
    const closed = inline.records.find((f) => f.cl === true)!;
    assert.deepEqual(
      { tms: closed.tms, op: closed.op, hp: closed.hp, lp: closed.lp, tp: closed.tp, catv: closed.catv, sq: closed.sq },
      { tms: T0, op: 145_000_000, hp: 145_100_000, lp: 145_000_000, tp: 145_100_000, catv: 0.75, sq: 3 },
    );
    assert.equal(closed.catp, 145_000_000 * 0.5 + 145_100_000 * 0.25);
  });

  it('catches a computation that throws inline, keeps the exchange records flowing, and continues with a new ep', async () => {
    const create = candlesModule.create;
    // a candle computation that fails on one trade price, as a bug would
    candlesModule.create = (plan, ctx) => {
      const c = create(plan, ctx);
      const onRecord = c.onRecord.bind(c);
      c.onRecord = (key, r, now) => {
        if (r.tp === 13) throw new Error('candle computation failed on purpose');
        onRecord(key, r, now);
      };
      return c;
    };
    const gw = await h.start(config(h, false));
    const client = await TestClient.connect(`${gw.ws}?type=candle,trade`);
    try {
      h.trade('qa', 'BTC/KRW', 100, 1, T0);
      const first = await client.next((f) => f.ty === 'candle' && f.op === 100);
      const before = await stageOf(gw.http);
      assert.equal(before.ep, first.ep);
      h.trade('qa', 'BTC/KRW', 13, 1, T0 + 1);
      // the exchange path is not disturbed: the trade itself is served, and later trades too
      await client.next((f) => f.ty === 'trade' && f.tp === 13);
      const failed = await waitFor(async () => {
        const s = await stageOf(gw.http);
        return s.restarts === 1 ? s : undefined;
      }, 10_000, 'the stage counted as failed');
      assert.match(failed.lastError ?? '', /failed on purpose/);
      const again = await waitFor(async () => {
        const s = await stageOf(gw.http);
        return s.running && s.ep > before.ep ? s : undefined;
      }, 10_000, 'a new stage');
      h.trade('qa', 'BTC/KRW', 101, 2, T0 + 2);
      const next = await client.next((f) => f.ty === 'candle' && (f.ep as number) > before.ep, 10_000);
      assert.equal(next.ep, again.ep);
      assert.equal(next.sq, 1, 'a new ep counts from 1');
      // continued from the failed stage's latest record (the failing trade was never counted)
      assert.deepEqual(
        { tms: next.tms, op: next.op, hp: next.hp, lp: next.lp, tp: next.tp, catv: next.catv, catp: next.catp },
        { tms: T0, op: 100, hp: 101, lp: 100, tp: 101, catv: 3, catp: 302 },
      );
      assert.equal(dkey(next), 'qa|candle|BTC/KRW|1m');
      assert.ok(client.frames.some((f) => f.ty === 'trade' && f.tp === 101));
    } finally {
      candlesModule.create = create;
      await client.close();
      await gw.kernel.close();
    }
  });
});
