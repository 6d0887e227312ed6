// Assertions over record streams received by test clients: sequences, record shapes, trade-id continuity.

import assert from 'node:assert/strict';
import type { Frame } from './client.ts';

export function isRecord(f: Frame): boolean {
  return typeof f.ty === 'string';
}

export const keyOf = (f: Frame) => `${f.ex}|${f.ty}|${f.cd}`;

/**
 * Where a reader's records begin (docs/protocol.md, "Epochs and sequences"): `sq` starts at 1 for each key in each
 * epoch, so a reader that saw every stream from its start sees each key begin at sq 1 (`'start'`: a converter's
 * output, a replay). A client that connected to running streams may join an epoch in its middle: give the time
 * it was registered (`{ joinedAt }`, Date.now() once `connect` resolved, or once `subscribed` for `wait=true`); an
 * epoch opened after that must still begin at sq 1, because every record of it was produced after the client joined.
 */
export type Joined = 'start' | { joinedAt: number };

/**
 * Every live record of a key follows its predecessor with sq + 1 in the same epoch, or starts a newer epoch at sq 1;
 * a key's first live record starts at sq 1 unless its epoch was already running when the reader joined; after a
 * snapshot of a key, its first live record has a greater sq (or a newer epoch).
 */
export function assertSequences(records: Frame[], joined: Joined): void {
  const joinedAt = joined === 'start' ? -Infinity : joined.joinedAt;
  const last = new Map<string, { ep: number; sq: number; snapshot: boolean }>();
  for (const r of records) {
    const key = keyOf(r);
    const prev = last.get(key);
    const ep = r.ep as number;
    const sq = r.sq as number;
    assert.ok(Number.isInteger(sq) && sq >= 1, `${key}: sq ${sq} is not an integer >= 1`);
    if (r.st === 'SNAPSHOT') {
      // a snapshot replays the key's newest record: it may be from any earlier point of the stream
      if (!prev) last.set(key, { ep, sq, snapshot: true });
      continue;
    }
    if (prev && ep < prev.ep) assert.fail(`${key}: epoch went back (${prev.ep} then ${ep})`);
    if (prev && !prev.snapshot) {
      if (ep === prev.ep) assert.equal(sq, prev.sq + 1, `${key}: sq ${prev.sq} then ${sq}`);
      else assert.equal(sq, 1, `${key}: a new epoch starts at sq 1`);
    } else if (prev && ep === prev.ep) {
      assert.ok(sq > prev.sq, `${key}: live sq ${sq} after a snapshot at sq ${prev.sq}`);
    } else if (ep > joinedAt) {
      assert.equal(sq, 1, `${key}: its first record is at sq ${sq}, but its epoch ${ep} opened after the reader joined (${joinedAt})`);
    }
    last.set(key, { ep, sq, snapshot: false });
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
