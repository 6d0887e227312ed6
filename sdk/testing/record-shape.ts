// What every record a plugin produces must look like, whatever the exchange: the contract suite's record checks.

import assert from 'node:assert/strict';
import type { MarketRecord } from '../model.ts';
import { isSymbol } from '../model.ts';

/**
 * How far an exchange's time may lie from the gateway's receive time: behind by up to an hour (a snapshot's last
 * trade on a quiet market), ahead by up to a minute (clock skew). A unit mistake (s, µs or ns read as ms: a factor
 * of 1000 or more) or a time zone read wrong (Korea time is 9 h off UTC) falls outside, in every plugin.
 */
export const TMS_BEHIND_MS = 3_600_000;
export const TMS_AHEAD_MS = 60_000;

function checkNumber(k: string, v: number): void {
  assert.ok(Number.isFinite(v), `${k} is not finite`);
  assert.ok(!Object.is(v, -0), `${k} is -0`);
}

/** Throws an AssertionError naming the first rule record `r` of exchange `exchange` breaks. */
export function checkRecordShape(r: MarketRecord, exchange: string): void {
  assert.equal(r.ex, exchange);
  assert.ok(isSymbol(r.cd), `cd ${r.cd}`);
  assert.equal(typeof r.mc, 'string');
  assert.ok(Number.isInteger(r.tms) && r.tms > 1_500_000_000_000, `tms ${r.tms}`);
  assert.ok(Number.isInteger(r.rtms), `rtms ${r.rtms}`);
  assert.ok(
    r.tms >= r.rtms - TMS_BEHIND_MS && r.tms <= r.rtms + TMS_AHEAD_MS,
    `${r.ty} ${r.cd}: tms ${r.tms} is ${r.rtms - r.tms} ms from rtms ${r.rtms}: a unit or time-zone mistake?`,
  );
  assert.ok(Number.isInteger(r.sq) && r.sq >= 1);
  for (const [k, v] of Object.entries(r)) {
    assert.notEqual(v, null, `${k} is null`);
    assert.notEqual(v, undefined, `${k} is undefined`);
    if (typeof v === 'number') checkNumber(k, v);
  }
  if (r.ty === 'orderbook') for (const u of r.obu) for (const [k, v] of Object.entries(u)) checkNumber(`obu.${k}`, v as number);
  assert.equal('st' in r, false, 'live records carry no st');
  if (r.ty === 'trade') {
    assert.ok(r.tp > 0 && r.tv > 0);
    if (r.ab !== undefined) assert.ok(r.ab === 'ASK' || r.ab === 'BID');
    if (r.sid !== undefined) assert.equal(typeof r.sid, 'string');
  }
  if (r.ty === 'orderbook') {
    for (let i = 1; i < r.obu.length; i++) {
      const a = r.obu[i - 1]!;
      const b = r.obu[i]!;
      if (a.ap !== undefined && b.ap !== undefined) assert.ok(a.ap < b.ap, 'asks ascend');
      if (a.bp !== undefined && b.bp !== undefined) assert.ok(a.bp > b.bp, 'bids descend');
    }
    const best = r.obu[0];
    if (best?.ap !== undefined && best.bp !== undefined) assert.ok(best.bp < best.ap, 'book is crossed');
  }
}
