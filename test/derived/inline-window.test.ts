// The inline stage's input window (kernel/derived/inline.ts): the stage reads its inputs once per window, with the
// first exchange batch at least WINDOW_MS after the window opened (its derived records are handed on before that
// batch's input() returns, so they leave in the same flush), or on a timer when no batch comes, and before any other
// call into the stage; batches without input records open no window.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RecordBatch } from '../../boundary/batch.ts';
import { BatchBuilder, recordAt } from '../../boundary/batch.ts';
import { decode } from '../../boundary/codec.ts';
import { WINDOW_MS } from '../../kernel/derived/host.ts';
import { InlineHost } from '../../kernel/derived/inline.ts';
import type { StagePlan } from '../../kernel/derived/stage.ts';
import { waitFor } from '../support/client.ts';

const TRADES = 'qa|trade|BTC/KRW';
const PLAN: StagePlan = {
  // every trade is a candle record at once: what comes out follows the inputs alone
  minIntervalMs: 0,
  computations: [
    {
      name: 'candles',
      plan: { inputs: [TRADES], needs: [{ exchange: 'qa', symbol: 'BTC/KRW', channel: 'trade' }], emits: ['candle'], usesFx: false, params: { intervals: ['1m'] } },
    },
  ],
};

function host(): { host: InlineHost; out: Record<string, unknown>[]; failures: string[] } {
  const out: Record<string, unknown>[] = [];
  const failures: string[] = [];
  const onBatch = (b: RecordBatch) => b.keys.forEach((_, i) => out.push(decode<Record<string, unknown>>(recordAt(b, i))));
  return { host: new InlineHost({ ep: 1, plan: PLAN, resume: [], fx: undefined, onBatch, onFailure: (m) => failures.push(m) }), out, failures };
}

/** an exchange batch: a trade on the input key (when `tp` is given) between two records the stage does not read */
function batch(tp?: number): RecordBatch {
  const b = new BatchBuilder();
  b.addRecord('qa|orderbook|BTC/KRW', { ty: 'orderbook', ex: 'qa', cd: 'BTC/KRW', tms: Date.now(), obu: [] });
  if (tp !== undefined) b.addRecord(TRADES, { ty: 'trade', ex: 'qa', cd: 'BTC/KRW', mc: 'BTC/KRW', tms: Date.now(), tp, tv: 0.5, ab: 'BID', sid: String(tp) });
  b.addRecord('qa|ticker|ETH/KRW', { ty: 'ticker', ex: 'qa', cd: 'ETH/KRW', tms: Date.now(), tp: 1 });
  return b.take();
}

describe('the inline stage reads its inputs in windows', () => {
  it('reads a window with the first exchange batch at least WINDOW_MS after it opened, inside that batch\'s input()', async () => {
    const { host: h, out } = host();
    try {
      h.input(batch(100));
      h.input(batch(101));
      assert.equal(out.length, 0, 'the window is not read before WINDOW_MS');
      await sleep(WINDOW_MS + 5);
      h.input(batch(102));
      assert.equal(out.length, 3, 'the three trades, read during the input() call');
      assert.deepEqual(out.map((r) => r.tp), [100, 101, 102]);
      assert.deepEqual(out.map((r) => r.sq), [1, 2, 3]);
      assert.ok(out.every((r) => r.ty === 'candle' && r.ep === 1));
    } finally {
      await h.stop();
    }
  });

  it('reads a window on its own once inputs go quiet', async () => {
    const { host: h, out } = host();
    try {
      h.input(batch(200));
      assert.equal(out.length, 0);
      await waitFor(() => out.length === 1, 5000, 'the quiet window read');
      assert.equal(out[0]!.tp, 200);
      // records without inputs open no window: nothing more comes
      h.input(batch());
      await sleep(3 * WINDOW_MS);
      assert.equal(out.length, 1);
      assert.equal(h.forwarded, 1, 'one input record read');
    } finally {
      await h.stop();
    }
  });

  it('reads the window before any other call into the stage (an FX change, a tick)', async () => {
    const { host: h, out } = host();
    try {
      h.input(batch(400));
      assert.equal(out.length, 0);
      h.fx(1400);
      assert.equal(out.length, 1, 'the window was read before the FX change');
      assert.equal(out[0]!.tp, 400);
    } finally {
      await h.stop();
    }
  });

  it('reads nothing of a window after stop()', async () => {
    const { host: h, out, failures } = host();
    h.input(batch(300));
    await h.stop();
    await sleep(3 * WINDOW_MS);
    assert.equal(out.length, 0);
    assert.deepEqual(failures, []);
  });
});
