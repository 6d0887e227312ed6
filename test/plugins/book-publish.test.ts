// What reaches clients from a diff-synchronized book, through the worker's own parts (mapper → the feed's
// de-duplication → RecordPipeline): a frame that changes nothing in the top N emits nothing, and the first book of a
// new connection epoch is always published, even when it equals the last one of the previous epoch (and so is the
// first book rebuilt after a gap).

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import binance from '../../plugins/binance/index.ts';
import { RecentRecords } from '../../worker/dedupe.ts';
import { RecordPipeline } from '../../worker/pipeline.ts';
import type { MarketRecord, OrderbookRecord, Output } from '../../sdk/index.ts';
import { fixtureConfig as testConfig } from '../../sdk/fixture/format.ts';

const T = 1706498660000;
const DEPTH = 2;
const config = testConfig('binance', { symbols: ['BTC/USDT'], depth: DEPTH });
const recent = new RecentRecords();

/** one connection epoch as the feed runs it: a fresh mapper and pipeline, the feed's de-duplication shared */
function epoch(ep: number) {
  const mapper = binance.connections(config)[0]!.createMapper();
  const pipeline = new RecordPipeline(ep, DEPTH);
  const records: MarketRecord[] = [];
  let rtms = 0;
  const out: Output = {
    emit(draft) {
      if (recent.isRepeat(draft, ep)) return;
      const r = pipeline.accept(draft, rtms);
      if (r) records.push(r.record);
    },
    request: () => {},
    send: () => {},
    rollover: () => {},
    invalidate: (ty, cd) => void pipeline.invalidate('binance', ty, cd),
  };
  return {
    records: records as OrderbookRecord[],
    diff(U: number, u: number, b: [string, string][] = [], a: [string, string][] = []) {
      rtms = T + u;
      mapper.onMessage(JSON.stringify({ stream: 'btcusdt@depth@100ms', data: { e: 'depthUpdate', E: T + u, s: 'BTCUSDT', U, u, b, a } }), rtms, out);
    },
    snapshot(id: number) {
      rtms = T + id;
      const body = { lastUpdateId: id, bids: [['100', '1'], ['99', '1'], ['98', '1']], asks: [['101', '1'], ['102', '1'], ['103', '1']] };
      mapper.onResponse!('depth:BTCUSDT', { status: 200, body: JSON.stringify(body) }, rtms, out);
    },
  };
}

describe('publishing synchronized books', () => {
  it('emits nothing for a frame that changes nothing in the top N', () => {
    const e = epoch(1);
    e.diff(1, 1);
    e.snapshot(1);
    assert.equal(e.records.length, 1);
    e.diff(2, 2, [['98', '5']], [['103', '0']]); // below the top 2 on both sides
    e.diff(3, 3, [['100', '1']]); // the same size again
    e.diff(4, 4); // an empty diff
    assert.equal(e.records.length, 1);
    e.diff(5, 5, [['99', '2']]);
    assert.deepEqual(e.records.map((r) => [r.sq, r.obu[1]!.bs]), [[1, 1], [2, 2]]);
  });

  it('always publishes the first book of a new epoch, even when it equals the last one before', () => {
    const first = epoch(11);
    first.diff(1, 1);
    first.snapshot(1);
    const second = epoch(12); // the connection was replaced; the exchange's book has not changed
    second.diff(7, 7);
    second.snapshot(7);
    assert.deepEqual(second.records.map((r) => r.obu), first.records.map((r) => r.obu));
    assert.deepEqual(second.records.map((r) => [r.ep, r.sq]), [[12, 1]]);
  });

  it('publishes the rebuilt book after a gap even when its top N equals the last one published', () => {
    const e = epoch(21);
    e.diff(1, 1);
    e.snapshot(1);
    e.diff(5, 5); // 2..4 lost: invalidated and rebuilt
    e.snapshot(5);
    assert.deepEqual(e.records.map((r) => r.sq), [1, 2]);
    assert.deepEqual(e.records[1]!.obu, e.records[0]!.obu);
  });
});
