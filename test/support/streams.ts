// Assertions over record streams received by test clients: sequences, record shapes, trade-id continuity.

import assert from 'node:assert/strict';
import type { Frame } from './client.ts';

export function isRecord(f: Frame): boolean {
  return typeof f.ty === 'string';
}

export const keyOf = (f: Frame) => `${f.ex}|${f.ty}|${f.cd}`;

/** every live record of a key follows its predecessor with sq + 1, or starts a newer epoch at sq 1 */
export function assertSequences(records: Frame[]): void {
  const last = new Map<string, { ep: number; sq: number }>();
  for (const r of records) {
    if (r.st === 'SNAPSHOT') continue;
    const key = keyOf(r);
    const prev = last.get(key);
    const ep = r.ep as number;
    const sq = r.sq as number;
    if (prev && prev.ep === ep) assert.equal(sq, prev.sq + 1, `${key}: sq ${prev.sq} then ${sq}`);
    if (prev && prev.ep !== ep) {
      assert.ok(ep > prev.ep, `${key}: epoch went back`);
      assert.equal(sq, 1, `${key}: a new epoch starts at sq 1`);
    }
    last.set(key, { ep, sq });
  }
}

/** trades of each key carry strictly increasing ids (no repeat); with `consecutive`, ids step by exactly one */
export function assertTradeIds(records: Frame[], consecutive: boolean): number {
  const last = new Map<string, bigint>();
  let checked = 0;
  for (const r of records) {
    if (r.ty !== 'trade' || r.st === 'SNAPSHOT') continue;
    const id = BigInt(r.sid as string);
    const prev = last.get(keyOf(r));
    if (prev !== undefined) {
      if (consecutive) assert.equal(id, prev + 1n, `${keyOf(r)}: trade ${prev} then ${id}`);
      else assert.ok(id > prev, `${keyOf(r)}: trade ${prev} then ${id}`);
      checked++;
    }
    last.set(keyOf(r), id);
  }
  return checked;
}
